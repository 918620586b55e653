// One reload pattern for the line-protocol services: a suite reload (what SIGHUP runs) gives
// POP3's and FTP's new sessions the new `[pop3]`/`[ftp]` settings, while a session that was open
// before keeps the ones it started with. (SMTP's reload has its own test in test/mail/smtp/.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutpostConfig } from '../../src/core/config/schema.js';
import { startTestOutpost } from '../../src/testing/index.js';
import { RawClient } from '../helpers/line-client.js';

/** One line reply (POP3 status lines, single-line FTP replies). */
async function talk(c: RawClient, line: string): Promise<string> {
  c.send(`${line}\r\n`);
  return (await c.line()) ?? '(closed)';
}

function requiringTls(config: OutpostConfig): OutpostConfig {
  const { pop3, ftp } = config;
  assert.ok(pop3 && ftp);
  return { ...config, pop3: { ...pop3, require_tls: true }, ftp: { ...ftp, require_tls: true } };
}

test('reload: POP3 and FTP sessions keep the login policy they began with; new ones get the new', async () => {
  await using outpost = await startTestOutpost({
    users: [{ address: 'bob@example.test', password: 'secret-bob' }],
    pop3: true,
    ftp: true,
  });
  const pop3Port = outpost.pop3?.port ?? 0;
  const ftpPort = outpost.ftp?.port ?? 0;
  const pop3Before = await RawClient.connect(pop3Port);
  assert.match((await pop3Before.line()) ?? '', /^\+OK /);
  const ftpBefore = await RawClient.connect(ftpPort);
  assert.match((await ftpBefore.line()) ?? '', /^220 /);

  await outpost.suite.reload(requiringTls(outpost.suite.context.config));

  const pop3After = await RawClient.connect(pop3Port);
  assert.match((await pop3After.line()) ?? '', /^\+OK /);
  assert.match(await talk(pop3After, 'USER bob@example.test'), /^-ERR /);
  assert.match(await talk(pop3Before, 'USER bob@example.test'), /^\+OK /);
  assert.match(await talk(pop3Before, 'PASS secret-bob'), /^\+OK /);

  const ftpAfter = await RawClient.connect(ftpPort);
  assert.match((await ftpAfter.line()) ?? '', /^220 /);
  assert.match(await talk(ftpAfter, 'USER bob@example.test'), /^530 TLS required/);
  assert.match(await talk(ftpBefore, 'USER bob@example.test'), /^331 /);
  assert.match(await talk(ftpBefore, 'PASS secret-bob'), /^230 /);

  for (const c of [pop3Before, pop3After, ftpBefore, ftpAfter]) c.end();
});
