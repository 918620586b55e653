// The line layer's DEFLATE layer (IMAP COMPRESS) over real sockets on 127.0.0.1: lines both ways
// through LineConnection.startCompression with a sync flush ending each burst, backpressure that
// holds a decompression bomb to a few buffers while nobody reads, corrupt input ending the
// connection, both zlib streams destroyed when the peer goes away, and release() handing the
// socket back with the last reply flushed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import { constants, createInflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib';
import { LineConnection } from '../../src/core/line/connection.js';
import { DeflateLayer } from '../../src/core/line/deflate-layer.js';
import { eventually } from '../helpers/eventually.js';

/** A connected socket pair: [server side, client side]. */
async function socketPair(): Promise<[Socket, Socket, () => void]> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = connect(address.port, '127.0.0.1');
  const [serverSide] = await accepted;
  await once(client, 'connect');
  return [serverSide, client, () => server.close()];
}

/** Everything `socket` receives, collected. */
function collect(socket: Socket): Buffer[] {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  return chunks;
}

test('startCompression: the reply in clear, then deflate both ways, each burst sync-flushed', async () => {
  const [s, c, stop] = await socketPair();
  try {
    const conn = new LineConnection(s, { protocol: 'test' });
    const got = collect(c);
    await conn.startCompression('a OK DEFLATE active');
    assert.equal(conn.compressed, true);
    await eventually(() => Buffer.concat(got).toString().includes('\r\n'));
    assert.equal(Buffer.concat(got).toString(), 'a OK DEFLATE active\r\n');
    got.length = 0;
    c.write(deflateRawSync(Buffer.from('b NOOP\r\nc NOOP\r\n'), { finishFlush: constants.Z_SYNC_FLUSH }));
    const first = await conn.readLine();
    assert.equal(first.kind === 'line' ? first.text : first.kind, 'b NOOP');
    const second = await conn.readLine();
    assert.equal(second.kind === 'line' ? second.text : second.kind, 'c NOOP');
    conn.writeLines(['b OK done', 'c OK done']);
    await eventually(() => {
      const wire = Buffer.concat(got);
      return wire.length >= 4 && wire.subarray(-4).equals(Buffer.from([0, 0, 0xff, 0xff]));
    });
    const wire = Buffer.concat(got);
    assert.ok(!wire.includes('OK done'));
    assert.equal(
      inflateRawSync(wire, { finishFlush: constants.Z_SYNC_FLUSH }).toString(),
      'b OK done\r\nc OK done\r\n',
    );
    conn.destroy();
  } finally {
    c.destroy();
    stop();
  }
});

test('a bomb while nobody reads: inflation stops at a few buffers, the socket is paused behind it', async () => {
  const [s, c, stop] = await socketPair();
  try {
    const conn = new LineConnection(s, { protocol: 'test', maxBufferedOctets: 64 * 1024 });
    await conn.startCompression('OK');
    const bomb = deflateRawSync(Buffer.alloc(256 * 1024 * 1024, 0x41), { level: 9 });
    c.write(bomb);
    // Let it run: with backpressure the inflater stops; without, 256 MiB would pile up.
    let last = -1;
    await eventually(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const now = conn.inflatedOctets;
        const settled = now === last;
        last = now;
        return settled;
      },
      { timeoutMs: 20_000, what: 'inflation to stop' },
    );
    assert.ok(conn.inflatedOctets < 1024 * 1024, `${conn.inflatedOctets} octets inflated`);
    assert.ok(conn.bufferedInput <= 64 * 1024 + 64 * 1024, `${conn.bufferedInput} octets buffered`);
    // Reading goes on within the line limit: the bomb is one over-long line.
    const read = await conn.readLine();
    assert.equal(read.kind, 'overflow');
    conn.destroy();
  } finally {
    c.destroy();
    stop();
  }
});

test('corrupt deflate input ends the connection; the zlib streams go when the peer does', async () => {
  const [s, c, stop] = await socketPair();
  try {
    const conn = new LineConnection(s, { protocol: 'test' });
    await conn.startCompression('OK');
    c.write(Buffer.from('this is not deflate at all\r\n'));
    const read = await conn.readLine();
    assert.equal(read.kind, 'end');
    await conn.whenClosed;
  } finally {
    c.destroy();
    stop();
  }
  const [s2, c2, stop2] = await socketPair();
  try {
    const layer = new DeflateLayer(s2);
    layer.resume();
    assert.equal(layer.zlibClosed, false);
    c2.destroy();
    await eventually(() => layer.zlibClosed && layer.destroyed && s2.destroyed, { what: 'teardown' });
  } finally {
    stop2();
  }
});

test('release(): the last reply compressed and flushed, then the socket plain both ways', async () => {
  const [s, c, stop] = await socketPair();
  try {
    const conn = new LineConnection(s, { protocol: 'test' });
    const got = collect(c);
    await conn.startCompression('OK');
    await eventually(() => Buffer.concat(got).length === 4);
    got.length = 0;
    await conn.stopCompression('u OK UNAUTHENTICATE completed');
    assert.equal(conn.compressed, false);
    await eventually(() => Buffer.concat(got).length > 0);
    const inflate = createInflateRaw();
    const text = await new Promise<string>((resolve) => {
      inflate.on('data', (d: Buffer) => {
        resolve(d.toString());
      });
      inflate.write(Buffer.concat(got));
    });
    assert.equal(text, 'u OK UNAUTHENTICATE completed\r\n');
    got.length = 0;
    c.write('a LOGIN plain\r\n');
    const read = await conn.readLine();
    assert.equal(read.kind === 'line' ? read.text : read.kind, 'a LOGIN plain');
    conn.writeLine('a OK plain');
    await eventually(() => Buffer.concat(got).toString() === 'a OK plain\r\n');
    conn.destroy();
  } finally {
    c.destroy();
    stop();
  }
});
