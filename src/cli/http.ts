/**
 * `outpost http [-X METHOD] URL [-H …] [-d …] [-o FILE] [-v] [-i] [--cookie-jar FILE] [--cache DIR]`:
 * a curl-like client on node:http/node:https (`http-request.ts`; fetch would refuse the Fetch
 * standard's "bad ports"). `-v` prints the request (`> `) and response (`< `) header fields on
 * stderr like curl, as they go over the wire; `--cookie-jar` reads and writes a Netscape
 * cookies.txt that curl can share; `--cache` makes GETs conditional and prints "304 Not
 * Modified, served from cache". HTTPS trusts Node's roots, `--cacert FILE`, and the local
 * suite's development certificate when the server is on loopback (`local-suite.ts`).
 * Exit codes follow curl: 0 done (whatever the status, unless --fail), 3 malformed URL,
 * 6 unknown host, 7 connection refused, 22 HTTP error with --fail, 23 write error, 26 read error,
 * 28 timeout, 35 TLS handshake failure, 60 untrusted certificate.
 */
import { once } from 'node:events';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { isIP } from 'node:net';
import { caWithRoots, describeCertificate, probeCertificate } from '../core/tls-trust.js';
import { CookieJar } from '../http/cookies/jar.js';
import { formatNetscape, loadNetscape } from '../http/cookies/netscape.js';
import { HTTP_LIMITS } from '../http/limits.js';
import { entryHeaders } from '../http/cache/index.js';
import { conditionalHeaders, HttpCache } from './http-cache.js';
import { exchange, type Exchange } from './http-request.js';
import { findLocalSuite, trustAdvice, trustFor, type LocalSuite } from './local-suite.js';

/** Options as commander hands them over. */
export interface HttpCliOptions {
  request?: string;
  header?: string[];
  data?: string[];
  output?: string;
  verbose?: boolean;
  include?: boolean;
  cookieJar?: string;
  cache?: string;
  insecure?: boolean;
  cacert?: string;
  user?: string;
  uploadFile?: string;
  fail?: boolean;
  location?: boolean;
  maxTime?: string;
}

/** Where the command writes; each defaults to the process's own. */
export interface HttpIo {
  readonly stdout?: (data: string | Uint8Array) => void;
  readonly stderr?: (text: string) => void;
  readonly version?: string;
}

/** curl's exit codes that `outpost http` uses. */
export const HTTP_EXIT = {
  ok: 0,
  badUrl: 3,
  resolve: 6,
  connect: 7,
  httpError: 22,
  write: 23,
  read: 26,
  timeout: 28,
  tls: 35,
  certificate: 60,
} as const;

/** Collects a repeatable option (commander's reducer). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Maps a request failure (node:http's error, or the cause it wraps) to curl's exit code and message. */
export function failureOf(err: unknown): { code: number; message: string } {
  const e = err as {
    code?: string;
    name?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  const code = e.code ?? e.cause?.code ?? e.name ?? '';
  const message = e.cause?.message ?? e.message ?? String(err);
  if (code === 'ABORT_ERR' || e.name === 'AbortError')
    return { code: HTTP_EXIT.timeout, message: 'Operation timed out' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return { code: HTTP_EXIT.resolve, message: `Could not resolve host: ${message}` };
  if (code === 'ECONNREFUSED') return { code: HTTP_EXIT.connect, message: `Failed to connect: ${message}` };
  if (code === 'ETIMEDOUT') return { code: HTTP_EXIT.timeout, message: 'Operation timed out' };
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code))
    return {
      code: HTTP_EXIT.certificate,
      message: `SSL certificate problem: ${message}`,
    };
  if (/ERR_SSL|EPROTO|ERR_TLS/.test(code))
    return { code: HTTP_EXIT.tls, message: `SSL connect error: ${message}` };
  return { code: HTTP_EXIT.read, message };
}

function parseHeaderArg(h: string): [string, string] | undefined {
  const colon = h.indexOf(':');
  if (colon <= 0) return undefined;
  const name = h.slice(0, colon).trim();
  const value = h.slice(colon + 1).trim();
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name) || /[\r\n\0]/.test(value)) return undefined;
  return [name, value];
}

/** curl's -d: `@file` reads a file (CR/LF stripped), values joined with '&'. */
function dataBody(data: readonly string[]): string {
  return data
    .map((d) => (d.startsWith('@') ? readFileSync(d.slice(1), 'utf8').replace(/[\r\n]/g, '') : d))
    .join('&');
}

