// FTP codec units and hostile input: replies (RFC 959 §4.2), command lines, PORT/EPRT/PASV/EPSV
// addresses (RFC 959 §4.1.2, RFC 2428), listings and MLSx facts (RFC 3659), TYPE A conversion
// under every chunk split, and virtual path resolution.
import { fsErrorOf } from '../../src/ftp/server/user-fs.js';
import { fsReplyCode } from '../../src/ftp/session/context.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AsciiSizeCounter,
  CrlfToLf,
  LfToCrlf,
  formatEpsvReply,
  formatListLine,
  formatMlsxLine,
  formatPasvReply,
  formatReply,
  parseCommand,
  parseEprtArg,
  parseEpsvArg,
  parseEpsvReply,
  parseMlsxLine,
  parseMlstOpts,
  parsePasvReply,
  parsePortArg,
  parseTimeVal,
  parseUnixListLine,
  formatTimeVal,
  quotePath,
  ReplyParser,
  resolveVirtual,
  splitListArgs,
  stripTelnet,
  MLSX_FACTS,
  type ListEntry,
} from '../../src/ftp/codec/index.js';

test('single and multi-line replies (RFC 959 §4.2); digit-led middle lines are indented', () => {
  assert.deepEqual(formatReply(200, 'OK'), ['200 OK']);
  assert.deepEqual(formatReply(211, ['Features:', ' SIZE', '123 looks like a code', 'End']), [
    '211-Features:',
    ' SIZE',
    ' 123 looks like a code',
    '211 End',
  ]);
  assert.deepEqual(formatReply(550, 'bad\r\nname\0'), ['550 bad??name?']);
  assert.equal(quotePath('/a "b"'), '"/a ""b"""');
});

test('reply parser joins multi-line replies and survives look-alike lines', () => {
  const p = new ReplyParser();
  assert.equal(p.push('211-Features:'), null);
  assert.equal(p.push(' 211 inside'), null);
  assert.equal(p.push('212 other code'), null);
  assert.deepEqual(p.push('211 End'), {
    code: 211,
    lines: ['Features:', '211 inside', '212 other code', 'End'],
  });
  assert.deepEqual(p.push('220 hi'), { code: 220, lines: ['hi'] });
  assert.throws(() => new ReplyParser().push('hello'), { code: 'ERR_FTP_PROTOCOL' });
  const bounded = new ReplyParser(2);
  bounded.push('211-first');
  bounded.push('second');
  assert.throws(() => bounded.push('third'), { code: 'ERR_FTP_PROTOCOL' });
});

test('command lines: verb case, spaces kept in arguments, Telnet IAC stripped, junk refused', () => {
  assert.deepEqual(parseCommand('retr my file.txt'), { ok: true, verb: 'RETR', arg: 'my file.txt' });
  assert.deepEqual(parseCommand('NOOP'), { ok: true, verb: 'NOOP', arg: '' });
  assert.deepEqual(parseCommand(Buffer.from([0xff, 0xf4, 0xff, 0xf2, ...Buffer.from('ABOR')])), {
    ok: true,
    verb: 'ABOR',
    arg: '',
  });
  assert.deepEqual(stripTelnet(Buffer.from([0x41, 0xff, 0xff, 0x42])), Buffer.from([0x41, 0xff, 0x42]));
  assert.deepEqual(parseCommand(''), { ok: false, reason: 'empty' });
  assert.deepEqual(parseCommand('R3TR x'), { ok: false, reason: 'bad-verb' });
  assert.deepEqual(parseCommand('RETRIEVE x'), { ok: false, reason: 'bad-verb' });
  assert.deepEqual(parseCommand('RETR a\0b'), { ok: false, reason: 'nul' });
  assert.deepEqual(parseCommand('GET / HTTP/1.1'), { ok: true, verb: 'GET', arg: '/ HTTP/1.1' });
});

