/**
 * The protocol-neutral request handler shared by the HTTP/1.1 listener and the TLS listener
 * (HTTP/2 or HTTP/1.1 by ALPN): picks the site by Host, checks the request target (length, path
 * confinement), dispatches by method (GET/HEAD static files, PUT/DELETE/POST writes behind
 * authorizeWrite, OPTIONS with Allow, 405 with Allow for the rest), serves /login and /logout,
 * and records every response in the access log and the metrics. Errors never escape: a failure
 * before the headers went out becomes a 500, after that the stream is reset.
 */
import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import type { AccountStore } from '../core/accounts/store.js';
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import type { AccessLog } from './access-log.js';
import { authorizeWrite, BASIC_CHALLENGE, parseBasicAuth } from './auth.js';
import type { SessionSigner } from './cookies/session.js';
import { headerSectionRefusal } from './header-limits.js';
import { HTTP_LIMITS } from './limits.js';
import { handleLogin, LOGIN_PATH, LOGOUT_PATH } from './login.js';
import type { HttpMetrics } from './metrics.js';
import { parseRequestPath } from './paths.js';
import { sendText } from './responses.js';
import { isWritable, type Site, type SiteTable } from './sites.js';
import { serveFast, serveStatic } from './static/serve-static.js';
import {
  asResponse,
  fastHeaders,
  trackBodyBytes,
  declaredBodyBytes,
  hostWithoutPort,
  requestHost,
  writeHead,
  type HttpRequest,
  type HttpResponse,
  type RequestInfo,
} from './types.js';
import { declaredTooLarge, handleDelete, handlePost, handlePut, sendTooLarge } from './writes.js';

/** What the handler works with. */
export interface HandlerOptions {
  sites: SiteTable;
  readonly accounts?: AccountStore | undefined;
  readonly sessions?: SessionSigner | undefined;
  accessLog?: AccessLog | undefined;
  readonly metrics?: HttpMetrics | undefined;
  readonly maxBodyBytes?: number | undefined;
  readonly logger?: Logger | undefined;
}

const READ_METHODS = 'GET, HEAD, OPTIONS';
const WRITE_METHODS = 'GET, HEAD, PUT, DELETE, POST, OPTIONS';

/** The methods a site allows (the Allow header, RFC 9110 §10.2.1). */
export function allowedMethods(site: Site): string {
  return isWritable(site) ? WRITE_METHODS : READ_METHODS;
}

/** Handles requests for a set of sites; `sites` may be swapped at any time (reload). */
export class RequestHandler {
  readonly options: HandlerOptions;
  readonly #logger: Logger;
  readonly #maxHeaderBytes: number;

  /** `maxHeaderBytes`: the request header section's size limit (431), as the server enforces it. */
  constructor(options: HandlerOptions, limits: { readonly maxHeaderBytes?: number } = {}) {
    this.options = options;
    this.#logger = options.logger ?? silentLogger();
    this.#maxHeaderBytes = limits.maxHeaderBytes ?? HTTP_LIMITS.maxHeaderBytes;
  }

  /** The entry point for both protocols; `secure` says the request came over TLS. */
  handle(req: HttpRequest, rawRes: ServerResponse | Http2ServerResponse, secure: boolean): void {
    const res = asResponse(rawRes);
    if (this.options.accessLog !== undefined || this.options.metrics !== undefined) {
      const started = { time: Date.now(), at: performance.now() };
      // Read now: once an HTTP/2 stream has closed, its request no longer reaches the session's
      // socket, so the access log would show `-`.
      const remoteAddress = req.socket.remoteAddress ?? '-';
      trackBodyBytes(res);
      rawRes.once('finish', () => {
        this.#record(req, res, started, remoteAddress);
      });
    }
    const method = req.method;
    const tooLarge = headerSectionRefusal(req.rawHeaders, req.httpVersionMajor === 2, this.#maxHeaderBytes);
    if (tooLarge !== undefined) {
      sendText(res, 431, method === 'HEAD', tooLarge, { Connection: 'close' });
      return;
    }
    if (method === 'GET' || method === 'HEAD') {
      const target = req.url ?? '/';
      const headers = fastHeaders(req);
      const site = this.options.sites.forHost(headers.host);
      if (
        target.charCodeAt(0) === 0x2f &&
        serveFast(headers, res, site, target, method === 'HEAD', this.#reserved)
      )
        return;
    }
    this.#dispatch(req, res, secure).catch((err: unknown) => {
      this.#logger.error({ err, method: req.method, url: req.url }, 'request failed');
      if (!res.headersSent) sendText(res, 500, req.method === 'HEAD');
      else res.destroy();
    });
  }

