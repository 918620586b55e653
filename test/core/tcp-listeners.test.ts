// The listener steps POP3, IMAP and FTP services share: every `listen` and `tls_listen` address
// is bound in order, a failure closes what was bound and rethrows, and the bound listeners become
// the start-up table's endpoints (implicit TLS, STARTTLS when offered, or none).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import { TcpService } from '../../src/core/server/tcp-service.js';
import { generateSelfSigned } from '../../src/core/tls.js';
import { bindListeners, tcpEndpoints } from '../../src/core/service/tcp-listeners.js';

let certificate: SecureContext | undefined;

/** A TcpService whose sessions do nothing, with a certificate for implicit TLS. */
async function idleService(): Promise<TcpService> {
  certificate ??= createSecureContext(await generateSelfSigned(['localhost']));
  const context = certificate;
  return new TcpService({ protocol: 'test', handle: () => Promise.resolve(), tlsContext: () => context });
}

test('bindListeners binds listen then tls_listen; tcpEndpoints describes them', async () => {
  const service = await idleService();
  try {
    await bindListeners(
      service,
      { listen: [{ host: '127.0.0.1', port: 0 }], tls_listen: [{ host: '127.0.0.1', port: 0 }] },
      () => service.close(),
    );
    const listeners = service.listeners();
    assert.deepEqual(
      listeners.map((l) => l.tls),
      [false, true],
    );
    const [plain, implicit] = tcpEndpoints('imap', listeners, true, (l) => (l.tls ? 'TLS' : 'plain'));
    assert.deepEqual(plain, {
      service: 'imap',
      transport: 'tcp',
      host: '127.0.0.1',
      port: listeners[0]?.address.port,
      tls: 'starttls',
      note: 'plain',
    });
    assert.equal(implicit?.tls, 'implicit');
    assert.equal(tcpEndpoints('imap', listeners, false)[0]?.tls, 'none');
    assert.equal('note' in (tcpEndpoints('imap', listeners, false)[0] ?? {}), false);
  } finally {
    await service.close();
  }
});

test('bindListeners: an address in use closes what was bound and rethrows', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const address = taken.address();
  assert.ok(address !== null && typeof address === 'object');
  const service = await idleService();
  let closed = 0;
  try {
    await assert.rejects(
      bindListeners(
        service,
        { listen: [{ host: '127.0.0.1', port: 0 }], tls_listen: [{ host: '127.0.0.1', port: address.port }] },
        async () => {
          closed++;
          await service.close();
        },
      ),
      /EADDRINUSE/,
    );
    assert.equal(closed, 1);
    // The plain listener bound before the failure accepts no more connections.
    const port = service.listeners()[0]?.address.port;
    assert.ok(port !== undefined && port !== address.port);
    await assert.rejects(
      new Promise((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.destroy();
          resolve(undefined);
        });
        socket.on('error', reject);
      }),
      /ECONNREFUSED/,
    );
  } finally {
    await service.close();
    await new Promise<void>((resolve) =>
      taken.close(() => {
        resolve();
      }),
    );
  }
});
