// FTP security: bounce attacks (PORT/EPRT to another IP or a privileged port, RFC 2577), passive
// connections from a foreign IP dropped, confinement against `..` and symlinks, TLS policy
// (require_tls, plaintext refused from non-loopback, plaintext pipelined across AUTH TLS
// discarded), per-user permissions, read-only anonymous, throttled logins, connection limits.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { parseEpsvReply } from '../../src/ftp/codec/index.js';
import { startFtpSession } from './session-harness.js';
import { RawFtp, readAll, startFtp, USER, type FtpFixture } from './helpers.js';
import { tempDir } from '../helpers/temp.js';

let f: FtpFixture;
let outside: string;
before(async () => {
  f = await startFtp();
  outside = tempDir('outpost-ftp-outside-');
  writeFileSync(join(outside, 'secret.txt'), 'top secret');
  mkdirSync(join(outside, 'dir'));
  writeFileSync(join(f.home, 'inside.txt'), 'fine');
  symlinkSync(outside, join(f.home, 'escape'));
  symlinkSync(join(outside, 'secret.txt'), join(f.home, 'secret-link.txt'));
  symlinkSync(join(f.home, 'inside.txt'), join(f.home, 'inside-link.txt'));
});
after(async () => {
  await f.close();
});

test('bounce: PORT/EPRT to another IP or a privileged port are refused', async () => {
  const c = await RawFtp.open(f.port);
  await c.login();
  assert.equal((await c.cmd('PORT 127,0,0,2,100,1')).code, 504);
  assert.equal((await c.cmd('PORT 10,0,0,1,100,1')).code, 504);
  assert.equal((await c.cmd('PORT 127,0,0,1,0,21')).code, 504);
  assert.equal((await c.cmd('EPRT |1|192.0.2.1|5000|')).code, 504);
  assert.equal((await c.cmd('EPRT |1|127.0.0.1|1023|')).code, 504);
  assert.equal((await c.cmd('EPRT |2|::1|5000|')).code, 504, 'a different address family is another host');
  assert.equal((await c.cmd('PORT 127,0,0,1,100,1')).code, 200);
  c.close();
});

test('a passive data connection from a foreign IP is dropped; the real client still gets its data', async () => {
  const c = await RawFtp.open(f.port);
  await c.login();
  const r = await c.cmd('EPSV');
  const port = parseEpsvReply(r.lines[0] ?? '') ?? 0;
  const thief = netConnect({ port, host: '127.0.0.1', localAddress: '127.0.0.2' });
  thief.on('error', () => undefined);
  await once(thief, 'connect');
  const stolen = readAll(thief);
  const honest = netConnect({ port, host: '127.0.0.1' });
  await once(honest, 'connect');
  assert.equal((await c.cmd('RETR inside.txt')).code, 150);
  assert.equal((await readAll(honest)).toString(), 'fine');
  assert.equal((await c.reply()).code, 226);
  assert.equal((await stolen).length, 0, 'the foreign connection got nothing');
  c.close();
});

test('confinement: .. stops at the home, symlinks leading out are refused everywhere', async () => {
  const c = await RawFtp.open(f.port);
  await c.login();
  assert.equal((await c.cmd('CWD ../../../..')).code, 250);
  assert.equal((await c.cmd('PWD')).lines[0], '"/" is the current directory');
  assert.equal((await c.cmd('SIZE ../../../../etc/passwd')).code, 550);
  assert.equal((await c.cmd('CWD escape')).code, 550);
  assert.equal((await c.cmd('SIZE escape/secret.txt')).code, 550);
  assert.equal((await c.cmd('SIZE secret-link.txt')).code, 550);
  assert.equal((await c.cmd('TYPE I')).code, 200);
  assert.deepEqual(
    await c.cmd('SIZE inside-link.txt'),
    { code: 213, lines: ['4'] },
    'links inside the home work',
  );
  assert.equal((await c.cmd('MKD escape/new')).code, 550);
  assert.equal((await c.cmd('RNFR inside.txt')).code, 350);
  assert.equal((await c.cmd('RNTO escape/stolen.txt')).code, 550);
  assert.equal((await c.cmd('DELE secret-link.txt')).code, 550);
  assert.equal((await c.cmd('MLST escape')).code, 550);
  assert.equal((await c.cmd('STAT escape')).code, 550);
  await c.passiveData();
  assert.equal((await c.cmd('RETR secret-link.txt')).code, 550);
  await c.passiveData();
  assert.equal((await c.cmd('STOR escape/dropped.txt')).code, 550);
  await c.passiveData();
  assert.equal((await c.cmd('STOR secret-link.txt')).code, 550, 'no overwriting through a link out');
  const data = await c.passiveData();
  assert.equal((await c.cmd('LIST')).code, 150);
  const list = (await readAll(data)).toString();
  assert.equal((await c.reply()).code, 226);
  assert.doesNotMatch(list, /escape|secret-link/);
  assert.match(list, /inside-link\.txt/);
  assert.equal(readFileSync(join(outside, 'secret.txt'), 'utf8'), 'top secret');
  assert.equal(existsSync(join(outside, 'dropped.txt')), false);
  assert.equal(existsSync(join(outside, 'new')), false);
  c.close();
});

