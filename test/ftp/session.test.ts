// FTP session transcripts in memory (tier 2: the shared script client on the control connection,
// the in-memory DataChannel for data): the command table's gate (login, sequence, arguments),
// HELP/FEAT from the table, parameters (TYPE/MODE/STRU), names (CWD/PWD/MKD/RNFR/RNTO/DELE/RMD/
// SIZE/MDTM/MLST), MFMT and SITE CHMOD, REST sequencing, STOU/APPE, listings, hostile lines.
// What needs the real server (the suite's login names, HOST, the idle timeout) is in
// server.test.ts; data connections over sockets are in transfer.test.ts and security.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { MemoryFtp } from './session-harness.js';

test('greeting, then the gate: 530 before login, 503 out of sequence, 500 unknown, 501 bad args', async () => {
  const c = await MemoryFtp.open();
  assert.equal((await c.cmd('PWD')).code, 530);
  assert.equal((await c.cmd('RETR notes.txt')).code, 530);
  assert.equal((await c.cmd('PASS secret')).code, 503);
  assert.equal((await c.cmd('XYZZ')).code, 500);
  assert.equal((await c.cmd('USER')).code, 501);
  assert.equal((await c.cmd('SYST')).code, 215);
  assert.equal((await c.cmd('NOOP now')).code, 501);
  assert.equal((await c.cmd('USER alice@example.test')).code, 331);
  assert.equal((await c.cmd('PASS wrong')).code, 530);
  await c.login();
  assert.equal((await c.cmd('USER bob@example.test')).code, 503);
  assert.equal((await c.cmd('QUIT')).code, 221);
  assert.equal(await c.harness.client.closed(), true);
});

test('HELP and FEAT come from the command table', async () => {
  // A context (without a certificate) is enough for FEAT to offer AUTH TLS.
  const context = createSecureContext({});
  const c = await MemoryFtp.open({ tlsContext: () => context });
  const help = await c.cmd('HELP');
  assert.equal(help.code, 214);
  const verbs = help.lines.join(' ');
  for (const v of ['USER', 'RETR', 'MLSD', 'EPSV', 'ABOR', 'HOST'])
    assert.match(verbs, new RegExp(`\\b${v}\\b`));
  assert.deepEqual(await c.cmd('HELP RETR'), { code: 214, lines: ['Syntax: RETR <sp> pathname'] });
  assert.equal((await c.cmd('HELP NOPE')).code, 502);
  const feat = await c.cmd('FEAT');
  assert.equal(feat.code, 211);
  const feats = feat.lines.slice(1, -1).map((l) => l.trim());
  for (const x of [
    'AUTH TLS',
    'PBSZ',
    'PROT',
    'EPRT',
    'EPSV',
    'HOST',
    'MDTM',
    'MFMT',
    'REST STREAM',
    'SIZE',
    'UTF8',
    'TVFS',
  ])
    assert.ok(feats.includes(x), x);
  assert.ok(feats.includes('MLST type*;size*;modify*;perm*;unique*;'));
  assert.equal((await c.cmd('OPTS UTF8 ON')).code, 200);
  c.close();
});

test('TYPE, MODE, STRU: supported values 200, others 504, junk 501', async () => {
  const c = await MemoryFtp.open();
  await c.login();
  for (const [cmd, code] of [
    ['TYPE A', 200],
    ['TYPE A N', 200],
    ['TYPE I', 200],
    ['TYPE L 8', 200],
    ['TYPE E', 504],
    ['TYPE A T', 504],
    ['TYPE Q', 501],
    ['MODE S', 200],
    ['MODE B', 504],
    ['MODE Z', 501],
    ['STRU F', 200],
    ['STRU R', 504],
    ['STRU X', 501],
    ['ALLO 100', 202],
    ['ACCT x', 202],
    ['SMNT /x', 502],
    ['SITE HELP', 214],
    ['SITE CHMOD 777 x', 550],
    ['SITE CHMOD 9 notes.txt', 501],
    ['SITE UTIME x', 500],
  ] as const) {
    assert.equal((await c.cmd(cmd)).code, code, cmd);
  }
  c.close();
});

