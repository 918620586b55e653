// Hostile input for the grammar of the extensions the session runs: SEARCHRES `$` (alone, never
// inside a set or a range, in every command that takes a set), literal8 `~{n}` (APPEND's
// message only, bounded like a literal, a malformed marker refused) and COMPRESS (one atom).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CommandParser, type Command } from '../../../src/imap/codec/index.js';
import { drive, type Driven } from '../helpers/drive-parser.js';

function run(text: string | Buffer, parser = new CommandParser()): Driven[] {
  return drive(parser, typeof text === 'string' ? Buffer.from(`${text}\r\n`, 'latin1') : text);
}

function command(text: string | Buffer, parser?: CommandParser): Command {
  const out = run(text, parser);
  const r = out[0];
  if (out.length !== 1 || r?.kind !== 'command')
    assert.fail(`expected a command: ${JSON.stringify(out).slice(0, 300)}`);
  return r.command;
}

function bad(text: string | Buffer, parser?: CommandParser): string {
  const out = run(text, parser);
  const r = out[out.length - 1];
  if (r?.kind !== 'error') assert.fail(`expected an error: ${JSON.stringify(out).slice(0, 300)}`);
  return r.reason;
}

describe('SEARCHRES $', () => {
  test('$ alone is the saved set in FETCH, STORE, COPY, MOVE, UID forms, UID EXPUNGE and SEARCH', () => {
    for (const text of [
      'a FETCH $ (UID)',
      'a UID FETCH $ FLAGS',
      'a STORE $ +FLAGS (\\Seen)',
      'a UID STORE $ -FLAGS.SILENT (\\Deleted)',
      'a COPY $ Archive',
      'a UID MOVE $ Archive',
    ]) {
      const c = command(text);
      assert.ok('set' in c, text);
      assert.deepEqual(c.set, { kind: 'saved' }, text);
    }
    const e = command('a UID EXPUNGE $');
    assert.ok(e.name === 'EXPUNGE');
    assert.deepEqual(e.uids, { kind: 'saved' });
    const s = command('a SEARCH OR $ UID $ NOT $');
    assert.ok(s.name === 'SEARCH');
    assert.match(JSON.stringify(s.criteria), /"saved"/);
  });

  test('$ inside a set, a range, doubled or with junk is BAD, never a partial set', () => {
    for (const text of [
      'a FETCH $,1 (UID)',
      'a FETCH 1,$ (UID)',
      'a FETCH $:4 (UID)',
      'a FETCH 1:$ (UID)',
      'a FETCH $$ (UID)',
      'a FETCH $* (UID)',
      'a STORE $1 FLAGS (\\Seen)',
      'a COPY $',
      'a UID EXPUNGE $ 1',
      'a SEARCH $,2',
      'a SEARCH UID $:*',
      `a FETCH ${'$,'.repeat(5000)}1 (UID)`,
    ]) {
      assert.ok(bad(text).length > 0, text);
    }
  });
});

describe('literal8', () => {
  test('APPEND takes ~{n} with NUL and CR/LF as is; other commands refuse it before the octets', () => {
    const data = Buffer.from('a\0b\r\nc\0');
    const c = command(
      Buffer.concat([Buffer.from(`a APPEND INBOX ~{${data.length}}\r\n`), data, Buffer.from('\r\n')]),
    );
    assert.ok(c.name === 'APPEND');
    assert.equal(c.binary, true);
    assert.deepEqual(c.message, data);
    for (const text of ['a LOGIN ~{3}', 'a SELECT ~{5}', 'a SEARCH TEXT ~{2}']) {
      assert.match(bad(text), /literal8 is not allowed/, text);
    }
  });

  test('malformed or oversize markers are refused, and no literal is asked for', () => {
    const literals: number[] = [];
    for (const text of [
      'a APPEND INBOX ~{}',
      'a APPEND INBOX ~{-1}',
      'a APPEND INBOX ~{1x}',
      'a APPEND INBOX ~ {3}',
      'a APPEND INBOX ~~{3}',
      'a APPEND INBOX ~{99999999999999999999}',
      'a APPEND INBOX ~{4294967296}',
    ]) {
      const out = drive(new CommandParser(), Buffer.from(`${text}\r\n`), literals);
      const last = out[out.length - 1];
      assert.ok(last?.kind === 'error', `${text}: ${JSON.stringify(out)}`);
    }
    assert.deepEqual(literals, []);
    const small = new CommandParser({ limits: { maxAppendOctets: 100 } });
    const r = run('a APPEND INBOX ~{101}', small)[0];
    assert.ok(r?.kind === 'error');
    assert.equal(r.code, 'TOOBIG');
  });
});

describe('COMPRESS', () => {
  test('one mechanism atom, upper-cased; anything else is BAD', () => {
    const c = command('a compress deflate');
    assert.deepEqual(c, { tag: 'a', name: 'COMPRESS', mechanism: 'DEFLATE' });
    for (const text of [
      'a COMPRESS',
      'a COMPRESS ',
      'a COMPRESS DEFLATE DEFLATE',
      'a COMPRESS "DEFLATE"',
      'a COMPRESS {7}',
    ]) {
      assert.ok(bad(text).length > 0, text);
    }
  });
});
