// Tier-4 interop: curl's pop3:// (LIST, RETR, DELE via -X, SASL PLAIN and LOGIN), pop3s:// (implicit TLS)
// and pop3:// with --ssl-reqd (STLS) against the suite's POP3 server with the real store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runText as run } from '../helpers/run.js';
import { ALICE, startPop3Outpost, testMessage } from './helpers/pop3-outpost.js';
import { tempDir } from '../helpers/temp.js';

test('curl pop3:// lists and retrieves; pop3s:// and STLS work; -X DELE deletes at QUIT', async () => {
  await using pop = await startPop3Outpost();
  await pop.deliver(ALICE.address, testMessage(1));
  await pop.deliver(ALICE.address, testMessage(2));
  const dir = tempDir('pop3-curl-');
  try {
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, pop.ca);
    const user = ['--user', `${ALICE.address}:${ALICE.password}`];
    const curl = (...args: string[]) => run('curl', ['-sS', '--max-time', '10', ...user, ...args]);

    const list = await curl(`pop3://127.0.0.1:${String(pop.port)}/`);
    assert.equal(list.code, 0, list.stderr);
    const lines = list.stdout.trim().split(/\r?\n/);
    assert.equal(lines.length, 2);
    assert.match(lines[0] ?? '', /^1 \d+$/);

    const retr = await curl(`pop3://127.0.0.1:${String(pop.port)}/2`);
    assert.equal(retr.code, 0, retr.stderr);
    assert.match(retr.stdout, /^Subject: test message 2\r$/m);
    assert.match(retr.stdout, /^\.a line that starts with a dot\r$/m, 'curl undid the dot-stuffing');
    assert.equal(Buffer.byteLength(retr.stdout), Number(lines[1]?.split(' ')[1]), 'exactly the listed size');

    const secure = await curl('--cacert', ca, `pop3s://localhost:${String(pop.tlsPort)}/1`);
    assert.equal(secure.code, 0, secure.stderr);
    assert.match(secure.stdout, /^Subject: test message 1\r$/m);

    const stls = await curl('--ssl-reqd', '--cacert', ca, `pop3://localhost:${String(pop.port)}/1`);
    assert.equal(stls.code, 0, stls.stderr);
    assert.match(stls.stdout, /^Subject: test message 1\r$/m);

    const sasl = await curl('--login-options', 'AUTH=PLAIN', `pop3://127.0.0.1:${String(pop.port)}/1`);
    assert.equal(sasl.code, 0, sasl.stderr);
    assert.match(sasl.stdout, /^Subject: test message 1\r$/m);

    const login = await curl('-v', '--login-options', 'AUTH=LOGIN', `pop3://127.0.0.1:${String(pop.port)}/1`);
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stderr, /^> AUTH LOGIN\r?$/m, 'curl used SASL LOGIN');
    assert.match(login.stdout, /^Subject: test message 1\r$/m);

    const dele = await curl('-X', 'DELE', '-I', `pop3://127.0.0.1:${String(pop.port)}/1`);
    assert.equal(dele.code, 0, dele.stderr);
    const inbox = await pop.store.getMailbox(ALICE.address, 'INBOX');
    assert.ok(inbox);
    assert.equal((await pop.store.listMessages(inbox.id)).length, 1);

    const bad = await run('curl', [
      '-sS',
      '--user',
      `${ALICE.address}:wrong`,
      `pop3://127.0.0.1:${String(pop.port)}/`,
    ]);
    assert.equal(bad.code, 67, `login denied: ${bad.stderr}`);

    const badLogin = await run('curl', [
      '-sS',
      '--login-options',
      'AUTH=LOGIN',
      '--user',
      `${ALICE.address}:wrong`,
      `pop3://127.0.0.1:${String(pop.port)}/`,
    ]);
    assert.equal(badLogin.code, 67, `SASL LOGIN denied: ${badLogin.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
