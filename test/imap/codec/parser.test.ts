// The literal protocol of the command parser (RFC 9051 §4.3, §7.1 TOOBIG; RFC 7888 §4): `+` only
// after a valid prefix, oversize synchronising literals refused before they are sent, oversize
// non-synchronising ones discarded up to the cap or the connection closed, never a buffer
// larger than the limit.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hasCode, ErrorCodes } from '../../../src/core/errors.js';
import { CommandParser, literalMarker, type ParseStep } from '../../../src/imap/codec/index.js';
import { IMAP_LIMITS } from '../../../src/imap/limits.js';

const line = (s: string) => Buffer.from(s, 'latin1');

function expectKind<K extends ParseStep['kind']>(step: ParseStep, kind: K): Extract<ParseStep, { kind: K }> {
  assert.equal(step.kind, kind, JSON.stringify(step));
  return step as Extract<ParseStep, { kind: K }>;
}

describe('literal markers', () => {
  test('recognised only at the end of a line', () => {
    assert.deepEqual(literalMarker(line('a LOGIN {5}')), {
      marker: { size: 5, sync: true, binary: false },
      start: 8,
    });
    assert.deepEqual(literalMarker(line('a LOGIN {5+}')), {
      marker: { size: 5, sync: false, binary: false },
      start: 8,
    });
    assert.deepEqual(literalMarker(line('a APPEND x ~{12}')), {
      marker: { size: 12, sync: true, binary: true },
      start: 11,
    });
    assert.equal(literalMarker(line('a LOGIN {5} x')), null);
    assert.equal(literalMarker(line('a LOGIN {}')), null);
    assert.equal(literalMarker(line('a LOGIN {+}')), null);
    assert.equal(literalMarker(line('a LOGIN 5}')), null);
    assert.equal(literalMarker(line('a LOGIN {99999999999999999999}'))?.marker.size, Infinity);
  });
});

describe('synchronising literals', () => {
  test('a valid prefix gets a literal step; the command completes after the rest of the line', () => {
    const p = new CommandParser();
    assert.deepEqual(p.push(line('a1 LOGIN {5}')), {
      kind: 'literal',
      tag: 'a1',
      size: 5,
      sync: true,
      binary: false,
    });
    assert.equal(p.inCommand, true);
    p.pushLiteral(Buffer.from('alice'));
    const lit2 = expectKind(p.push(line(' {3}')), 'literal');
    assert.equal(lit2.size, 3);
    p.pushLiteral(Buffer.from('pwd'));
    const done = expectKind(p.push(line('')), 'command');
    assert.deepEqual(done.command, { tag: 'a1', name: 'LOGIN', user: 'alice', password: 'pwd' });
    assert.equal(p.inCommand, false);
  });
  test('an invalid prefix is BAD at once, with no continuation', () => {
    const p = new CommandParser();
    for (const text of ['a FETCH {5}', 'a FROB {5}', 'a NOOP {5}', 'a SELECT INBOX {5}', '{5}']) {
      const e = expectKind(p.push(line(text)), 'error');
      assert.equal(e.status, 'BAD', text);
      assert.equal(e.close, false);
      assert.equal(p.inCommand, false, `${text} leaves the parser idle`);
    }
  });
  test('over the limit: NO [TOOBIG] before the client sends it', () => {
    const p = new CommandParser();
    const e = expectKind(p.push(line(`a LOGIN {${IMAP_LIMITS.maxLiteralOctets + 1}}`)), 'error');
    assert.deepEqual([e.tag, e.status, e.code, e.close], ['a', 'NO', 'TOOBIG', false]);
    assert.equal(p.inCommand, false);
    // The client did not send the octets: its next line is a new command.
    expectKind(p.push(line('b NOOP')), 'command');
  });
  test('APPEND has its own limit (APPENDLIMIT), other strings the small one', () => {
    const p = new CommandParser({ limits: { maxAppendOctets: 1000 } });
    expectKind(p.push(line('a APPEND INBOX {1000}')), 'literal');
    p.reset();
    expectKind(p.push(line('a APPEND INBOX {1001}')), 'error');
    const big = IMAP_LIMITS.maxLiteralOctets + 1;
    const q = new CommandParser({ limits: { maxAppendOctets: big } });
    expectKind(q.push(line(`a APPEND INBOX {${big}}`)), 'literal');
    q.reset();
    const e = expectKind(q.push(line(`a SEARCH TEXT {${big}}`)), 'error');
    assert.equal(e.code, 'TOOBIG');
  });
  test('a literal claiming 4 GB', () => {
    const p = new CommandParser();
    const e = expectKind(p.push(line('a APPEND INBOX {4294967295}')), 'error');
    assert.deepEqual([e.status, e.code, e.close], ['NO', 'TOOBIG', false]);
    const f = expectKind(p.push(line('a APPEND INBOX {4294967296}')), 'error');
    assert.deepEqual([f.status, f.close], ['BAD', false]);
    assert.match(f.reason, /32-bit/);
  });
});

