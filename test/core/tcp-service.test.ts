// TcpService tells each session which listener accepted it (address, implicit TLS, role) and
// which settings were current then: reconfigure() reaches new sessions only, including the line
// layer's options derived from the settings (a reloadable idle timeout).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSecureContext } from 'node:tls';
import { TcpService } from '../../src/core/server/tcp-service.js';
import { generateSelfSigned } from '../../src/core/tls.js';
import { RawClient } from '../helpers/line-client.js';

interface Settings {
  readonly word: string;
  readonly idleTimeoutMs: number;
}

/** A toy protocol: greets with the listener and settings it was given, then echoes them per line. */
function toyService(settings: Settings, tls?: ReturnType<typeof createSecureContext>): TcpService<Settings> {
  return new TcpService<Settings>({
    protocol: 'toy',
    settings,
    connection: (s) => ({ idleTimeoutMs: s.idleTimeoutMs }),
    ...(tls ? { tlsContext: () => tls } : {}),
    handle: async (conn, listener, s) => {
      const describe = `${s.word} role=${listener.role ?? '-'} tls=${String(listener.tls)} port=${String(listener.address.port)}`;
      conn.writeLine(`hello ${describe}`);
      for (;;) {
        const read = await conn.readLine({ command: true });
        if (read.kind === 'timeout') {
          conn.writeLine('idle');
          return;
        }
        if (read.kind !== 'line') return;
        conn.writeLine(`still ${s.word}`);
      }
    },
  });
}

test('each session gets the descriptor of the listener that accepted it', async () => {
  const context = createSecureContext(await generateSelfSigned(['localhost']));
  await using service = toyService({ word: 'w', idleTimeoutMs: 60_000 }, context);
  const plain = await service.listen({ port: 0, role: 'front' });
  const secure = await service.listen({ port: 0, tls: true, role: 'back' });
  assert.deepEqual(
    service.listeners().map((l) => [l.address.port, l.tls, l.role]),
    [
      [plain.port, false, 'front'],
      [secure.port, true, 'back'],
    ],
  );
  const a = await RawClient.connect(plain.port);
  assert.equal(await a.line(), `hello w role=front tls=false port=${String(plain.port)}`);
  const b = await RawClient.connectTlsWithoutSni(secure.port);
  assert.equal(await b.line(), `hello w role=back tls=true port=${String(secure.port)}`);
  a.end();
  b.end();
});

test('reconfigure: a running session keeps its settings, a new one gets the new settings', async () => {
  await using service = toyService({ word: 'old', idleTimeoutMs: 60_000 });
  const { port } = await service.listen({ port: 0 });
  const before = await RawClient.connect(port);
  assert.match((await before.line()) ?? '', /^hello old /);

  service.reconfigure({ word: 'new', idleTimeoutMs: 200 });
  assert.equal(service.settings.word, 'new');
  const after = await RawClient.connect(port);
  assert.match((await after.line()) ?? '', /^hello new /);

  before.send('ping\r\n');
  assert.equal(await before.line(), 'still old');
  after.send('ping\r\n');
  assert.equal(await after.line(), 'still new');
  // The connection options came from the settings at accept: only the new session has the
  // short idle timeout, and the old one still answers after it would have expired.
  assert.equal(await after.line(), 'idle');
  before.send('ping\r\n');
  assert.equal(await before.line(), 'still old');
  before.end();
  after.end();
});
