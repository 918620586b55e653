/**
 * `outpost http [-X METHOD] URL [-H …] [-d …] [-o FILE] [-v] [-i] [--cookie-jar FILE] [--cache DIR]`:
 * a curl-like client on Node's fetch (undici). `-v` prints the request (`> `) and response (`< `)
 * headers on stderr like curl; `--cookie-jar` reads and writes a Netscape cookies.txt that curl
 * can share; `--cache` makes GETs conditional and prints "304 Not Modified, served from cache".
 * Exit codes follow curl: 0 done (whatever the status, unless --fail), 3 malformed URL,
 * 6 unknown host, 7 connection refused, 22 HTTP error with --fail, 23 write error, 26 read error,
 * 28 timeout, 35 TLS handshake failure, 60 untrusted certificate.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { CookieJar } from '../http/cookies/jar.js';
import { formatNetscape, loadNetscape } from '../http/cookies/netscape.js';
import { conditionalHeaders, HttpCache } from './http-cache.js';

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
  readonly fetch?: typeof fetch;
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

/** Maps a fetch failure to curl's exit code and message. */
export function failureOf(err: unknown): { code: number; message: string } {
  const cause = (err as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  const code = cause?.code ?? (err as { name?: string } | undefined)?.name ?? '';
  const message = cause?.message ?? (err instanceof Error ? err.message : String(err));
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return { code: HTTP_EXIT.resolve, message: `Could not resolve host: ${message}` };
  if (code === 'ECONNREFUSED') return { code: HTTP_EXIT.connect, message: `Failed to connect: ${message}` };
  if (code === 'TimeoutError' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT')
    return { code: HTTP_EXIT.timeout, message: 'Operation timed out' };
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code))
    return {
      code: HTTP_EXIT.certificate,
      message: `SSL certificate problem: ${message} (use -k to skip verification)`,
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

/** Runs the command; resolves with the exit code. */
export async function runHttp(rawUrl: string, opts: HttpCliOptions, io: HttpIo = {}): Promise<number> {
  const stdout = io.stdout ?? ((d: string | Uint8Array) => process.stdout.write(d));
  const stderr = io.stderr ?? ((t: string) => process.stderr.write(t));
  const doFetch = io.fetch ?? fetch;
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
  if (opts.insecure === true) process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

  const headers = new Headers({ 'User-Agent': `outpost-http/${io.version ?? '0'}`, Accept: '*/*' });
  let body: string | Buffer | undefined;
  let method = 'GET';
  if (opts.data !== undefined && opts.data.length > 0) {
    body = dataBody(opts.data);
    method = 'POST';
    headers.set('Content-Type', 'application/x-www-form-urlencoded');
  }
  if (opts.uploadFile !== undefined) {
    body = readFileSync(opts.uploadFile);
    method = 'PUT';
  }
  if (opts.user !== undefined)
    headers.set('Authorization', `Basic ${Buffer.from(opts.user).toString('base64')}`);
  for (const h of opts.header ?? []) {
    const parsed = parseHeaderArg(h);
    if (parsed === undefined) {
      stderr(`outpost http: bad header ${JSON.stringify(h)} (expected "Name: value")\n`);
      return 2;
    }
    headers.set(parsed[0], parsed[1]);
  }
  if (opts.request !== undefined) method = opts.request.toUpperCase();

  const jar = new CookieJar();
  if (opts.cookieJar !== undefined && existsSync(opts.cookieJar))
    loadNetscape(jar, readFileSync(opts.cookieJar, 'utf8'));
  const cache = opts.cache !== undefined && method === 'GET' ? new HttpCache(opts.cache) : undefined;
  const cached = cache?.get(url.href);
  if (cached !== undefined)
    for (const [k, v] of Object.entries(conditionalHeaders(cached.entry))) headers.set(k, v);

  let response: Response;
  for (let redirects = 0; ; redirects++) {
    const cookie = jar.cookieHeader(url);
    if (cookie !== undefined) headers.set('Cookie', cookie);
    else headers.delete('Cookie');
    if (opts.verbose === true) {
      stderr(`> ${method} ${url.pathname}${url.search} HTTP/1.1\n> Host: ${url.host}\n`);
      for (const [k, v] of headers)
        stderr(`> ${k}: ${k.toLowerCase() === 'authorization' ? 'Basic [redacted]' : v}\n`);
      stderr('>\n');
    }
    try {
      const init: RequestInit = { method, headers, redirect: 'manual' };
      if (body !== undefined) init.body = body;
      if (opts.maxTime !== undefined) init.signal = AbortSignal.timeout(Number(opts.maxTime) * 1000);
      response = await doFetch(url, init);
    } catch (err) {
      const f = failureOf(err);
      stderr(`outpost http: ${f.message}\n`);
      return f.code;
    }
    for (const sc of response.headers.getSetCookie()) jar.setCookie(sc, url);
    const statusLine = `HTTP/1.1 ${response.status} ${response.statusText}`;
    if (opts.verbose === true) {
      stderr(`< ${statusLine}\n`);
      for (const [k, v] of response.headers) stderr(`< ${k}: ${v}\n`);
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
      await response.arrayBuffer();
      url = new URL(location, url);
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method === 'POST')
      ) {
        method = 'GET';
        body = undefined;
        headers.delete('Content-Type');
      }
      continue;
    }
    if (opts.include === true) {
      stdout(`${statusLine}\r\n${[...response.headers].map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
    }
    break;
  }

  let out: Buffer;
  try {
    out = Buffer.from(await response.arrayBuffer());
  } catch (err) {
    const f = failureOf(err);
    stderr(`outpost http: ${f.message}\n`);
    return f.code;
  }
  if (response.status === 304 && cached !== undefined) {
    stderr('304 Not Modified, served from cache\n');
    out = cached.body;
  } else if (cache !== undefined) cache.put(url.href, response.status, response.headers, out);

  if (opts.cookieJar !== undefined) writeFileSync(opts.cookieJar, formatNetscape(jar), { mode: 0o600 });
  try {
    if (opts.output !== undefined) writeFileSync(opts.output, out);
    else if (method !== 'HEAD') stdout(out);
  } catch (err) {
    stderr(`outpost http: cannot write output: ${err instanceof Error ? err.message : String(err)}\n`);
    return HTTP_EXIT.write;
  }
  if (opts.fail === true && response.status >= 400) {
    stderr(`outpost http: The requested URL returned error: ${response.status}\n`);
    return HTTP_EXIT.httpError;
  }
  return HTTP_EXIT.ok;
}
