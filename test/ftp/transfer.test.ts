// FTP transfers on the wire: ABOR mid-transfer (426 then 226), STAT and NOOP while bytes flow,
// TYPE A conversion both ways, active mode through PORT and EPRT, binary integrity of a large
// file, and 100 concurrent sessions.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { RawFtp, readAll, startFtp, type FtpFixture } from './helpers.js';
import { FtpClient } from '../../src/ftp/index.js';

let f: FtpFixture;
const big = randomBytes(48 * 1024 * 1024);
before(async () => {
  f = await startFtp({ max_connections_per_ip: 200 });
  writeFileSync(join(f.home, 'big.bin'), big);
});
after(async () => {
  await f.close();
});

test('ABOR during a download: 426 for the transfer, then 226 for ABOR; the session goes on', async () => {
  const c = await RawFtp.open(f.port);
  await c.login();
  await c.cmd('TYPE I');
  const data = await c.passiveData();
  data.pause();
  assert.equal((await c.cmd('RETR big.bin')).code, 150);
  const noop = await c.cmd('NOOP');
  assert.equal(noop.code, 200, 'NOOP is answered while the transfer runs');
  const stat = await c.cmd('STAT');
  assert.equal(stat.code, 213);
  assert.match(stat.lines[0] ?? '', /^Status: \d+ bytes of RETR \/big\.bin transferred/);
  c.raw.send(Buffer.concat([Buffer.from([0xff, 0xf4, 0xff, 0xf2]), Buffer.from('ABOR\r\n')]));
  assert.equal((await c.reply()).code, 426);
  assert.equal((await c.reply()).code, 226);
  const received = await readAll(data.resume());
  assert.ok(received.length < big.length, 'the transfer really stopped early');
  assert.equal((await c.cmd('ABOR')).code, 225, 'nothing left to abort');
  assert.equal((await c.cmd('PWD')).code, 257);
  c.close();
});

test('ABOR during an upload keeps what arrived and answers 426 then 226', async () => {
  const c = await RawFtp.open(f.port);
  await c.login();
  await c.cmd('TYPE I');
  const data = await c.passiveData();
  assert.equal((await c.cmd('STOR partial.bin')).code, 150);
  data.write(Buffer.alloc(1000, 1));
  c.raw.send('ABOR\r\n');
  assert.equal((await c.reply()).code, 426);
  assert.equal((await c.reply()).code, 226);
  data.destroy();
  c.close();
});

test('a command other than ABOR/STAT/NOOP waits for the transfer to finish', async () => {
  const c = await RawFtp.open(f.port);
  await c.login();
  await c.cmd('TYPE I');
  const data = await c.passiveData();
  assert.equal((await c.cmd('RETR big.bin')).code, 150);
  c.raw.send('PWD\r\n');
  const body = await readAll(data);
  assert.equal((await c.reply()).code, 226, 'the transfer completes first');
  assert.equal((await c.reply()).code, 257);
  assert.equal(
    createHash('sha256').update(body).digest('hex'),
    createHash('sha256').update(big).digest('hex'),
  );
  c.close();
});

test('TYPE A: LF becomes CRLF on RETR, CRLF becomes LF on STOR', async () => {
  writeFileSync(join(f.home, 'unix.txt'), 'a\nb\r\nc\n');
  const c = await RawFtp.open(f.port);
  await c.login();
  await c.cmd('TYPE A');
  let data = await c.passiveData();
  assert.match((await c.cmd('RETR unix.txt')).lines[0] ?? '', /ASCII mode/);
  assert.equal((await readAll(data)).toString(), 'a\r\nb\r\nc\r\n');
  assert.equal((await c.reply()).code, 226);
  data = await c.passiveData();
  await c.cmd('STOR dos.txt');
  data.end('x\r\ny\r\nz\r');
  assert.equal((await c.reply()).code, 226);
  assert.equal(readFileSync(join(f.home, 'dos.txt'), 'utf8'), 'x\ny\nz\r');
  await c.cmd('TYPE I');
  data = await c.passiveData();
  await c.cmd('RETR unix.txt');
  assert.equal((await readAll(data)).toString(), 'a\nb\r\nc\n', 'TYPE I is untouched');
  assert.equal((await c.reply()).code, 226);
  c.close();
});

async function activeListener(): Promise<{ port: number; accepted: Promise<Socket> }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const accepted = once(server, 'connection').then(([s]) => {
    server.close();
    return s as Socket;
  });
  return { port, accepted };
}