test('PORT and 227 addresses, hostile numbers refused', () => {
  assert.deepEqual(parsePortArg('127,0,0,1,4,1'), { host: '127.0.0.1', port: 1025 });
  assert.deepEqual(parsePortArg(' 10,0,0,2,255,255 '), { host: '10.0.0.2', port: 65535 });
  for (const bad of [
    '127,0,0,1,4',
    '127,0,0,1,4,1,1',
    '256,0,0,1,4,1',
    '127,0,0,1,256,0',
    '127,0,0,1,-1,3',
    '127,0,0,1,0,0',
    '1,2,3,4,99999999999999999999,1',
    'a,b,c,d,e,f',
    '',
    '1,,2,3,4,5',
  ]) {
    assert.equal(parsePortArg(bad), null, bad);
  }
  assert.equal(formatPasvReply('127.0.0.1', 40001), 'Entering Passive Mode (127,0,0,1,156,65).');
  assert.equal(formatPasvReply('::ffff:10.1.2.3', 1025), 'Entering Passive Mode (10,1,2,3,4,1).');
  assert.equal(formatPasvReply('::1', 1025), null);
  assert.deepEqual(parsePasvReply('Entering Passive Mode (127,0,0,1,156,65).'), {
    host: '127.0.0.1',
    port: 40001,
  });
  assert.deepEqual(parsePasvReply('=127,0,0,1,4,1'), { host: '127.0.0.1', port: 1025 });
  assert.equal(parsePasvReply('Entering Passive Mode'), null);
});

test('EPRT and EPSV (RFC 2428), hostile forms refused', () => {
  assert.deepEqual(parseEprtArg('|1|132.235.1.2|6275|'), { family: 1, host: '132.235.1.2', port: 6275 });
  assert.deepEqual(parseEprtArg('!2!::1!5282!'), { family: 2, host: '::1', port: 5282 });
  assert.deepEqual(parseEprtArg('|3|1.2.3.4|5000|'), { unsupported: true });
  for (const bad of [
    '|1|132.235.1.2|0|',
    '|1|132.235.1.2|65536|',
    '|1|::1|5000|',
    '|2|1.2.3.4|5000|',
    '|1|1.2.3.4|5000',
    '1|1.2.3.4|5000|',
    '|1|1.2.3.400|5000|',
    '|1|a|b|c|',
  ]) {
    assert.equal(parseEprtArg(bad), null, bad);
  }
  assert.equal(formatEpsvReply(40000), 'Entering Extended Passive Mode (|||40000|)');
  assert.equal(parseEpsvReply('Entering Extended Passive Mode (|||40000|)'), 40000);
  assert.equal(parseEpsvReply('(|||99999|)'), null);
  assert.equal(parseEpsvArg(''), 'any');
  assert.equal(parseEpsvArg('all'), 'all');
  assert.equal(parseEpsvArg('2'), 2);
  assert.equal(parseEpsvArg('7'), 'unsupported');
  assert.equal(parseEpsvArg('x'), null);
});

const entry = (over: Partial<ListEntry>): ListEntry => ({
  name: 'file.txt',
  type: 'file',
  size: 1234,
  mtime: new Date(Date.UTC(2026, 10, 20, 13, 5, 9)),
  mode: 0o100644,
  dev: 2049,
  ino: 77,
  perm: 'adfrw',
  ...over,
});

test('LIST lines look like ls -l and parse back', () => {
  const now = new Date(Date.UTC(2026, 10, 21));
  const line = formatListLine(entry({}), now);
  assert.match(line, /^-rw-r--r-- +1 ftp +ftp +1234 Nov 20 13:05 file\.txt$/);
  assert.deepEqual(parseUnixListLine(line), {
    name: 'file.txt',
    type: 'file',
    size: 1234,
    mode: '-rw-r--r--',
    date: 'Nov 20 13:05',
  });
  const old = formatListLine(
    entry({ type: 'dir', mode: 0o40755, name: 'my dir', mtime: new Date(Date.UTC(2020, 0, 2)) }),
    now,
  );
  assert.match(old, /^drwxr-xr-x .* Jan {2}2 {2}2020 my dir$/);
  assert.equal(parseUnixListLine(old)?.name, 'my dir');
  assert.equal(parseUnixListLine('total 8'), null);
});