test('directories and names: CWD/CDUP/PWD/MKD/RMD/RNFR/RNTO/DELE, SIZE/MDTM/MLST', async () => {
  const c = await MemoryFtp.open();
  writeFileSync(join(c.home, 'rename-me.txt'), 'line1\nline2\n');
  await c.login();
  assert.equal((await c.cmd('MKD work')).lines[0], '"/work" created');
  assert.equal((await c.cmd('CWD work')).code, 250);
  assert.equal((await c.cmd('PWD')).lines[0], '"/work" is the current directory');
  assert.equal((await c.cmd('CDUP')).code, 250);
  assert.equal((await c.cmd('CWD notes.txt')).code, 550);
  assert.equal((await c.cmd('CWD nowhere')).code, 550);
  // A name longer than the filesystem allows is 553 (RFC 959: name not allowed), not a local error.
  assert.deepEqual(await c.cmd(`MKD ${'n'.repeat(300)}`), { code: 553, lines: ['File name too long'] });
  assert.equal((await c.cmd(`RETR ${'n'.repeat(300)}`)).code, 553);
  assert.equal((await c.cmd('RNTO x')).code, 503);
  assert.equal((await c.cmd('RNFR rename-me.txt')).code, 350);
  assert.equal((await c.cmd('NOOP')).code, 200);
  assert.equal((await c.cmd('RNTO y')).code, 503, 'RNFR only applies to the next command');
  assert.equal((await c.cmd('RNFR rename-me.txt')).code, 350);
  assert.equal((await c.cmd('RNTO work/moved.txt')).code, 250);
  assert.ok(existsSync(join(c.home, 'work', 'moved.txt')));
  assert.equal((await c.cmd('TYPE I')).code, 200);
  assert.deepEqual(await c.cmd('SIZE work/moved.txt'), { code: 213, lines: ['12'] });
  assert.equal((await c.cmd('TYPE A')).code, 200);
  assert.deepEqual(
    await c.cmd('SIZE work/moved.txt'),
    { code: 213, lines: ['14'] },
    'TYPE A size counts CRLF (RFC 3659 §4)',
  );
  assert.match((await c.cmd('MDTM work/moved.txt')).lines[0] ?? '', /^\d{14}$/);
  const mlst = await c.cmd('MLST work/moved.txt');
  assert.equal(mlst.code, 250);
  assert.match(
    mlst.lines[1] ?? '',
    /^type=file;size=12;modify=\d{14};perm=adfrw;unique=[0-9a-f]+U[0-9a-f]+; \/work\/moved\.txt$/,
  );
  assert.equal((await c.cmd('OPTS MLST type;size;')).lines[0], 'MLST OPTS type;size;');
  assert.equal((await c.cmd('MLST work')).lines[1], ' type=dir; /work'.trim());
  assert.equal((await c.cmd('RMD work')).code, 550, 'not empty');
  assert.equal((await c.cmd('DELE work')).code, 550, 'DELE refuses directories');
  assert.equal((await c.cmd('DELE work/moved.txt')).code, 250);
  assert.equal((await c.cmd('RMD work')).code, 250);
  assert.equal((await c.cmd('RMD /')).code, 550);
  assert.equal((await c.cmd('SIZE docs')).code, 550);
  c.close();
});

test("MFMT sets a file's modification time; SITE CHMOD sets permission bits only", async () => {
  const c = await MemoryFtp.open();
  writeFileSync(join(c.home, 'stamp.txt'), 'x');
  await c.login();
  assert.deepEqual(await c.cmd('MFMT 20240229123456 stamp.txt'), {
    code: 213,
    lines: ['Modify=20240229123456; /stamp.txt'],
  });
  assert.equal(statSync(join(c.home, 'stamp.txt')).mtime.toISOString(), '2024-02-29T12:34:56.000Z');
  assert.deepEqual(await c.cmd('MDTM stamp.txt'), { code: 213, lines: ['20240229123456'] });
  for (const [cmd, code] of [
    ['MFMT 20230229123456 stamp.txt', 501], // no 29 February in 2023
    ['MFMT 20241301000000 stamp.txt', 501],
    ['MFMT yesterday stamp.txt', 501],
    ['MFMT 20240229123456', 501],
    ['MFMT 20240229123456 missing.txt', 550],
    ['MFMT 20240229123456 docs', 550],
    ['MFMT 20240229123456 ../../etc/passwd', 550],
  ] as const) {
    assert.equal((await c.cmd(cmd)).code, code, cmd);
  }
  assert.equal((await c.cmd('SITE CHMOD 640 stamp.txt')).code, 200);
  assert.equal(statSync(join(c.home, 'stamp.txt')).mode & 0o7777, 0o640);
  assert.equal((await c.cmd('SITE chmod 4755 stamp.txt')).code, 550, 'no setuid');
  assert.equal(statSync(join(c.home, 'stamp.txt')).mode & 0o7777, 0o640);
  assert.equal((await c.cmd('SITE CHMOD 755 docs')).code, 200, 'directories too');
  assert.equal((await c.cmd('SITE CHMOD 644 /../../tmp')).code, 550);
  c.close();
});

test('REST applies to the next transfer only; bad offsets are 501', async () => {
  const c = await MemoryFtp.open();
  writeFileSync(join(c.home, 'digits.txt'), '0123456789');
  await c.login();
  await c.cmd('TYPE I');
  assert.equal((await c.cmd('REST -1')).code, 501);
  assert.equal((await c.cmd('REST 99999999999999999999')).code, 501);
  assert.equal((await c.cmd('REST 4')).code, 350);
  const data = await c.passiveData();
  assert.equal((await c.cmd('RETR digits.txt')).code, 150);
  assert.equal(await data.read(), '456789');
  assert.equal((await c.reply()).code, 226);
  const again = await c.passiveData();
  assert.equal((await c.cmd('RETR digits.txt')).code, 150);
  assert.equal(await again.read(), '0123456789', 'REST was consumed');
  assert.equal((await c.reply()).code, 226);
  assert.equal((await c.cmd('REST 11')).code, 350);
  await c.passiveData();
  assert.equal((await c.cmd('RETR digits.txt')).code, 554, 'offset beyond the end');
  c.close();
});