/** Header fields in order with curl's replace-by-name semantics (names compared case-insensitively). */
class Fields {
  readonly list: [string, string][] = [];

  set(name: string, value: string): void {
    const at = this.list.findIndex(([n]) => n.toLowerCase() === name.toLowerCase());
    if (at === -1) this.list.push([name, value]);
    else this.list[at] = [this.list[at]?.[0] ?? name, value];
  }

  delete(name: string): void {
    const at = this.list.findIndex(([n]) => n.toLowerCase() === name.toLowerCase());
    if (at !== -1) this.list.splice(at, 1);
  }
}

/** The output file could not be opened or written (exit 23, not a transfer error). */
class OutputError extends Error {}

/** The body's file (-o), opened when the response arrives; writes block, as curl's do. */
class FileSink {
  readonly #fd: number;

  constructor(path: string) {
    this.#fd = FileSink.#guard(() => openSync(path, 'w'));
  }

  write(chunk: Buffer): void {
    FileSink.#guard(() => writeSync(this.#fd, chunk));
  }

  close(): void {
    FileSink.#guard(() => {
      closeSync(this.#fd);
    });
  }

  static #guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw new OutputError(err instanceof Error ? err.message : String(err));
    }
  }
}

/** Explains an untrusted certificate: whose it is (a probe handshake reads it) and how to trust it. */
async function certificateAdvice(
  url: URL,
  ca: readonly string[],
  suite: LocalSuite | undefined,
): Promise<string> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const cert = await probeCertificate({
    host,
    port: url.port === '' ? 443 : Number(url.port),
    ...(isIP(host) === 0 ? { servername: host } : {}),
    ...caWithRoots(ca),
  });
  const whose = cert === null ? '' : `outpost http: the certificate is ${describeCertificate(cert)}\n`;
  return `${whose}${trustAdvice(cert ?? undefined, suite, { caOption: '--cacert', insecureOption: '-k' })}\n`;
}

