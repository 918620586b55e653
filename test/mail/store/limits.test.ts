// The store's caps on names and flags (src/mail/store/limits.ts) are what mailbox-name.ts and
// flags.ts enforce: accepted at the cap, refused one past it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCodes } from '../../../src/core/errors.js';
import { canonicalFlag, normalizeFlags } from '../../../src/mail/store/flags.js';
import { STORE_LIMITS } from '../../../src/mail/store/limits.js';
import { canonicalMailboxName } from '../../../src/mail/store/mailbox-name.js';

test('mailbox names up to mailboxNameChars', () => {
  const name = 'm'.repeat(STORE_LIMITS.mailboxNameChars);
  assert.equal(canonicalMailboxName(name), name);
  assert.throws(() => canonicalMailboxName(`${name}m`), { code: ErrorCodes.MAILBOX_NAME_INVALID });
});

test('keywords up to keywordChars, flags per message up to flagsPerMessage', () => {
  const keyword = 'k'.repeat(STORE_LIMITS.keywordChars);
  assert.equal(canonicalFlag(keyword), keyword);
  assert.throws(() => canonicalFlag(`${keyword}k`), { code: ErrorCodes.PARSE });
  const flags = (n: number): string[] => Array.from({ length: n }, (_, i) => `kw${String(i)}`);
  assert.equal(normalizeFlags(flags(STORE_LIMITS.flagsPerMessage)).length, STORE_LIMITS.flagsPerMessage);
  assert.throws(() => normalizeFlags(flags(STORE_LIMITS.flagsPerMessage + 1)), { code: ErrorCodes.PARSE });
});
