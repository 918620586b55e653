/**
 * CONNECT tunnels of the forward proxy (RFC 9110 §9.3.6), over HTTP/1.1: node:http hands the
 * request over with the client's socket. Only clients in `allow` may open one (403), only to a
 * port in `connect_ports` (403; default 443, so the proxy relays TLS and nothing else by
 * default), and only in forward mode (a reverse proxy answers 405). The target gets
 * `tunnelConnectTimeoutMs` to accept (else 504; refused or unreachable is 502); then
 * `200 Connection Established` and the bytes flow both ways untouched until either side closes
 * or both are silent for the tunnel idle timeout.
 */
import type { IncomingMessage } from 'node:http';
import { connect, isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../core/logger.js';
import { transcriptActive, type TranscriptTap } from '../core/transcript.js';
import { isAddressAllowed } from '../dns/index.js';
import { PROXY_LIMITS } from './limits.js';
import type { ProxyMetrics } from './metrics.js';
import type { ProxySettings } from './settings.js';
import { proxyTap } from './transcript.js';

/** What a tunnel needs. */
export interface TunnelDeps {
  readonly settings: () => ProxySettings;
  readonly metrics: ProxyMetrics;
  readonly logger: Logger;
}

/** `host:port` of an authority-form target (RFC 9112 §3.2.3), or undefined. */
export function parseAuthority(target: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):([0-9]{1,5})$/.exec(target);
  if (m === null) return undefined;
  const host = m[1] ?? m[2] ?? '';
  const port = Number(m[3]);
  if (port < 1 || port > 65535 || host === '') return undefined;
  if (m[1] !== undefined && isIP(host) !== 6) return undefined;
  return { host, port };
}

/** Ends the client's connection with a short status line. */
function refuse(socket: Duplex, status: number, text: string, tap: TranscriptTap | undefined): void {
  tap?.('S', `HTTP/1.1 ${String(status)} ${text}`);
  const body = `${text}\n`;
  socket.end(
    `HTTP/1.1 ${String(status)} ${text}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${String(Buffer.byteLength(body))}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Handles one CONNECT request (node:http's 'connect' event). */
export function openTunnel(deps: TunnelDeps, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const settings = deps.settings();
  const client = req.socket.remoteAddress ?? '';
  const target = req.url ?? '';
  const tap = transcriptActive() ? proxyTap(client) : undefined;
  tap?.('C', `CONNECT ${target} HTTP/${req.httpVersion}`);
  socket.on('error', () => socket.destroy());
  if (!isAddressAllowed(client, settings.allow)) {
    deps.metrics.request('refused');
    refuse(socket, 403, 'Forbidden', tap);
    return;
  }
  if (settings.origin !== undefined) {
    refuse(socket, 405, 'Method Not Allowed', tap);
    return;
  }
  const authority = parseAuthority(target);
  if (authority === undefined) {
    refuse(socket, 400, 'Bad Request', tap);
    return;
  }
  if (!settings.connectPorts.has(authority.port)) {
    deps.metrics.request('refused');
    refuse(socket, 403, 'Forbidden', tap);
    return;
  }
  const upstream: Socket = connect({ host: authority.host, port: authority.port });
  let established = false;
  const timer = setTimeout(() => {
    upstream.destroy();
    deps.metrics.tunnel('error');
    refuse(socket, 504, 'Gateway Timeout', tap);
  }, PROXY_LIMITS.tunnelConnectTimeoutMs);
  socket.once('close', () => {
    clearTimeout(timer);
    upstream.destroy();
  });
  upstream.once('error', (err: NodeJS.ErrnoException) => {
    clearTimeout(timer);
    if (established) {
      socket.destroy();
      return;
    }
    deps.metrics.tunnel('error');
    deps.logger.info({ target, err: err.code ?? err.message }, 'CONNECT target failed');
    tap?.('*', `cannot connect to ${target}: ${err.code ?? err.message}`);
    refuse(socket, 502, 'Bad Gateway', tap);
  });
  upstream.once('connect', () => {
    clearTimeout(timer);
    if (socket.destroyed) {
      upstream.destroy();
      return;
    }
    established = true;
    // The tunnel's own idle timeout (below) replaces the HTTP server's socket timeout.
    req.socket.setTimeout(0);
    deps.metrics.tunnel('ok');
    tap?.('S', 'HTTP/1.1 200 Connection Established');
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) upstream.write(head);
    let up = head.length;
    let down = 0;
    socket.on('data', (chunk: Buffer) => {
      up += chunk.length;
    });
    upstream.on('data', (chunk: Buffer) => {
      down += chunk.length;
    });
    upstream.setTimeout(PROXY_LIMITS.tunnelIdleTimeoutMs, () => {
      upstream.destroy();
      socket.destroy();
    });
    socket.pipe(upstream);
    upstream.pipe(socket);
    upstream.once('close', () => {
      tap?.(
        '*',
        `tunnel closed: ${up.toLocaleString('en-US')} octets up, ${down.toLocaleString('en-US')} down`,
      );
      socket.destroy();
    });
  });
}