describe('non-synchronising literals (LITERAL+)', () => {
  test('within the limit: read without a continuation', () => {
    const p = new CommandParser();
    const lit = expectKind(p.push(line('a LOGIN {5+}')), 'literal');
    assert.equal(lit.sync, false);
    p.pushLiteral(Buffer.from('alice'));
    expectKind(p.push(line(' pw')), 'command');
  });
  test('over the limit: discarded, then BAD [TOOBIG] when the command ends', () => {
    const p = new CommandParser({ limits: { maxAppendOctets: 10 } });
    const d = expectKind(p.push(line('a APPEND INBOX {11+}')), 'discard');
    assert.deepEqual(d, { kind: 'discard', tag: 'a', size: 11 });
    const e = expectKind(p.push(line('')), 'error');
    assert.deepEqual([e.tag, e.status, e.code, e.close], ['a', 'BAD', 'TOOBIG', false]);
    expectKind(p.push(line('b NOOP')), 'command');
  });
  test('beyond the discard cap (a 4 GB claim): the connection closes', () => {
    const p = new CommandParser();
    const e = expectKind(p.push(line('a APPEND INBOX {4294967295+}')), 'error');
    assert.deepEqual([e.status, e.code, e.close], ['BAD', 'TOOBIG', true]);
    const f = expectKind(p.push(line('a APPEND INBOX {99999999999+}')), 'error');
    assert.equal(f.close, true, 'a size beyond 32 bits cannot be skipped');
  });
  test('after a syntax error every following literal of the command is skipped', () => {
    const p = new CommandParser();
    expectKind(p.push(line('a FROB {3+}')), 'discard');
    expectKind(p.push(line(' x {4+}')), 'discard');
    const e = expectKind(p.push(line(' y')), 'error');
    assert.deepEqual([e.tag, e.reason, e.code], ['a', 'unknown command FROB', null]);
    // A synchronising literal later in a failed command is not waited for: the error goes out.
    expectKind(p.push(line('b FROB {3+}')), 'discard');
    expectKind(p.push(line(' {3}')), 'error');
    assert.equal(p.inCommand, false);
  });
});

describe('where literals may be', () => {
  test('literal8 only for APPEND, NUL only in literal8 or a message', () => {
    const p = new CommandParser();
    assert.match(expectKind(p.push(line('a LOGIN ~{5}')), 'error').reason, /literal8 is not allowed/);
    expectKind(p.push(line('a APPEND INBOX ~{5}')), 'literal');
    p.pushLiteral(Buffer.from('ab\0cd'));
    expectKind(p.push(line('')), 'command');
    expectKind(p.push(line('a LOGIN {5}')), 'literal');
    p.pushLiteral(Buffer.from('ab\0cd'));
    assert.match(expectKind(p.push(line(' pw')), 'error').reason, /NUL in literal/);
  });
  test('invalid UTF-8 in a string is BAD', () => {
    const p = new CommandParser();
    expectKind(p.push(line('a LOGIN {2}')), 'literal');
    p.pushLiteral(Buffer.from([0xc3, 0x28]));
    assert.match(expectKind(p.push(line(' pw')), 'error').reason, /invalid UTF-8/);
  });
});

describe('misuse and recovery', () => {
  test('pushLiteral without an announced literal, or of the wrong size, throws ERR_PARSE', () => {
    const p = new CommandParser();
    assert.throws(
      () => {
        p.pushLiteral(Buffer.from('x'));
      },
      (e: unknown) => hasCode(e, ErrorCodes.PARSE),
    );
    expectKind(p.push(line('a LOGIN {5}')), 'literal');
    assert.throws(
      () => {
        p.pushLiteral(Buffer.from('abc'));
      },
      (e: unknown) => hasCode(e, ErrorCodes.PARSE),
    );
    assert.throws(
      () => p.push(line('x')),
      (e: unknown) => hasCode(e, ErrorCodes.PARSE),
    );
  });
  test('a truncated literal (connection ended, line overflow) is forgotten by reset()', () => {
    const p = new CommandParser();
    expectKind(p.push(line('a APPEND INBOX {100}')), 'literal');
    p.reset();
    assert.equal(p.inCommand, false);
    expectKind(p.push(line('b NOOP')), 'command');
  });
  test('too many literals, too long a command', () => {
    const p = new CommandParser({ limits: { maxLiteralsPerCommand: 3 } });
    expectKind(p.push(line('a ID ({1}')), 'literal');
    p.pushLiteral(Buffer.from('k'));
    expectKind(p.push(line(' {1}')), 'literal');
    p.pushLiteral(Buffer.from('v'));
    expectKind(p.push(line(' {1}')), 'literal');
    p.pushLiteral(Buffer.from('k'));
    assert.match(expectKind(p.push(line(' {1}')), 'error').reason, /too many literals/);
    const q = new CommandParser({ limits: { maxCommandOctets: 100 } });
    assert.match(
      expectKind(q.push(line(`a SEARCH TEXT ${'x'.repeat(100)}`)), 'error').reason,
      /command too long/,
    );
  });
  test('UTF-8 names can be switched on after ENABLE', () => {
    const p = new CommandParser();
    const a = expectKind(p.push(line('a SELECT "&ZeVnLIqe-"')), 'command').command;
    assert.ok(a.name === 'SELECT' && a.mailbox === '日本語');
    p.utf8Names = true;
    const b = expectKind(p.push(Buffer.from('a SELECT "日本語"')), 'command').command;
    assert.ok(b.name === 'SELECT' && b.mailbox === '日本語');
    const c = expectKind(p.push(line('a SELECT "&ZeVnLIqe-"')), 'command').command;
    assert.ok(c.name === 'SELECT' && c.mailbox === '&ZeVnLIqe-', 'no modified UTF-7 for UTF-8 clients');
  });
});
