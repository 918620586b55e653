/**
 * A client that pipelines one command many times and reads none of the replies, then starts
 * reading: how many commands the server read meanwhile (from the transcript) and whether every
 * reply then arrived. Any line protocol on LineConnection must stop reading such a client
 * instead of buffering its replies without bound. Size `count` so its replies are several
 * times what the kernel buffers on loopback (the send buffer grows to net.ipv4.tcp_wmem's max:
 * 4 MB by default, 16 MB on tuned hosts), or the kernel alone absorbs half of them.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { subscribeTranscript } from '../../src/core/transcript.js';

/** What happened: commands the server read while nobody read, replies counted at the end. */
export interface UnreadPipelineResult {
  readonly readWhileBlocked: number;
  readonly replies: number;
}

/**
 * Connects to `port`, waits for the greeting, sends `command` CRLF `count` times without
 * reading, lets the server read what it will, then reads until `count` replies (counted by
 * `replyMarker`) arrived. Asserts that the server read fewer than half the commands while
 * nobody read, and that every reply came once the client read.
 */
export async function expectOutputBackpressure(options: {
  port: number;
  protocol: string;
  command: string;
  count: number;
  /** A string each reply holds exactly once (e.g. its last line's start, with the CRLF before it). */
  replyMarker: string;
}): Promise<UnreadPipelineResult> {
  const { command, count } = options;
  let read = 0;
  const off = subscribeTranscript((e) => {
    if (e.protocol === options.protocol && e.direction === 'C' && e.text === command) read++;
  });
  const socket = connect({ port: options.port, host: '127.0.0.1' });
  try {
    await once(socket, 'data');
    socket.pause();
    socket.write(`${command}\r\n`.repeat(count));
    // Let the server read all it is willing to (its progress stops once the buffers are full).
    for (let last = -1; read !== last && read < count;) {
      last = read;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    const readWhileBlocked = read;
    const marker = options.replyMarker;
    let tail = '';
    let replies = 0;
    socket.on('data', (chunk: Buffer) => {
      const text = tail + chunk.toString('latin1');
      replies += text.split(marker).length - 1;
      tail = text.slice(-(marker.length - 1)); // shorter than the marker: never counted twice
    });
    socket.resume();
    assert.ok(
      readWhileBlocked < count / 2,
      `the server read ${readWhileBlocked} of ${count} commands nobody read replies to`,
    );
    while (replies < count) await once(socket, 'data');
    assert.equal(replies, count);
    return { readWhileBlocked, replies };
  } finally {
    off();
    socket.destroy();
  }
}
