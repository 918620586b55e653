/**
 * Port helpers for peers that need a fixed port number in their config file: find a port free
 * for both TCP and UDP on 127.0.0.1, and probe whether a TCP port accepts connections (the
 * readiness check for TCP servers).
 */
import { createSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';

function tcpFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => {
        resolve(typeof addr === 'object' && addr !== null ? addr.port : 0);
      });
    });
  });
}

function udpFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    sock.once('error', () => {
      resolve(false);
    });
    sock.bind(port, host, () => {
      sock.close(() => {
        resolve(true);
      });
    });
  });
}

/**
 * A port that is free for TCP and UDP on `host` right now. Another process may take it before
 * the peer binds it; callers that care retry on "address in use".
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await tcpFreePort(host);
    if (port !== 0 && (await udpFree(port, host))) return port;
  }
  throw new Error(`no port free for both TCP and UDP on ${host}`);
}

/** True when something accepts TCP connections on host:port. */
export function tcpPortOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ port, host });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => {
      done(false);
    });
    sock.once('connect', () => {
      done(true);
    });
    sock.once('error', () => {
      done(false);
    });
  });
}