/** Runs the command; resolves with the exit code. */
export async function runHttp(rawUrl: string, opts: HttpCliOptions, io: HttpIo = {}): Promise<number> {
  const stdout = io.stdout ?? ((d: string | Uint8Array) => process.stdout.write(d));
  const stderr = io.stderr ?? ((t: string) => process.stderr.write(t));
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(rawUrl) ? rawUrl : `http://${rawUrl}`);
  } catch {
    stderr(`outpost http: malformed URL ${JSON.stringify(rawUrl)}\n`);
    return HTTP_EXIT.badUrl;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    stderr(`outpost http: unsupported protocol ${url.protocol}\n`);
    return HTTP_EXIT.badUrl;
  }

  const fields = new Fields();
  fields.set('Host', url.host);
  fields.set('User-Agent', `outpost-http/${io.version ?? '0'}`);
  fields.set('Accept', '*/*');
  // One request per connection (node:http's agent: false); said here so that -v shows it.
  fields.set('Connection', 'close');
  let body: string | Buffer | undefined;
  let method = 'GET';
  if (opts.data !== undefined && opts.data.length > 0) {
    body = dataBody(opts.data);
    method = 'POST';
    fields.set('Content-Type', 'application/x-www-form-urlencoded');
  }
  if (opts.uploadFile !== undefined) {
    body = readFileSync(opts.uploadFile);
    method = 'PUT';
  }
  if (body !== undefined) fields.set('Content-Length', String(Buffer.byteLength(body)));
  if (opts.user !== undefined)
    fields.set('Authorization', `Basic ${Buffer.from(opts.user).toString('base64')}`);
  let hostGiven = false;
  for (const h of opts.header ?? []) {
    const parsed = parseHeaderArg(h);
    if (parsed === undefined) {
      stderr(`outpost http: bad header ${JSON.stringify(h)} (expected "Name: value")\n`);
      return 2;
    }
    if (parsed[0].toLowerCase() === 'host') hostGiven = true;
    fields.set(parsed[0], parsed[1]);
  }
  if (opts.request !== undefined) method = opts.request.toUpperCase();

  const suite = findLocalSuite({});
  const jar = new CookieJar();
  if (opts.cookieJar !== undefined && existsSync(opts.cookieJar))
    loadNetscape(jar, readFileSync(opts.cookieJar, 'utf8'));
  const cache = opts.cache !== undefined && method === 'GET' ? new HttpCache(opts.cache) : undefined;
  const cached = cache?.get(url.href);
  if (cached !== undefined)
    for (const [k, v] of Object.entries(conditionalHeaders(cached.entry))) fields.set(k, v);
  const signal = opts.maxTime === undefined ? undefined : AbortSignal.timeout(Number(opts.maxTime) * 1000);

  let response: Exchange;
  let requestTime: number;
  let responseTime: number;
  for (let redirects = 0; ; redirects++) {
    const cookie = jar.cookieHeader(url);
    if (cookie !== undefined) fields.set('Cookie', cookie);
    else fields.delete('Cookie');
    if (opts.verbose === true) {
      stderr(`> ${method} ${url.pathname}${url.search} HTTP/1.1\n`);
      for (const [k, v] of fields.list)
        stderr(`> ${k}: ${k.toLowerCase() === 'authorization' ? 'Basic [redacted]' : v}\n`);
      stderr('>\n');
    }
    const trust = trustFor(url.hostname, suite, opts.cacert);
    const ca = trust.ca;
    if (opts.verbose === true && url.protocol === 'https:' && trust.devCertificate !== undefined)
      stderr(`* trusting the local suite's development certificate ${trust.devCertificate}\n`);
    requestTime = Date.now();
    try {
      response = await exchange(url, {
        method,
        headers: fields.list,
        ...(body === undefined ? {} : { body }),
        ca,
        insecure: opts.insecure === true,
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (err) {
      const f = failureOf(err);
      stderr(`outpost http: ${f.message}\n`);
      if (f.code === HTTP_EXIT.certificate) stderr(await certificateAdvice(url, ca, suite));
      return f.code;
    }
    responseTime = Date.now();
    for (const sc of response.headers.getSetCookie()) jar.setCookie(sc, url);
    const statusLine = `HTTP/${response.httpVersion} ${String(response.status)} ${response.statusText}`;
    if (opts.verbose === true) {
      stderr(`< ${statusLine}\n`);
      for (const [k, v] of response.rawHeaders) stderr(`< ${k}: ${v}\n`);
      stderr('<\n');
    }
    const location = response.headers.get('location');
    if (
      opts.location === true &&
      response.status >= 300 &&
      response.status < 400 &&
      location !== null &&
      redirects < 20
    ) {
      response.body.resume();
      const next = new URL(location, url);
      // As fetch and curl do, credentials do not follow a redirect to another origin.
      if (next.origin !== url.origin) fields.delete('Authorization');
      url = next;
      if (!hostGiven) fields.set('Host', url.host);
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method === 'POST')
      ) {
        method = 'GET';
        body = undefined;
        fields.delete('Content-Type');
        fields.delete('Content-Length');
      }
      continue;
    }
    if (opts.include === true)
      stdout(`${statusLine}\r\n${response.rawHeaders.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
    break;
  }

  let file: FileSink | undefined;
  const deliver = (chunk: Buffer): void => {
    if (file !== undefined) file.write(chunk);
    else if (method !== 'HEAD') stdout(chunk);
  };
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let keep = cache !== undefined && response.status === 200;
  try {
    if (opts.output !== undefined) file = new FileSink(opts.output);
    if (response.status === 304 && cached !== undefined) {
      response.body.resume();
      await once(response.body, 'end');
      stderr('304 Not Modified, served from cache\n');
      deliver(cached.body);
    } else {
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        deliver(chunk);
        if (keep) {
          keptBytes += chunk.length;
          keep = keptBytes <= HTTP_LIMITS.clientCacheMaxBytes;
          if (keep) kept.push(chunk);
          else kept.length = 0;
        }
      }
      if (keep)
        cache?.put(
          {
            url: url.href,
            status: response.status,
            headers: response.headers,
            request: entryHeaders({ headers: fields.list }),
            requestTime,
            responseTime,
          },
          Buffer.concat(kept),
        );
    }
    file?.close();
  } catch (err) {
    if (err instanceof OutputError) {
      stderr(`outpost http: cannot write output: ${err.message}\n`);
      return HTTP_EXIT.write;
    }
    const f = failureOf(err);
    stderr(`outpost http: ${f.message}\n`);
    return f.code;
  }

  if (opts.cookieJar !== undefined) writeFileSync(opts.cookieJar, formatNetscape(jar), { mode: 0o600 });
  if (opts.fail === true && response.status >= 400) {
    stderr(`outpost http: The requested URL returned error: ${String(response.status)}\n`);
    return HTTP_EXIT.httpError;
  }
  return HTTP_EXIT.ok;
}
