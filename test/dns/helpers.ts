/**
 * Shared builders and assertions for the DNS codec and zone tests: a terse message builder, hex
 * helpers, and `assertParseError`, which checks that a failure is an OutpostError with ERR_PARSE
 * (and optionally a message pattern) rather than any other exception.
 */
import assert from 'node:assert/strict';
import { ErrorCodes, OutpostError } from '../../src/core/errors.js';
import type { Header, Message, RecordData, ResourceRecord } from '../../src/dns/index.js';
import { RRClass, RRType } from '../../src/dns/index.js';

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Bytes from a hex string that may contain spaces. */
export function fromHex(hex: string): Buffer {
  return Buffer.from(hex.replace(/\s+/g, ''), 'hex');
}

export const baseHeader: Header = {
  id: 0x1234,
  qr: true,
  opcode: 0,
  aa: true,
  tc: false,
  rd: true,
  ra: false,
  z: false,
  ad: false,
  cd: false,
  rcode: 0,
};

/** A message with defaults for everything not given. */
export function makeMessage(parts: Omit<Partial<Message>, 'header'> & { header?: Partial<Header> }): Message {
  const { header, ...rest } = parts;
  return {
    questions: [],
    answers: [],
    authorities: [],
    additionals: [],
    ...rest,
    header: { ...baseHeader, ...header },
  };
}

/** A record whose TYPE is derived from its data. */
export function rr(name: string, data: RecordData, ttl = 300, cls: number = RRClass.IN): ResourceRecord {
  const type = typeof data.type === 'number' ? data.type : RRType[data.type];
  return { name, type, class: cls, ttl, data };
}

/** Assert that `fn` throws an OutpostError with code ERR_PARSE whose message matches `pattern`. */
export function assertParseError(fn: () => unknown, pattern?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof OutpostError, `expected OutpostError, got ${String(err)}`);
    assert.equal(err.code, ErrorCodes.PARSE);
    if (pattern !== undefined) assert.match(err.message, pattern);
    return true;
  });
}

export { prng } from '../helpers/prng.js';
