/**
 * A scriptable fake DNS server for the stub-client tests (tier 3): UDP and TCP on one port of
 * 127.0.0.1 (or ::1), each query decoded with our codec and handed to a script that decides
 * what to send back: a proper answer, a truncated one, spoofed or malformed datagrams, half a
 * TCP frame, or nothing at all. It counts the queries per transport so tests can prove which
 * path the client took.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { decodeMessage, encodeMessage, type Message, type ResourceRecord } from '../../src/dns/index.js';

/** Sends raw octets back to the client on the transport the query came in on. */
export type Reply = (bytes: Uint8Array) => void;

/** What the fake does with each query; `n` counts queries on that transport from 1. */
export interface FakeScript {
  readonly udp?: (query: Message, reply: Reply, n: number, from: { address: string; port: number }) => void;
  readonly tcp?: (query: Message, reply: Reply, n: number, socket: Socket) => void;
}

/** A running fake server. */
export interface FakeServer {
  readonly host: string;
  readonly port: number;
  readonly udpQueries: number;
  readonly tcpQueries: number;
  /** The UDP socket, to send from the server's own address (spoof tests). */
  readonly udp: UdpSocket;
  close(): Promise<void>;
}

/** Build the response to `query`: same id and question, QR and AA set, the given records. */
export function answer(
  query: Message,
  answers: readonly ResourceRecord[],
  header: Partial<Message['header']> = {},
): Message {
  return {
    header: { ...query.header, qr: true, aa: true, ra: false, ...header },
    questions: query.questions,
    answers,
    authorities: [],
    additionals: [],
  };
}

/** Encode a message (shorthand for scripts). */
export const wire = (m: Message): Buffer => encodeMessage(m);

/** Frame `bytes` for TCP (two-octet length prefix). */
export function frame(bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(bytes.length + 2);
  out.writeUInt16BE(bytes.length, 0);
  out.set(bytes, 2);
  return out;
}

function serveTcp(socket: Socket, script: FakeScript, count: () => number): void {
  let buf = Buffer.alloc(0);
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      const len = buf.readUInt16BE(0);
      const query = decodeMessage(buf.subarray(2, 2 + len));
      buf = buf.subarray(2 + len);
      script.tcp?.(query, (bytes) => socket.write(frame(bytes)), count(), socket);
    }
  });
}

async function listenPair(host: string, script: FakeScript, counts: { udp: number; tcp: number }) {
  const udp = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  udp.bind(0, host);
  await once(udp, 'listening');
  const port = udp.address().port;
  const sockets = new Set<Socket>();
  const tcp: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveTcp(socket, script, () => ++counts.tcp);
  });
  const ok = await new Promise<boolean>((res) => {
    tcp.once('error', () => {
      res(false);
    });
    tcp.listen(port, host, () => {
      res(true);
    });
  });
  if (!ok) {
    udp.close();
    return undefined;
  }
  udp.on('message', (raw, from) => {
    const query = decodeMessage(raw);
    const n = ++counts.udp;
    script.udp?.(
      query,
      (bytes) => {
        udp.send(bytes, from.port, from.address);
      },
      n,
      from,
    );
  });
  return { udp, tcp, port, sockets };
}

/** Start a fake server on `host` (default 127.0.0.1), UDP and TCP on the same free port. */
export async function startFake(script: FakeScript, host = '127.0.0.1'): Promise<FakeServer> {
  const counts = { udp: 0, tcp: 0 };
  for (;;) {
    const pair = await listenPair(host, script, counts);
    if (pair === undefined) continue; // TCP port taken: try another
    const { udp, tcp, port, sockets } = pair;
    return {
      host,
      port,
      udp,
      get udpQueries() {
        return counts.udp;
      },
      get tcpQueries() {
        return counts.tcp;
      },
      close: async () => {
        udp.close();
        for (const s of sockets) s.destroy();
        await new Promise<void>((res) => {
          tcp.close(() => {
            res();
          });
        });
      },
    };
  }
}