  /** Paths the handler answers itself (never served from files by the fast path). */
  readonly #reserved = (urlPath: string): boolean =>
    this.options.accounts !== undefined && (urlPath === LOGIN_PATH || urlPath === LOGOUT_PATH);

  async #dispatch(req: HttpRequest, res: HttpResponse, secure: boolean): Promise<void> {
    const method = req.method ?? 'GET';
    const head = method === 'HEAD';
    let target = req.url ?? '/';
    if (target.length > HTTP_LIMITS.maxUrlOctets) {
      sendText(res, 414, head, undefined, { Connection: 'close' });
      return;
    }
    let host = requestHost(req.headers);
    // RFC 9112 §3.2.2: a server must accept the absolute form; its authority replaces Host.
    // The raw path is kept (URL would resolve `..` segments and hide them from the checks).
    const absolute = /^https?:\/\/([^/?#]*)(.*)$/i.exec(target);
    if (absolute) {
      host = hostWithoutPort(absolute[1] ?? '');
      target = absolute[2] === '' || absolute[2] === undefined ? '/' : absolute[2];
    }
    const site = this.options.sites.forHost(host);
    if (method === 'OPTIONS' && target === '*') {
      writeHead(res, 204, { Allow: allowedMethods(site) });
      res.end();
      return;
    }
    const path = parseRequestPath(target);
    if (!path.ok) {
      sendText(res, path.status, head);
      return;
    }
    const info: RequestInfo = { secure, remoteAddress: req.socket.remoteAddress ?? '', host };
    const { accounts, sessions } = this.options;
    if (
      (path.urlPath === LOGIN_PATH || path.urlPath === LOGOUT_PATH) &&
      accounts !== undefined &&
      sessions !== undefined
    ) {
      await handleLogin(req, res, path.urlPath, info, { accounts, sessions });
      return;
    }
    switch (method) {
      case 'GET':
      case 'HEAD':
        await serveStatic(req, res, site, path.segments, path.urlPath, head);
        return;
      case 'OPTIONS':
        writeHead(res, 204, { Allow: allowedMethods(site), 'Content-Length': 0 });
        res.end();
        return;
      case 'PUT':
      case 'DELETE':
      case 'POST':
        await this.#write(req, res, site, path.segments, method, info);
        return;
      default:
        sendText(res, 405, head, undefined, { Allow: allowedMethods(site) });
    }
  }

  async #write(
    req: HttpRequest,
    res: HttpResponse,
    site: Site,
    segments: readonly string[],
    method: 'PUT' | 'DELETE' | 'POST',
    info: RequestInfo,
  ): Promise<void> {
    const auth = await authorizeWrite({
      writers: site.writers,
      secure: info.secure,
      remoteAddress: info.remoteAddress,
      authorization: req.headers.authorization,
      accounts: this.options.accounts,
    });
    if (!auth.ok) {
      const headers: Record<string, string> = { Connection: 'close' };
      if (auth.status === 405) headers.Allow = allowedMethods(site);
      if (auth.status === 401) headers['WWW-Authenticate'] = BASIC_CHALLENGE;
      if (auth.status === 429 && auth.retryAfterS !== undefined)
        headers['Retry-After'] = String(auth.retryAfterS);
      sendText(res, auth.status, false, auth.reason, headers);
      return;
    }
    const maxBytes = this.options.maxBodyBytes ?? HTTP_LIMITS.maxBodyBytes;
    if (method !== 'DELETE' && declaredTooLarge(req, maxBytes)) {
      sendTooLarge(res);
      return;
    }
    if (method === 'PUT') await handlePut(req, res, site, segments, maxBytes);
    else if (method === 'DELETE') await handleDelete(res, site, segments);
    else await handlePost(req, res, site, segments, maxBytes);
    this.#logger.info(
      { user: auth.user, method, path: `/${segments.join('/')}`, status: res.statusCode },
      'write',
    );
  }

  #record(
    req: HttpRequest,
    res: HttpResponse,
    started: { time: number; at: number },
    remoteAddress: string,
  ): void {
    const status = res.statusCode;
    const bytes = req.method === 'HEAD' || status === 304 || status === 204 ? 0 : declaredBodyBytes(res);
    this.options.metrics?.record(status, bytes, (performance.now() - started.at) / 1000);
    this.options.accessLog?.write({
      remoteAddress,
      user: parseBasicAuth(req.headers.authorization)?.user,
      time: new Date(started.time),
      method: req.method ?? '-',
      target: req.url ?? '-',
      httpVersion: req.httpVersion,
      status,
      bytes,
      referer: req.headers.referer,
      userAgent: req.headers['user-agent'],
    });
  }
}
