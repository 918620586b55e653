// The bulk reader behind plain-TCP uploads: bytes arrive in order through a slow sink with the
// socket paused while every buffer waits, a failing sink or a reset peer rejects (never hangs),
// and sockets it cannot adopt (TLS, already read from) are left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { adoptForBulkReads } from '../../src/ftp/server/bulk-reader.js';

/** A connected pair: the server side accepted paused (as the passive listener does). */
async function pair(): Promise<{ accepted: Socket; client: Socket; close: () => void }> {
  const server = createServer({ pauseOnConnect: true });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const client = connect(port, '127.0.0.1');
  client.on('error', () => undefined);
  const [accepted] = (await once(server, 'connection')) as [Socket];
  server.close();
  return {
    accepted,
    client,
    close: () => {
      client.destroy();
      accepted.destroy();
    },
  };
}

test('a slow sink gets every byte, in order and one buffer at a time', async () => {
  const { accepted, client, close } = await pair();
  const reader = adoptForBulkReads(accepted, 64 * 1024, 2);
  assert.ok(reader, 'a fresh plain socket is adopted');
  assert.ok(accepted.destroyed, 'the original socket object is left as an empty shell');
  const body = randomBytes(2 * 1024 * 1024 + 5);
  client.end(body);
  const received: Buffer[] = [];
  let outstanding = 0;
  let most = 0;
  await reader.receive(async (chunk) => {
    outstanding++;
    most = Math.max(most, outstanding);
    received.push(Buffer.from(chunk));
    await new Promise((r) => setTimeout(r, 2));
    outstanding--;
  });
  assert.ok(Buffer.concat(received).equals(body));
  assert.equal(most, 1, 'chunks are handed over one at a time');
  assert.ok(received.length >= 32, 'the data arrived in 64 KiB buffers');
  close();
});

test('a sink that throws rejects receive() and closes the data socket', async () => {
  const { accepted, client, close } = await pair();
  const reader = adoptForBulkReads(accepted, 64 * 1024);
  assert.ok(reader);
  client.write(randomBytes(512 * 1024));
  await assert.rejects(
    reader.receive(() => Promise.reject(new Error('disk full'))),
    /disk full/,
  );
  assert.ok(reader.socket.destroyed);
  close();
});

test('a peer reset before EOF rejects receive() instead of hanging', async () => {
  const { accepted, client, close } = await pair();
  const reader = adoptForBulkReads(accepted, 64 * 1024);
  assert.ok(reader);
  client.write(randomBytes(100 * 1024));
  setTimeout(() => client.resetAndDestroy(), 20);
  await assert.rejects(reader.receive(() => Promise.resolve()));
  close();
});

test('a socket destroyed before receive() rejects at once', async () => {
  const { accepted, close } = await pair();
  const reader = adoptForBulkReads(accepted, 64 * 1024);
  assert.ok(reader);
  reader.socket.destroy();
  await assert.rejects(
    reader.receive(() => Promise.resolve()),
    /before the upload started/,
  );
  close();
});

test('TLS sockets and sockets that already read are not adopted', async () => {
  const { accepted, close } = await pair();
  assert.equal(adoptForBulkReads(new TLSSocket(accepted, { isServer: true }), 1024), null);
  close();
  const second = await pair();
  second.client.write('early');
  second.accepted.resume();
  await once(second.accepted, 'data');
  assert.equal(adoptForBulkReads(second.accepted, 1024), null);
  assert.equal(second.accepted.destroyed, false, 'a refused socket is untouched');
  second.close();
});