test('STOU picks a unique name; APPE appends; STOR with REST overwrites from the offset', async () => {
  const c = await MemoryFtp.open();
  writeFileSync(join(c.home, 'base.txt'), 'AAAAAAAAAA');
  await c.login();
  await c.cmd('TYPE I');
  let data = await c.passiveData();
  const stou = await c.cmd('STOU base.txt');
  assert.equal(stou.code, 150);
  assert.equal(stou.lines[0], 'FILE: base.txt.1');
  await data.end('new');
  assert.equal((await c.reply()).code, 226);
  assert.equal(readFileSync(join(c.home, 'base.txt.1'), 'utf8'), 'new');
  data = await c.passiveData();
  assert.equal((await c.cmd('APPE base.txt')).code, 150);
  await data.end('BB');
  assert.equal((await c.reply()).code, 226);
  assert.equal(readFileSync(join(c.home, 'base.txt'), 'utf8'), 'AAAAAAAAAABB');
  assert.equal((await c.cmd('REST 3')).code, 350);
  data = await c.passiveData();
  assert.equal((await c.cmd('STOR base.txt')).code, 150);
  await data.end('xyz');
  assert.equal((await c.reply()).code, 226);
  assert.equal(readFileSync(join(c.home, 'base.txt'), 'utf8'), 'AAAxyz');
  c.close();
});

test('listings: LIST (ls -l), LIST -la, NLST, MLSD with a cdir entry, STAT <path> on the control connection', async () => {
  const c = await MemoryFtp.open();
  await c.login();
  let data = await c.passiveData();
  assert.equal((await c.cmd('LIST -la')).code, 150);
  const list = await data.read();
  assert.equal((await c.reply()).code, 226);
  assert.match(list, /^drwx.* docs\r$/m);
  assert.match(list, /^-rw.* 12 \w{3} [ \d]\d \d\d:\d\d notes\.txt\r$/m);
  data = await c.passiveData();
  await c.cmd('NLST');
  const names = (await data.read()).split('\r\n');
  assert.equal((await c.reply()).code, 226);
  assert.ok(names.includes('docs') && names.includes('notes.txt'));
  data = await c.passiveData();
  await c.cmd('MLSD');
  const mlsd = await data.read();
  assert.equal((await c.reply()).code, 226);
  assert.match(mlsd, /^type=cdir;.* \.\r$/m);
  assert.match(mlsd, /^type=dir;modify=\d{14};perm=cdeflmp;unique=\w+; docs\r$/m);
  await c.passiveData();
  assert.equal((await c.cmd('MLSD notes.txt')).code, 501);
  const stat = await c.cmd('STAT docs/..');
  assert.equal(stat.code, 213);
  assert.ok(stat.lines.some((l) => l.endsWith(' notes.txt')));
  const status = await c.cmd('STAT');
  assert.equal(status.code, 211);
  assert.ok(status.lines.includes('Logged in as alice@example.test'));
  c.close();
});

test('hostile input: overlong line 500 and the session lives; NUL in a path; an HTTP request', async () => {
  const c = await MemoryFtp.open();
  c.send(`NOOP ${'x'.repeat(5000)}\r\n`);
  assert.equal((await c.reply()).code, 500);
  assert.equal((await c.cmd('NOOP')).code, 200);
  await c.login();
  c.send(Buffer.from('CWD a\0b\r\n'));
  assert.equal((await c.reply()).code, 500);
  assert.equal((await c.cmd(`CWD ${'d/'.repeat(600)}`)).code, 553);
  assert.equal((await c.cmd('GET / HTTP/1.1')).code, 500);
  assert.equal((await c.cmd('PORT 1,2,3')).code, 501);
  assert.equal((await c.cmd('PORT 127,0,0,1,999,1')).code, 501);
  assert.equal((await c.cmd('EPRT |9|1.2.3.4|5000|')).code, 522);
  assert.equal((await c.cmd('EPSV 9')).code, 522);
  assert.equal((await c.cmd('RETR')).code, 501);
  assert.equal((await c.cmd('RETR nothing-here')).code, 550);
  assert.equal((await c.cmd('RETR docs')).code, 550);
  assert.equal((await c.cmd('NOOP')).code, 200);
  c.close();
});

test('transfer commands without PORT/PASV get 425; EPSV ALL blocks PORT and PASV', async () => {
  const c = await MemoryFtp.open();
  writeFileSync(join(c.home, 'x.txt'), 'x');
  await c.login();
  assert.equal((await c.cmd('RETR x.txt')).code, 425);
  assert.equal((await c.cmd('EPSV ALL')).code, 200);
  assert.equal((await c.cmd('PASV')).code, 503);
  assert.equal((await c.cmd('PORT 127,0,0,1,200,1')).code, 503);
  assert.equal((await c.cmd('EPSV')).code, 229);
  c.close();
});
