/**
 * Shared set-up for the proxy tests: origins on 127.0.0.1 port 0 (node:http servers whose
 * handler a test writes, counting the requests they get, or raw TCP servers for hostile
 * origins), and the suite with a `[proxy]` table in front of them (plain and TLS listeners on
 * port 0, the development certificate as the CA to trust).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import type { OutpostConfigInput } from '../../src/core/config/schema.js';
import type { ProxyService } from '../../src/proxy/index.js';
import { startTestOutpost, type TestOutpost } from '../../src/testing/index.js';

/** A node:http origin for a test. */
export interface Origin extends AsyncDisposable {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  /** Requests received so far. */
  readonly requests: IncomingMessage[];
  close(): Promise<void>;
}

/** Starts an origin answering with `handler`. */
export async function startOrigin(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Origin> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  };
  return {
    server,
    port,
    url: `http://127.0.0.1:${String(port)}`,
    requests,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A raw TCP origin: `onConnection` gets every socket and writes what it likes. */
export async function startRawOrigin(onConnection: (socket: Socket) => void): Promise<Origin> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const close = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  };
  return {
    server: server as unknown as Server,
    port,
    url: `http://127.0.0.1:${String(port)}`,
    requests: [],
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A running proxy suite. */
export interface ProxyFixture extends AsyncDisposable {
  readonly outpost: TestOutpost;
  readonly service: ProxyService;
  readonly port: number;
  readonly tlsPort: number | undefined;
  /** `http://127.0.0.1:PORT` of the plain listener. */
  readonly base: string;
  readonly ca: string | undefined;
  close(): Promise<void>;
}

/** Starts the suite with `[proxy]` (a plain listener on port 0 unless `proxy` says otherwise). */
export async function startProxy(
  proxy: Partial<NonNullable<OutpostConfigInput['proxy']>> = {},
  extra: Partial<OutpostConfigInput> = {},
): Promise<ProxyFixture> {
  const outpost = await startTestOutpost({
    config: { proxy: { listen: ['127.0.0.1:0'], ...proxy }, ...extra },
  });
  const eps = outpost.endpoints().filter((e) => e.service === 'proxy');
  const port = eps.find((e) => e.tls === 'none')?.port ?? 0;
  const tlsPort = eps.find((e) => e.tls === 'implicit')?.port;
  const service = outpost.suite.service('proxy') as ProxyService | undefined;
  if (service === undefined) throw new Error('no proxy service');
  const close = (): Promise<void> => outpost.close();
  return {
    outpost,
    service,
    port,
    tlsPort,
    base: `http://127.0.0.1:${String(port)}`,
    ca: outpost.ca,
    close,
    [Symbol.asyncDispose]: close,
  };
}

export { runText as run } from '../helpers/run.js';
