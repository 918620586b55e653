// Error codes: every code is a distinct ERR_ string, and OutpostError only takes a known code
// (the @ts-expect-error lines fail the type check, `npm run lint`, if that typing is lost).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, ErrorCodes, hasCode, OutpostError, type ErrorCode } from '../../src/core/errors.js';

test('every known code is a distinct ERR_ string', () => {
  const codes: readonly ErrorCode[] = Object.values(ErrorCodes);
  assert.equal(new Set(codes).size, codes.length);
  for (const code of codes) assert.match(code, /^ERR_[A-Z0-9_]+$/);
});

test('OutpostError carries a known code and hasCode matches it', () => {
  const err = new OutpostError(ErrorCodes.STORAGE, 'disk full');
  assert.equal(err.code, 'ERR_STORAGE');
  assert.equal(hasCode(err, ErrorCodes.STORAGE), true);
  assert.equal(hasCode(err, ErrorCodes.PARSE), false);
  assert.equal(hasCode(new Error('plain'), ErrorCodes.STORAGE), false);
  assert.equal(new ConfigError('bad', 'smtp.listen').code, ErrorCodes.CONFIG_INVALID);
  // @ts-expect-error: a code outside ErrorCodes does not compile
  assert.equal(new OutpostError('ERR_MADE_UP', 'x').code, 'ERR_MADE_UP');
  // @ts-expect-error: nor does asking hasCode about one
  assert.equal(hasCode(err, 'ERR_STORAGE_TYPO'), false);
});
