// Hostile servers against the Telnet client over real TCP: a sub-negotiation that never ends
// (16 MiB without IAC SE), negotiation storms (100,000 requests for one option, and an option
// toggled 100,000 times), and a 0xFF flood read by a stalled consumer. The client must answer
// a bounded number of times, keep its memory bounded (reading stops while its output is not
// drained, so the server's writes back up instead), and stay usable afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectTcp, MAX_NEGOTIATIONS_PER_OPTION, TelnetClient } from '../../src/telnet/index.js';
import { eventually } from '../helpers/eventually.js';
import { DO, IAC, SB, SE, ScriptedServer, WILL, WONT, DONT } from './helpers/scripted-server.js';

async function connect(
  server: ScriptedServer,
): Promise<{ client: TelnetClient; notices: string[]; shown: () => number; last: () => Buffer }> {
  const socket = await connectTcp('127.0.0.1', [{ address: '127.0.0.1', family: 4 }], server.port);
  const client = new TelnetClient(socket);
  client.start();
  const notices: string[] = [];
  let count = 0;
  let last: Buffer = Buffer.alloc(0);
  client.on('notice', (n) => notices.push(n));
  client.on('data', (d) => {
    count += d.length;
    last = d;
  });
  return { client, notices, shown: () => count, last: () => last };
}

test('an endless sub-negotiation is dropped past the limit; data after its IAC SE still arrives', async () => {
  const server = await ScriptedServer.start();
  const c = await connect(server);
  try {
    const socket = await server.socket();
    socket.write(Buffer.of(IAC, SB, 77));
    const junk = Buffer.alloc(1 << 20, 0x41);
    for (let i = 0; i < 16; i++) if (!socket.write(junk)) await new Promise((r) => socket.once('drain', r));
    assert.deepEqual(await server.exchange(Buffer.of(IAC, SE, 0x6f, 0x6b)), Buffer.alloc(0));
    assert.equal(c.last().toString(), 'ok');
    assert.equal(c.shown(), 2);
    assert.deepEqual(c.notices, [`dropped a ${16 << 20}-byte sub-negotiation of option 77`]);
  } finally {
    c.client.destroy();
    await server.close();
  }
});

test('a storm of requests for one option is answered at most MAX_NEGOTIATIONS_PER_OPTION times', async () => {
  const server = await ScriptedServer.start();
  const c = await connect(server);
  try {
    const storm = Buffer.alloc(3 * 100_000);
    for (let i = 0; i < 100_000; i++) storm.set([IAC, DO, 200], i * 3);
    // The same option toggled: each change needs an answer (RFC 1143), until the cap.
    const toggles = Buffer.alloc(6 * 100_000);
    for (let i = 0; i < 100_000; i++) toggles.set([IAC, WILL, 1, IAC, WONT, 1], i * 6);
    const answer = await server.exchange(Buffer.concat([storm, toggles, Buffer.from('still here')]));
    const wont200 = Buffer.alloc(3 * MAX_NEGOTIATIONS_PER_OPTION);
    for (let i = 0; i < MAX_NEGOTIATIONS_PER_OPTION; i++) wont200.set([IAC, WONT, 200], i * 3);
    const echoAnswers = Buffer.alloc(3 * MAX_NEGOTIATIONS_PER_OPTION);
    for (let i = 0; i < MAX_NEGOTIATIONS_PER_OPTION; i++)
      echoAnswers.set([IAC, i % 2 === 0 ? DO : DONT, 1], i * 3);
    assert.deepEqual(answer, Buffer.concat([wont200, echoAnswers]));
    assert.equal(c.last().toString(), 'still here');
    assert.deepEqual(c.notices, [
      'the server keeps negotiating option 200; no longer answering it',
      'the server keeps negotiating option 1; no longer answering it',
    ]);
  } finally {
    c.client.destroy();
    await server.close();
  }
});

test('a 0xFF flood to a stalled consumer backs up at the server, then arrives whole', async () => {
  const server = await ScriptedServer.start();
  const c = await connect(server);
  try {
    const socket = await server.socket();
    // The consumer stalls from the start: the client must stop reading.
    c.client.pauseOutput(true);
    const total = 64 << 20; // 64 MiB on the wire, 32 MiB of 0xFF data
    const chunk = Buffer.alloc(1 << 20, 0xff);
    for (let written = 0; written < total; written += chunk.length) socket.write(chunk);
    // Wait until the server's sending has stalled (two samples apart with no progress): the
    // client stopped reading, the loopback buffers are full, and the rest waits at the server.
    // (bytesWritten counts what is still queued too.)
    const sent = (): number => socket.bytesWritten - socket.writableLength;
    let previous = -1;
    await eventually(
      async () => {
        const now = sent();
        const stalled = now === previous && now > 0;
        previous = now;
        if (!stalled) await new Promise((r) => setTimeout(r, 100));
        return stalled;
      },
      { timeoutMs: 30_000, what: 'the server to stall' },
    );
    assert.equal(c.shown(), 0, 'nothing reaches a stalled consumer');
    assert.ok(sent() < total / 4, `only the socket buffers' worth left the server (${sent()})`);
    assert.ok(socket.writableLength > total / 2);
    c.client.pauseOutput(false);
    await eventually(() => c.shown() === total / 2, {
      timeoutMs: 60_000,
      what: () => `${c.shown()} of ${total / 2} bytes`,
    });
    assert.equal(
      c.last().every((b) => b === 0xff),
      true,
    );
  } finally {
    c.client.destroy();
    await server.close();
  }
});
