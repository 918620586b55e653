// Hostile input for the command parser: generated command lines and literals (seeded, so a
// failure replays) never throw and always end in a command or an error with a reason; deep
// nesting, huge sequence sets, long search programs and oversize literals are refused within
// their limits, and the parser never asks for a literal larger than the limit that applies.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CommandParser } from '../../../src/imap/codec/index.js';
import { IMAP_LIMITS } from '../../../src/imap/limits.js';
import { prng } from '../../helpers/prng.js';
import { drive, type Driven } from '../helpers/drive-parser.js';

function only(text: string, parser = new CommandParser(), maxLine?: number): Driven {
  const out = drive(parser, Buffer.from(`${text}\r\n`, 'latin1'), [], maxLine);
  assert.equal(out.length, 1, JSON.stringify(out).slice(0, 300));
  return out[0]!;
}

function badReason(text: string, maxLine?: number): string {
  const r = only(text, new CommandParser(), maxLine);
  if (r.kind !== 'error') assert.fail(`expected BAD, got ${JSON.stringify(r).slice(0, 200)}`);
  assert.equal(r.status, 'BAD');
  return r.reason;
}

describe('nesting and sizes', () => {
  test('1000-deep parentheses are refused, not recursed into', () => {
    assert.match(badReason(`a SEARCH ${'('.repeat(1000)}ALL${')'.repeat(1000)}`), /too deeply nested/);
    assert.match(
      badReason(`a FETCH 1 ${'('.repeat(1000)}FLAGS${')'.repeat(1000)}`),
      /too deeply nested|expected/,
    );
    assert.match(badReason(`a STORE 1 FLAGS ${'('.repeat(1000)}`), /too deeply nested|expected/);
    assert.match(badReason(`a ID ${'('.repeat(1000)}`), /too deeply nested|expected/);
    // Within the limit, groups are fine.
    const depth = IMAP_LIMITS.maxNestingDepth;
    assert.equal(only(`a SEARCH ${'('.repeat(depth)}ALL${')'.repeat(depth)}`).kind, 'command');
    assert.match(
      badReason(`a SEARCH ${'('.repeat(depth + 1)}ALL${')'.repeat(depth + 1)}`),
      /too deeply nested/,
    );
  });
  test('long NOT/OR chains stop at the search depth; too many keys stop at the key count', () => {
    assert.match(badReason(`a SEARCH ${'NOT '.repeat(10_000)}ALL`), /search program too deeply nested/);
    assert.match(
      badReason(`a SEARCH ${'OR '.repeat(5000)}${'SEEN '.repeat(5001).trim()}`),
      /too deeply nested|too many/,
    );
    assert.match(
      badReason(`a SEARCH ${'SEEN '.repeat(IMAP_LIMITS.maxSearchKeys + 1).trim()}`),
      /too many search keys/,
    );
    assert.equal(only(`a SEARCH ${'NOT '.repeat(100)}ALL`).kind, 'command');
  });
  test('deep section numbers and huge numbers', () => {
    assert.match(
      badReason(`a FETCH 1 BODY[${Array(1000).fill('1').join('.')}]`),
      /section part number too deep/,
    );
    assert.equal(only('a FETCH 1:4294967295 FLAGS').kind, 'command');
    assert.match(badReason('a FETCH 1:4294967296 FLAGS'), /too large/);
    assert.match(badReason(`a FETCH ${'9'.repeat(5000)} FLAGS`), /too large/);
    assert.match(
      badReason('a STORE 1 (UNCHANGEDSINCE 9223372036854775808) FLAGS ()'),
      /mod-sequence is too large/,
    );
    assert.equal(only('a STORE 1 (UNCHANGEDSINCE 9223372036854775807) FLAGS ()').kind, 'command');
  });
  test('QRESYNC parameters (RFC 7162 §3.2.5): known UIDs and sequence match data are bounded sets', () => {
    const many = Array.from({ length: IMAP_LIMITS.maxSequenceRanges + 1 }, (_, i) => String(i * 2 + 1)).join(
      ',',
    );
    assert.match(badReason(`a SELECT INBOX (QRESYNC (1 2 ${many}))`, 1 << 20), /too many ranges|too long/);
    assert.match(
      badReason(`a SELECT INBOX (QRESYNC (1 2 1:9 (${many} ${many})))`, 1 << 20),
      /too many ranges|too long/,
    );
    assert.match(badReason('a SELECT INBOX (QRESYNC (1 9223372036854775808))'), /mod-sequence is too large/);
    assert.match(badReason('a SELECT INBOX (QRESYNC (1 0))'), /mod-sequence must not be zero/);
    assert.match(badReason('a SELECT INBOX (QRESYNC (1 2 1:9 (1:2 1,3) (1 1)))'), /repeated|expected/);
    assert.match(badReason('a SELECT INBOX (QRESYNC (1 2 (1:2 1,3) 1:9))'), /unexpected QRESYNC parameter/);
    assert.match(badReason(`a SELECT INBOX (QRESYNC (1 2 1:9 ${'('.repeat(1000)}))`), /nested|expected/);
    assert.match(badReason('a SELECT INBOX (QRESYNC (1 2 1:9 (1:2)))'), /expected/);
    assert.match(badReason('a SELECT INBOX (QRESYNC (1 2) QRESYNC (1 2))'), /repeated select parameter/);
    assert.match(badReason('a FETCH 1 FLAGS (CHANGEDSINCE 1 VANISHED)'), /VANISHED needs UID FETCH/);
    assert.match(badReason('a UID FETCH 1 FLAGS (VANISHED)'), /VANISHED needs UID FETCH/);
    const huge = 'a SELECT INBOX (QRESYNC (1 2 1:4294967295 (1:4294967295 1:4294967295)))';
    assert.equal(only(huge).kind, 'command');
  });
  test('huge sequence sets: ranges are counted, never expanded', () => {
    const many = Array.from({ length: IMAP_LIMITS.maxSequenceRanges + 1 }, (_, i) => String(i + 1)).join(',');
    assert.match(badReason(`a FETCH ${many} FLAGS`, 1 << 20), /too many ranges|command too long/);
    const fits = Array.from({ length: 5000 }, (_, i) => `${i * 4 + 1}:${i * 4 + 2}`).join(',');
    const r = only(`a UID FETCH ${fits} FLAGS`, new CommandParser(), 1 << 20);
    assert.equal(r.kind, 'command');
    assert.equal(only('a FETCH 1:* FLAGS').kind, 'command');
  });
  test('a line over the line limit is an overflow, and the next command parses', () => {
    const parser = new CommandParser();
    const out = drive(
      parser,
      Buffer.from(`a SEARCH TEXT ${'x'.repeat(IMAP_LIMITS.maxLineOctets)}\r\nb NOOP\r\n`),
    );
    assert.deepEqual(
      out.map((o) => o.kind),
      ['overflow', 'command'],
    );
  });
});