test('require_tls: USER refused until AUTH TLS; plaintext pipelined after AUTH TLS is discarded', async () => {
  const g = await startFtp({ require_tls: true });
  try {
    const c = await RawFtp.open(g.port);
    assert.equal((await c.cmd(`USER ${USER}`)).code, 530);
    assert.equal((await c.cmd('USER anonymous')).code, 530);
    assert.equal((await c.cmd('PBSZ 0')).code, 503);
    c.raw.send('AUTH TLS\r\nUSER injected\r\n');
    assert.equal((await c.reply()).code, 234);
    await c.raw.startTls(g.ca);
    assert.equal((await c.cmd('PWD')).code, 530, 'the pipelined USER was dropped, not executed');
    assert.equal((await c.cmd('PROT P')).code, 503, 'PROT needs PBSZ first');
    assert.equal((await c.cmd('PBSZ 0')).code, 200);
    assert.equal((await c.cmd('PROT S')).code, 536);
    assert.equal((await c.cmd('PROT P')).code, 200);
    assert.equal((await c.cmd('AUTH TLS')).code, 503);
    await c.login();
    assert.equal((await c.cmd('PWD')).code, 257);
    c.close();
  } finally {
    await g.close();
  }
});

test('plaintext logins from a non-loopback client are refused before the password is sent', async () => {
  const { client } = startFtpSession({ remoteAddress: '203.0.113.9' });
  await client.play(`
    S: 220 *
    C: USER alice@example.test
    S: /^530 .*AUTH TLS/
    # no TLS configured in this session
    C: AUTH TLS
    S: 431 TLS not available
  `);
});

test('allow_plaintext_login lets a non-loopback client send USER without TLS; require_tls still wins', async () => {
  const open = startFtpSession({ remoteAddress: '203.0.113.9', loginPolicy: { allowPlaintextLogin: true } });
  await open.client.play(`
    S: 220 *
    C: USER alice@example.test
    S: 331 Password required
  `);
  const strict = startFtpSession({
    remoteAddress: '203.0.113.9',
    loginPolicy: { allowPlaintextLogin: true, requireTls: true },
  });
  await strict.client.play(`
    S: 220 *
    C: USER alice@example.test
    S: 530 TLS required: use AUTH TLS before logging in
  `);
});

test('allow_plaintext_on_loopback = false: loopback USER refused until AUTH TLS, anonymous unaffected', async () => {
  const g = await startFtp({ allow_plaintext_on_loopback: false });
  try {
    const c = await RawFtp.open(g.port);
    const refused = await c.cmd(`USER ${USER}`);
    assert.equal(refused.code, 530);
    assert.match(refused.lines[0] ?? '', /AUTH TLS/);
    assert.equal((await c.cmd('USER anonymous')).code, 331, 'only require_tls gates anonymous');
    c.close();
    const secure = await RawFtp.open(g.port);
    assert.equal((await secure.cmd('AUTH TLS')).code, 234);
    await secure.raw.startTls(g.ca);
    await secure.login();
    assert.equal((await secure.cmd('PWD')).code, 257);
    secure.close();
  } finally {
    await g.close();
  }
});

