// FTP sessions through the real server and suite on 127.0.0.1:0, for what only they provide: the
// suite's login names (a bare local part) and transcript redaction, HOST resolved by the FTP
// service, and the control connection's idle timeout.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { RawFtp, startFtp, type FtpFixture } from './helpers.js';
import { recordTranscript } from '../../src/testing/index.js';

let f: FtpFixture;
before(async () => {
  f = await startFtp();
});
after(async () => {
  await f.close();
});

test('bare local part logs in when the suite has one domain; password never in the transcript', async () => {
  const rec = recordTranscript((e) => e.protocol === 'ftp');
  const c = await RawFtp.open(f.port);
  await c.login('alice', 'wonderland-42');
  assert.equal((await c.cmd('PWD')).lines[0], '"/" is the current directory');
  c.close();
  rec.stop();
  const text = rec.entries.map((e) => e.text).join('\n');
  assert.match(text, /PASS \*\*\*\*/);
  assert.doesNotMatch(text, /wonderland/);
});

test('REIN logs out but keeps the connection; HOST only before login (RFC 7151)', async () => {
  const c = await RawFtp.open(f.port);
  assert.equal((await c.cmd('HOST ftp.example.test')).code, 220);
  await c.login();
  assert.equal((await c.cmd('HOST other')).code, 503);
  assert.equal((await c.cmd('REIN')).code, 220);
  assert.equal((await c.cmd('PWD')).code, 530);
  await c.login();
  assert.equal((await c.cmd('PWD')).code, 257);
  c.close();
});

test('idle control connections get 421 and are closed', async () => {
  const g = await startFtp({ idle_timeout_seconds: 1 });
  try {
    const c = await RawFtp.open(g.port);
    const r = await c.reply(5000);
    assert.equal(r.code, 421);
    assert.equal(await c.raw.closed(), true);
  } finally {
    await g.close();
  }
});