describe('truncated literals', () => {
  test('a connection that ends inside a literal leaves the parser resettable', () => {
    const parser = new CommandParser();
    const out = drive(parser, Buffer.from('a APPEND INBOX {100}\r\nonly part of it'));
    assert.deepEqual(out, [{ kind: 'truncated', wanted: 100 }]);
    parser.reset();
    assert.equal(drive(parser, Buffer.from('b NOOP\r\n'))[0]?.kind, 'command');
  });
});

const WORDS = [
  'CAPABILITY',
  'NOOP',
  'LOGOUT',
  'STARTTLS',
  'AUTHENTICATE',
  'PLAIN',
  'LOGIN',
  'ENABLE',
  'IMAP4rev2',
  'SELECT',
  'EXAMINE',
  'CREATE',
  'DELETE',
  'RENAME',
  'SUBSCRIBE',
  'UNSUBSCRIBE',
  'LIST',
  'LSUB',
  'NAMESPACE',
  'STATUS',
  'APPEND',
  'IDLE',
  'DONE',
  'CLOSE',
  'UNSELECT',
  'EXPUNGE',
  'UID',
  'SEARCH',
  'FETCH',
  'STORE',
  'COPY',
  'MOVE',
  'ID',
  'COMPRESS',
  'UNAUTHENTICATE',
  'INBOX',
  'NIL',
  'RETURN',
  'CHARSET',
  'UTF-8',
  'OR',
  'NOT',
  'ALL',
  'FLAGS',
  '+FLAGS.SILENT',
  '-FLAGS',
  'BODY[]',
  'BODY.PEEK[HEADER.FIELDS',
  'BINARY[1]',
  '<0.10>',
  'CHANGEDSINCE',
  'VANISHED',
  'UNCHANGEDSINCE',
  'QRESYNC',
  'CONDSTORE',
  'MODSEQ',
  '\\Seen',
  '\\Deleted',
  '\\Recent',
  '$Junk',
  '1',
  '0',
  '*',
  '$',
  '1:*',
  '4294967295',
  '99999999999',
  '2:1',
  '1,2,3',
  '"quoted"',
  '"a\\"b"',
  '"unterminated',
  '"&ZeVnLIqe-"',
  '"&Jjo-"',
  '"&AGE-"',
  '(',
  ')',
  '((',
  '))',
  '[',
  ']',
  '{',
  '}',
  '{5}',
  '{5+}',
  '~{5}',
  '{0}',
  '{99999999999+}',
  '"01-Feb-1994 00:00:00 +0000"',
  '1-Feb-1994',
  'SINCE',
  'BEFORE',
  'HEADER',
  'MIN',
  'MAX',
  'COUNT',
  'SAVE',
  '%',
  '&',
];