test('permissions: a read-only user can list and download but not write, rename or delete', async () => {
  const g = await startFtp({ permissions: [{ user: USER, write: false, delete: false }] });
  try {
    writeFileSync(join(g.home, 'keep.txt'), 'keep');
    const c = await RawFtp.open(g.port);
    await c.login();
    let data = await c.passiveData();
    assert.equal((await c.cmd('RETR keep.txt')).code, 150);
    assert.equal((await readAll(data)).toString(), 'keep');
    assert.equal((await c.reply()).code, 226);
    data = await c.passiveData();
    assert.equal((await c.cmd('STOR new.txt')).code, 550);
    data.destroy();
    assert.equal((await c.cmd('DELE keep.txt')).code, 550);
    assert.equal((await c.cmd('MKD d')).code, 550);
    assert.equal((await c.cmd('RNFR keep.txt')).code, 550);
    assert.match((await c.cmd('MLST keep.txt')).lines[1] ?? '', /perm=r;/);
    c.close();
    const bob = await RawFtp.open(g.port);
    await bob.login('bob@example.test', 'builder-42');
    assert.equal((await bob.cmd('MKD mine')).code, 257, 'users not listed keep full rights');
    bob.close();
  } finally {
    await g.close();
  }
});

test('anonymous: only with anonymous_root, read-only', async () => {
  const pub = tempDir('outpost-ftp-pub-');
  writeFileSync(join(pub, 'readme.txt'), 'public');
  const g = await startFtp({ anonymous_root: pub });
  try {
    const c = await RawFtp.open(g.port);
    await c.login('anonymous', 'guest@example.org');
    const data = await c.passiveData();
    assert.equal((await c.cmd('RETR readme.txt')).code, 150);
    assert.equal((await readAll(data)).toString(), 'public');
    assert.equal((await c.reply()).code, 226);
    assert.equal((await c.cmd('STOR x')).code, 550);
    assert.equal((await c.cmd('MKD x')).code, 550);
    assert.equal((await c.cmd('DELE readme.txt')).code, 550);
    assert.equal((await c.cmd('MFMT 20200101000000 readme.txt')).code, 550);
    assert.equal((await c.cmd('SITE CHMOD 777 readme.txt')).code, 550);
    c.close();
  } finally {
    await g.close();
  }
  const d = await RawFtp.open(f.port);
  assert.equal((await d.cmd('USER anonymous')).code, 331);
  assert.equal((await d.cmd('PASS guest@example.org')).code, 530, 'no anonymous_root: no anonymous login');
  d.close();
});

test('failed logins are throttled: after repeated failures the session is closed with 421', async () => {
  const c = await RawFtp.open(f.port);
  let last = 0;
  for (let i = 0; i < 8 && last !== 421; i++) {
    assert.equal((await c.cmd('USER bob@example.test')).code, 331);
    last = (await c.cmd('PASS wrong')).code;
  }
  assert.equal(last, 421);
  assert.equal(await c.raw.closed(), true);
  const again = await RawFtp.open(f.port);
  await again.cmd('USER bob@example.test');
  assert.equal((await again.cmd('PASS builder-42')).code, 421, 'even the right password waits out the lock');
  again.close();
});

test('a data connection that never arrives gives 425 after data_timeout_seconds', async () => {
  const g = await startFtp({ data_timeout_seconds: 1 });
  try {
    writeFileSync(join(g.home, 'a.txt'), 'a');
    const c = await RawFtp.open(g.port);
    await c.login();
    assert.equal((await c.cmd('PASV')).code, 227);
    assert.equal((await c.cmd('RETR a.txt')).code, 425);
    assert.equal((await c.cmd('NOOP')).code, 200);
    c.close();
  } finally {
    await g.close();
  }
});

test('an upload that stalls mid-way gets 426 after data_timeout_seconds; what arrived is kept', async () => {
  const g = await startFtp({ data_timeout_seconds: 1 });
  try {
    const c = await RawFtp.open(g.port);
    await c.login();
    await c.cmd('TYPE I');
    const data = await c.passiveData();
    assert.equal((await c.cmd('STOR stalled.bin')).code, 150);
    data.write(Buffer.alloc(3 * 1024 * 1024 + 5, 7)); // three full read buffers and a bit
    assert.equal((await c.reply(5000)).code, 426, 'the idle data connection is closed');
    assert.equal((await c.cmd('NOOP')).code, 200);
    assert.equal(statSync(join(g.home, 'stalled.bin')).size, 3 * 1024 * 1024 + 5, 'every octet that arrived');
    data.destroy();
    c.close();
  } finally {
    await g.close();
  }
});

test('connections beyond max_connections_per_ip get 421', async () => {
  const g = await startFtp({ max_connections_per_ip: 3 });
  try {
    const open = [await RawFtp.open(g.port), await RawFtp.open(g.port), await RawFtp.open(g.port)];
    const extra = await import('../helpers/line-client.js').then((m) => m.RawClient.connect(g.port));
    assert.match((await extra.line()) ?? '', /^421 /);
    for (const c of open) c.close();
  } finally {
    await g.close();
  }
});
