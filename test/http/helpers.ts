/**
 * Shared set-up for the HTTP tests: a suite with the HTTP service on 127.0.0.1 port 0 (plain and
 * TLS listeners) serving a fresh temp directory, plus a raw-socket exchange helper and a small
 * promise wrapper for running peers (curl, wget, python3) without blocking the server's loop.
 */
import { connect } from 'node:net';
import type { OutpostConfigInput } from '../../src/core/config/schema.js';
import { startTestOutpost, type TestOutpost } from '../../src/testing/index.js';
import { tempDir } from '../helpers/temp.js';

/** A running HTTP suite for a test. */
export interface HttpFixture extends AsyncDisposable {
  readonly outpost: TestOutpost;
  readonly root: string;
  readonly port: number;
  readonly tlsPort: number;
  readonly base: string;
  readonly tlsBase: string;
  /** PEM of the self-signed certificate (trust it as a CA). */
  readonly ca: string;
  close(): Promise<void>;
}

export const ALICE = { address: 'alice@example.test', password: 'alice-secret-1' };
export const BOB = { address: 'bob@example.test', password: 'bob-secret-22' };

/** Starts the suite with `[http]` over a new temp root (or `root`). */
export async function startHttp(
  http: Partial<NonNullable<OutpostConfigInput['http']>> = {},
  extra: Partial<OutpostConfigInput> = {},
): Promise<HttpFixture> {
  const root = http.root ?? tempDir('outpost-http-root-');
  const outpost = await startTestOutpost({
    users: [ALICE, BOB],
    config: {
      http: { listen: ['127.0.0.1:0'], tls_listen: ['127.0.0.1:0'], ...http, root },
      ...extra,
    },
  });
  const eps = outpost.endpoints().filter((e) => e.service === 'http');
  const port = eps.find((e) => e.tls === 'none')?.port ?? 0;
  const tlsPort = eps.find((e) => e.tls === 'implicit')?.port ?? 0;
  const ca = outpost.suite.context.tls?.certificatePem ?? '';
  const close = (): Promise<void> => outpost.close();
  return {
    outpost,
    root,
    port,
    tlsPort,
    base: `http://127.0.0.1:${port}`,
    tlsBase: `https://127.0.0.1:${tlsPort}`,
    ca,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Sends `bytes` on a new connection and collects everything until the server closes or `idleMs` passes. */
export function rawExchange(port: number, bytes: string | Buffer, idleMs = 1500): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let out = '';
    let timer: NodeJS.Timeout | undefined;
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(out);
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(done, idleMs);
    };
    socket.setEncoding('latin1');
    socket.on('connect', () => {
      socket.write(bytes);
      arm();
    });
    socket.on('data', (c: string) => {
      out += c;
      arm();
    });
    socket.on('end', done);
    socket.on('close', done);
    socket.on('error', (err) => {
      if (out !== '') done();
      else reject(err);
    });
  });
}

/** Status codes of every response in a raw exchange, in order. */
export function statuses(raw: string): number[] {
  return [...raw.matchAll(/HTTP\/1\.[01] (\d{3}) [A-Za-z]/g)].map((m) => Number(m[1]));
}

export { runText as run } from '../helpers/run.js';

/** A response as node:http delivers it (no decompression, raw body bytes). */
export interface PlainResponse {
  readonly status: number;
  readonly headers: import('node:http').IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One request with node:http (a fresh connection each time). */
export async function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<PlainResponse> {
  const { request: httpRequest } = await import('node:http');
  return new Promise((resolve, reject) => {
    const headers = { ...options.headers };
    if (options.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(options.body));
    const req = httpRequest(url, { method: options.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** `Basic …` for an account. */
export function basic(user: { address: string; password: string }): string {
  return `Basic ${Buffer.from(`${user.address}:${user.password}`).toString('base64')}`;
}
