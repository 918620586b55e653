/**
 * One DNS question over UDP with Outpost's own codec, for the benchmark's readiness checks and
 * its answer verification (never for load: dnsperf does that). Independent of the DNS client
 * module so the bench only depends on the pure codec.
 */
import { createSocket } from 'node:dgram';
import { decodeMessage, encodeMessage, type Message } from '../../src/dns/index.js';

/** Ask `name`/`type` of host:port; resolves with the decoded reply or rejects on timeout. */
export function probe(
  port: number,
  name: string,
  type: number,
  timeoutMs = 500,
  host = '127.0.0.1',
): Promise<Message> {
  const id = Math.floor(Math.random() * 0x10000);
  const query = encodeMessage({
    header: {
      id,
      qr: false,
      opcode: 0,
      aa: false,
      tc: false,
      rd: false,
      ra: false,
      z: false,
      ad: false,
      cd: false,
      rcode: 0,
    },
    questions: [{ name, type, class: 1 }],
    answers: [],
    authorities: [],
    additionals: [],
  });
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    const finish = (err: Error | undefined, msg?: Message): void => {
      clearTimeout(timer);
      sock.close();
      if (msg !== undefined) resolve(msg);
      else reject(err ?? new Error('no reply'));
    };
    const timer = setTimeout(() => {
      finish(new Error(`no reply from ${host}#${port} in ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on('error', (err) => {
      finish(err);
    });
    sock.on('message', (buf) => {
      try {
        const msg = decodeMessage(buf);
        if (msg.header.id === id) finish(undefined, msg);
      } catch (err) {
        finish(err instanceof Error ? err : new Error(String(err)));
      }
    });
    sock.send(query, port, host);
  });
}

/** True once the server at host:port answers anything to `name`/`type`. */
export async function answers(
  port: number,
  name: string,
  type: number,
  host = '127.0.0.1',
): Promise<boolean> {
  try {
    await probe(port, name, type, 250, host);
    return true;
  } catch {
    return false;
  }
}
