// The FTP server learns from the listener that accepted a connection whether it is implicit TLS
// (no guessing from port numbers), and a reload (`reconfigure`) reaches new sessions only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSecureContext } from 'node:tls';
import { generateSelfSigned } from '../../src/core/tls.js';
import { createFtpServer } from '../../src/ftp/server/ftp-server.js';
import { RawClient } from '../helpers/line-client.js';
import { tempDir } from '../helpers/temp.js';

/** Reads one FTP reply (multi-line replies too) and returns its lines. */
async function reply(c: RawClient): Promise<string[]> {
  const lines: string[] = [];
  for (;;) {
    const line = await c.line();
    assert.ok(line !== null, 'the server hung up');
    lines.push(line);
    const first = lines[0] ?? '';
    if (lines.length === 1 ? /^\d{3} /.test(line) : line.startsWith(`${first.slice(0, 3)} `)) return lines;
  }
}

async function command(c: RawClient, line: string): Promise<string> {
  c.send(`${line}\r\n`);
  return (await reply(c)).join('\n');
}

test('implicit TLS comes from the accepting listener: same port number, one implicit, one plain', async () => {
  const context = createSecureContext(await generateSelfSigned(['localhost']));
  await using server = createFtpServer({
    authenticate: () => Promise.resolve({ ok: false, reason: 'invalid' }),
    anonymousRoot: tempDir('ftp-listener-'),
    tlsContext: () => context,
  });
  // The plain listener takes a free port on 127.0.0.1; the implicit one the same number on
  // 127.0.0.2, so the port alone cannot tell the two apart.
  const plain = await server.listen({ host: '127.0.0.1', port: 0 });
  const implicit = await server.listen({ host: '127.0.0.2', port: plain.port, tls: true });
  assert.equal(implicit.port, plain.port);
  assert.deepEqual(
    server.listeners().map((l) => [l.address.address, l.tls]),
    [
      ['127.0.0.1', false],
      ['127.0.0.2', true],
    ],
  );

  const overTls = await RawClient.connectTlsWithoutSni(implicit.port, '127.0.0.2');
  assert.match((await reply(overTls)).join('\n'), /^220 /);
  // RFC 4217 §12 (implicit FTPS): data connections are private from the start.
  assert.match(await command(overTls, 'STAT'), /protected by TLS; data connections private/);
  overTls.end();

  const clear = await RawClient.connect(plain.port, '127.0.0.1');
  assert.match((await reply(clear)).join('\n'), /^220 /);
  assert.match(await command(clear, 'STAT'), /plain text; data connections clear/);
  clear.end();
});

test('reconfigure: an open session keeps the login policy it began with, a new one gets the new', async () => {
  await using server = createFtpServer({
    authenticate: () => Promise.resolve({ ok: false, reason: 'invalid' }),
    anonymousRoot: tempDir('ftp-reload-'),
    loginPolicy: { requireTls: false },
  });
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  const before = await RawClient.connect(port);
  assert.match((await reply(before)).join('\n'), /^220 /);

  server.reconfigure({ loginPolicy: { requireTls: true } });
  const after = await RawClient.connect(port);
  assert.match((await reply(after)).join('\n'), /^220 /);

  assert.match(await command(after, 'USER anonymous'), /^530 TLS required/);
  assert.match(await command(before, 'USER anonymous'), /^331 /);
  assert.match(await command(before, 'PASS guest@example.test'), /^230 /);
  before.end();
  after.end();
});
