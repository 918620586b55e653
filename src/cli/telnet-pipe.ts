/**
 * `outpost telnet` with stdin from a pipe or a file: the textbook exercise as a script. Lines
 * are sent with CR LF once the server has spoken (or stayed quiet for a moment: HTTP servers
 * speak second), everything the server sends is printed, and after stdin ends the session waits
 * until the server closes or has been silent for `--wait` seconds, so `printf 'HELO me\nQUIT\n'`
 * shows the 220, 250 and 221 that the classic telnet misses by quitting at end of input.
 * Silence means no data: negotiation and sub-negotiation do not keep the session alive.
 */
import type { Readable, Writable } from 'node:stream';
import type { Socket } from 'node:net';
import type { TelnetClient } from '../telnet/index.js';

/** How long the server may stay quiet before the first line is sent anyway, in milliseconds. */
export const GREETING_GRACE_MS = 1000;
/** A line longer than this (no LF in sight) is sent on as data, so memory stays bounded. */
const MAX_PENDING_LINE = 64 * 1024;

/** How the piped session ended. */
export type PipeEnd = 'closed' | 'silence';

/** Runs the piped session to its end. */
export function runPipe(
  client: TelnetClient,
  socket: Socket,
  input: Readable,
  output: Writable,
  waitMs: number,
): Promise<PipeEnd> {
  return new Promise((resolve) => {
    let pending: Buffer = Buffer.alloc(0);
    let started = false;
    let inputEnded = false;
    let silence: NodeJS.Timeout | undefined;
    let ended: PipeEnd = 'closed';

    const armSilence = (): void => {
      if (!inputEnded) return;
      clearTimeout(silence);
      silence = setTimeout(() => {
        ended = 'silence';
        client.destroy();
      }, waitMs);
    };
    const start = (): void => {
      if (started || client.closed) return;
      started = true;
      clearTimeout(grace);
      input.on('data', onInput);
      input.once('end', onInputEnd);
      input.resume();
    };
    const grace = setTimeout(start, GREETING_GRACE_MS);

    const onInput = (chunk: Buffer): void => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      for (let lf = pending.indexOf(0x0a); lf >= 0; lf = pending.indexOf(0x0a)) {
        const end = lf > 0 && pending[lf - 1] === 0x0d ? lf - 1 : lf;
        client.sendLine(pending.subarray(0, end));
        pending = pending.subarray(lf + 1);
      }
      if (pending.length > MAX_PENDING_LINE) {
        client.sendData(pending);
        pending = Buffer.alloc(0);
      }
      if (socket.writableNeedDrain) {
        input.pause();
        socket.once('drain', () => input.resume());
      }
    };
    const onInputEnd = (): void => {
      if (pending.length > 0) client.sendLine(pending);
      pending = Buffer.alloc(0);
      inputEnded = true;
      armSilence();
    };

    client.on('data', (data) => {
      start();
      armSilence();
      if (!output.write(data)) {
        client.pauseOutput(true);
        output.once('drain', () => {
          client.pauseOutput(false);
        });
      }
    });
    client.once('close', () => {
      clearTimeout(grace);
      clearTimeout(silence);
      input.off('data', onInput);
      input.off('end', onInputEnd);
      input.pause();
      resolve(ended);
    });
    input.pause();
    client.start();
  });
}