test('MLSx facts (RFC 3659 §7) and time-val (§2.3)', () => {
  const all = new Set(MLSX_FACTS);
  assert.equal(
    formatMlsxLine(entry({}), all),
    'type=file;size=1234;modify=20261120130509;perm=adfrw;unique=801U4d; file.txt',
  );
  assert.equal(
    formatMlsxLine(entry({ type: 'dir', perm: 'el' }), parseMlstOpts('type;perm;bogus;')),
    'type=dir;perm=el; file.txt',
  );
  const parsed = parseMlsxLine('type=file;size=10;modify=20261120130509; name with spaces');
  assert.deepEqual(parsed, {
    name: 'name with spaces',
    facts: { type: 'file', size: '10', modify: '20261120130509' },
  });
  assert.equal(parseMlsxLine('garbage'), null);
  assert.equal(formatTimeVal(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)), true), '20260102030405.006');
  assert.equal(parseTimeVal('20260102030405.006')?.toISOString(), '2026-01-02T03:04:05.006Z');
  assert.equal(parseTimeVal('2026010203040'), null);
});

function convertChunks(
  conv: { push(b: Buffer): Buffer; end?(): Buffer },
  data: Buffer,
  cuts: number[],
): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (const c of [...cuts, data.length]) {
    out.push(conv.push(data.subarray(at, c)));
    at = c;
  }
  if (conv.end) out.push(conv.end());
  return Buffer.concat(out);
}

test('TYPE A conversion both ways gives the same bytes whatever the chunk split', () => {
  const lf = Buffer.from('one\ntwo\r\nthree\r\r\nfour\n\n\rfive');
  const expectedOut = Buffer.from('one\r\ntwo\r\nthree\r\r\nfour\r\n\r\n\rfive');
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let round = 0; round < 300; round++) {
    const cuts = [...new Set(Array.from({ length: rnd(6) }, () => rnd(lf.length)))].sort((a, b) => a - b);
    assert.deepEqual(convertChunks(new LfToCrlf(), lf, cuts), expectedOut);
    assert.deepEqual(
      convertChunks(new CrlfToLf(), expectedOut, cuts),
      Buffer.from('one\ntwo\nthree\r\nfour\n\n\rfive'),
    );
  }
  const counter = new AsciiSizeCounter();
  counter.push(Buffer.from('a\nb'));
  counter.push(Buffer.from('\r\n'));
  assert.equal(counter.size, 6);
});

test('virtual paths: .. never climbs above /, NUL and oversize refused', () => {
  assert.equal(resolveVirtual('/', '../../etc/passwd'), '/etc/passwd');
  assert.equal(resolveVirtual('/a/b', '../c/./d'), '/a/c/d');
  assert.equal(resolveVirtual('/a', '/x//y/'), '/x/y');
  assert.equal(resolveVirtual('/a', '..%2f..%2fetc'), '/a/..%2f..%2fetc');
  assert.equal(resolveVirtual('/', '.'), '/');
  assert.equal(resolveVirtual('/', 'a\0b'), null);
  assert.equal(resolveVirtual('/', 'x'.repeat(2000)), null);
  assert.deepEqual(splitListArgs('-la -R some dir'), { options: 'laR', path: 'some dir' });
  assert.deepEqual(splitListArgs(''), { options: '', path: '' });
});

test('filesystem errors map to RFC 959 codes: 550 refusals, 553 bad names, 452 full disk, 451 the rest', () => {
  const errno = (code: string): Error => Object.assign(new Error(code), { code });
  const codes = ['ENOENT', 'EACCES', 'EEXIST', 'ENAMETOOLONG', 'ENOSPC', 'EDQUOT', 'EIO'].map((c) =>
    fsReplyCode(fsErrorOf(errno(c))),
  );
  assert.deepEqual(codes, [550, 550, 550, 553, 452, 452, 451]);
});