function randomLine(rand: () => number): Buffer {
  const mode = rand();
  if (mode < 0.1) {
    // Raw random bytes (no CR/LF: the line layer splits on those).
    const n = Math.floor(rand() * 60);
    return Buffer.from(
      Array.from({ length: n }, () => {
        const b = Math.floor(rand() * 256);
        return b === 0x0a || b === 0x0d ? 0x20 : b;
      }),
    );
  }
  const parts: string[] = [];
  if (rand() < 0.9) parts.push(rand() < 0.5 ? 'a1' : `t${Math.floor(rand() * 1000)}`);
  const n = Math.floor(rand() * 10);
  for (let i = 0; i < n; i++) parts.push(WORDS[Math.floor(rand() * WORDS.length)]!);
  let text = parts.join(rand() < 0.95 ? ' ' : '  ');
  if (rand() < 0.3) {
    const size = rand() < 0.8 ? Math.floor(rand() * 20) : Math.floor(rand() * 2 ** 33);
    text += `${rand() < 0.2 ? '~' : ''}{${size}${rand() < 0.5 ? '+' : ''}}`;
  }
  return Buffer.from(text, 'latin1');
}

describe('generated command lines and literals', () => {
  test('never throw; every result is a command, an error with a reason, or empty', () => {
    const rand = prng(0x1ba9);
    const limits = { maxAppendOctets: 64 * 1024 };
    let commands = 0;
    let errors = 0;
    for (let round = 0; round < 3000; round++) {
      const parser = new CommandParser({ limits, utf8Names: rand() < 0.3 });
      const chunks: Buffer[] = [];
      for (let i = 0; i < 1 + Math.floor(rand() * 4); i++) {
        chunks.push(randomLine(rand), Buffer.from('\r\n'));
        // Sometimes follow with octets the way a literal would, random content.
        if (rand() < 0.3)
          chunks.push(
            Buffer.from(Array.from({ length: Math.floor(rand() * 20) }, () => Math.floor(rand() * 256))),
          );
      }
      const asked: number[] = [];
      const input = Buffer.concat(chunks);
      let out: Driven[];
      try {
        out = drive(parser, input, asked);
      } catch (e) {
        assert.fail(`seed round ${round} threw on ${JSON.stringify(input.toString('latin1'))}: ${String(e)}`);
      }
      for (const size of asked)
        assert.ok(size <= limits.maxAppendOctets, 'no literal beyond its limit is read');
      for (const r of out) {
        if (r.kind === 'command') {
          commands++;
          assert.match(r.command.tag, /^[\x21-\x7e]+$/);
        } else if (r.kind === 'error') {
          errors++;
          assert.ok(r.reason.length > 0);
          assert.doesNotMatch(r.reason, /[\r\n\0]/, 'reasons are safe on a response line');
          if (r.status === 'NO')
            assert.equal(r.code, 'TOOBIG', 'NO only for an oversize synchronising literal');
          if (r.tag !== null) assert.match(r.tag, /^[\x21-\x7e]+$/);
        } else {
          assert.ok(['empty', 'truncated', 'overflow'].includes(r.kind));
        }
      }
    }
    assert.ok(commands > 50, `some generated lines are valid commands (${commands})`);
    assert.ok(errors > 1000, `most are not (${errors})`);
  });
});