test('active mode: PORT and EPRT to the client, downloads and uploads', async () => {
  writeFileSync(join(f.home, 'act.txt'), 'active data');
  const c = await RawFtp.open(f.port);
  await c.login();
  await c.cmd('TYPE I');
  let l = await activeListener();
  assert.equal((await c.cmd(`PORT 127,0,0,1,${l.port >> 8},${l.port & 255}`)).code, 200);
  assert.equal((await c.cmd('RETR act.txt')).code, 150);
  assert.equal((await readAll(await l.accepted)).toString(), 'active data');
  assert.equal((await c.reply()).code, 226);
  l = await activeListener();
  assert.equal((await c.cmd(`EPRT |1|127.0.0.1|${l.port}|`)).code, 200);
  assert.equal((await c.cmd('STOR act-up.txt')).code, 150);
  (await l.accepted).end('uploaded actively');
  assert.equal((await c.reply()).code, 226);
  assert.equal(readFileSync(join(f.home, 'act-up.txt'), 'utf8'), 'uploaded actively');
  l = await activeListener();
  assert.equal((await c.cmd(`PORT 127,0,0,1,${l.port >> 8},${l.port & 255}`)).code, 200);
  assert.equal((await c.cmd('RETR act.txt')).code, 150);
  (await l.accepted).destroy();
  assert.ok([226, 426].includes((await c.reply()).code), 'a reset data connection is reported, never hangs');
  c.close();
});

/** Sends `body` over a fresh EPSV data connection with `command`; returns the final reply code. */
async function upload(c: RawFtp, command: string, body: Buffer): Promise<number> {
  const data = await c.passiveData();
  assert.equal((await c.cmd(command)).code, 150);
  data.end(body);
  return (await c.reply()).code;
}

test('binary uploads land intact: a partial last buffer, APPE after STOR, REST then STOR', async () => {
  const c = await RawFtp.open(f.port);
  await c.login();
  await c.cmd('TYPE I');
  // 40 MiB + 123 octets: many full 1 MiB read buffers, a partial last one, and more than one
  // background writeback (every 32 MiB) before the fsync that precedes 226.
  const first = randomBytes(40 * 1024 * 1024 + 123);
  assert.equal(await upload(c, 'STOR up.bin', first), 226);
  assert.ok(readFileSync(join(f.home, 'up.bin')).equals(first));
  const tail = randomBytes(3 * 1024 * 1024 + 7);
  assert.equal(await upload(c, 'APPE up.bin', tail), 226);
  assert.ok(readFileSync(join(f.home, 'up.bin')).equals(Buffer.concat([first, tail])), 'appended in order');
  assert.equal((await c.cmd('REST 1000')).code, 350);
  const patch = randomBytes(2 * 1024 * 1024);
  assert.equal(await upload(c, 'STOR up.bin', patch), 226);
  const expected = Buffer.concat([first.subarray(0, 1000), patch]);
  assert.ok(
    readFileSync(join(f.home, 'up.bin')).equals(expected),
    'REST truncates at the offset, then writes',
  );
  c.close();
});

test('a data connection reset in the middle of an upload answers 426 and the session goes on', async () => {
  const c = await RawFtp.open(f.port);
  await c.login();
  await c.cmd('TYPE I');
  const data = await c.passiveData();
  assert.equal((await c.cmd('STOR reset.bin')).code, 150);
  data.write(randomBytes(3 * 1024 * 1024));
  await new Promise((r) => setTimeout(r, 50));
  data.resetAndDestroy();
  assert.equal((await c.reply()).code, 426);
  assert.equal((await c.cmd('PWD')).code, 257);
  assert.equal(await upload(c, 'STOR after-reset.bin', Buffer.from('still works')), 226);
  assert.equal(readFileSync(join(f.home, 'after-reset.bin'), 'utf8'), 'still works');
  c.close();
});

test('100 concurrent sessions log in, list and quit', async () => {
  const sessions = await Promise.all(Array.from({ length: 100 }, () => RawFtp.open(f.port)));
  await Promise.all(sessions.map((s) => s.login()));
  const listings = await Promise.all(
    sessions.map(async (s) => {
      const data = await s.passiveData();
      assert.equal((await s.cmd('NLST')).code, 150);
      const names = (await readAll(data)).toString();
      assert.equal((await s.reply()).code, 226);
      return names;
    }),
  );
  for (const names of listings) assert.match(names, /big\.bin/);
  const quits = await Promise.all(sessions.map((s) => s.cmd('QUIT')));
  assert.ok(quits.every((q) => q.code === 221));
});

test('IPv6: EPSV and EPRT on a [::1] control connection; PASV refused there (IPv4 only)', async () => {
  const g = await startFtp({ listen: ['[::1]:0'] });
  try {
    writeFileSync(join(g.home, 'six.txt'), 'over IPv6');
    const raw = await import('node:net').then((net) => net.connect({ port: g.port, host: '::1' }));
    await once(raw, 'connect');
    raw.destroy();
    const c = await FtpClient.connect({ host: '::1', port: g.port });
    await c.login('alice@example.test', 'wonderland-42');
    const local = join(g.home, '..', 'six-down.txt');
    await c.get('six.txt', local);
    assert.equal(readFileSync(local, 'utf8'), 'over IPv6');
    c.passive = false;
    await c.put(local, 'six-up.txt');
    assert.equal(readFileSync(join(g.home, 'six-up.txt'), 'utf8'), 'over IPv6');
    assert.equal((await c.send('PASV')).code, 425);
    await c.quit();
  } finally {
    await g.close();
  }
});
