/**
 * The HTTP transcript on the shared tap (src/core/transcript.ts), for HTTP/1.1 and HTTP/2 alike:
 * per connection a session id with a `*` connect entry (TLS version, ALPN and SNI when secure)
 * and a `*` closed entry; per request `C:` lines for the request line (HTTP/2 gets a pseudo
 * request line, `GET /path HTTP/2`, and its :authority shown as Host) and each header field,
 * `S:` lines for the status line and each response header field as sent, and bodies summarized
 * by size (`C: [body 1,234 octets]`), never dumped. Credentials are redacted (RFC 9110 §11.6.2
 * Authorization and §11.7.2 Proxy-Authorization keep their scheme; RFC 6265 §4 Cookie and
 * Set-Cookie keep their names). Requests the parser refuses get the line it stopped in (only
 * when recognisably a request line or header field), its reason, and the status node:http sent.
 * The server calls in here only after transcriptActive() said
 * yes, so a server nobody watches pays one boolean check per connection and per request.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { transcriptTap, type TranscriptTap } from '../core/transcript.js';
import type { HttpRequest } from './types.js';

const TAP = Symbol('outpost.httpTranscript');

/** A socket (or HTTP/2's socket proxy) that may carry its connection's tap. */
type TappedSocket = Socket & { [TAP]?: TranscriptTap };

const REDACTED = '[redacted]';

/** The tap of `socket`'s transcript session, opened now if it has none yet. */
function tapOf(socket: TappedSocket): TranscriptTap {
  return socket[TAP] ?? attach(socket);
}

/** Gives `socket` a session id and a closed entry; returns its tap. */
function attach(socket: TappedSocket): TranscriptTap {
  const tap = transcriptTap('http', socket.remoteAddress ?? 'unknown');
  socket[TAP] = tap;
  socket.once('close', () => {
    tap('*', 'closed');
  });
  return tap;
}

/**
 * Publishes the connect entry of a new plain, h2c (`protocol` = 'h2c', HTTP/2 with prior
 * knowledge) or TLS connection. Call only when transcriptActive().
 */
export function tapConnection(socket: Socket, protocol?: string): void {
  attach(socket)('*', connectText(socket, protocol));
}

/** Publishes a plain connection that closed before its first bytes said which protocol it speaks. */
export function tapUndecided(socket: Socket): void {
  const tap = transcriptTap('http', socket.remoteAddress ?? 'unknown');
  tap('*', connectText(socket, undefined));
  tap('*', 'closed before a request');
}

function connectText(socket: Socket, protocol: string | undefined): string {
  let text = `connect from ${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`;
  if (protocol !== undefined) text += `, ${protocol}`;
  if (socket instanceof TLSSocket) {
    const alpn = socket.alpnProtocol;
    text += `, TLS ${socket.getProtocol() ?? 'unknown'}, ALPN ${alpn === false || alpn === null ? 'none' : alpn}`;
    const sni = (socket as TLSSocket & { servername?: string | false }).servername;
    if (typeof sni === 'string' && sni !== '') text += `, SNI ${sni}`;
  }
  return text;
}

/**
 * Publishes a failed TLS handshake (its own one-entry session: no connection was made). The
 * peer may already be gone, so the address comes from the TCP socket under the TLS one, which
 * remembered it when the connection was counted.
 */
export function tapTlsFailure(socket: Socket, err: Error): void {
  const tcp = (socket as Socket & { _parent?: Socket | null })._parent ?? socket;
  const address = socket.remoteAddress ?? tcp.remoteAddress ?? 'unknown';
  const port = socket.remotePort ?? tcp.remotePort ?? 0;
  const code = (err as NodeJS.ErrnoException).code;
  transcriptTap('http', address)('*', `TLS handshake from ${address}:${port} failed: ${code ?? err.message}`);
}

/** Longest piece of a refused request the transcript quotes, in characters. */
const QUOTE_LIMIT = 200;

/** The parser's error as node:http hands it over: llhttp adds the input and where it stopped. */
type ParserError = NodeJS.ErrnoException & { rawPacket?: unknown; bytesParsed?: unknown; reason?: unknown };

/**
 * Publishes a request node:http refused before any handler saw it (`status` sent, or null when
 * none could be): the line the parser stopped in, its reason, and the status line. Call only
 * when transcriptActive().
 */
export function tapRejected(socket: Socket, err: ParserError, status: number | null): void {
  const tap = tapOf(socket);
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    tap('*', 'no complete request head before the headers timeout');
  } else if (err.code?.startsWith('HPE_') === true) {
    // An oversized head is refused for its size, not for a line worth showing.
    if (Buffer.isBuffer(err.rawPacket) && err.code !== 'HPE_HEADER_OVERFLOW') {
      const at = typeof err.bytesParsed === 'number' ? err.bytesParsed : 0;
      tap('C', describeLine(offendingLine(err.rawPacket.toString('latin1'), at)));
    }
    const reason = typeof err.reason === 'string' ? err.reason : err.message;
    tap('*', `request refused by the parser: ${err.code} (${reason})`);
  } else {
    tap('*', `connection error: ${err.code ?? err.message}`);
  }
  if (status !== null) {
    tap('S', `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`);
    tap('S', 'Connection: close');
  }
}

/** The line of `text` that holds offset `at` (without its CR LF). */
export function offendingLine(text: string, at: number): string {
  const p = Math.max(0, Math.min(at, text.length));
  const start = p === 0 ? 0 : text.lastIndexOf('\n', p - 1) + 1;
  const lf = text.indexOf('\n', start);
  return text.slice(start, lf === -1 ? text.length : lf).replace(/\r$/, '');
}

/** A header field's name, whatever follows it (control characters included). */
const FIELD_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([\s\S]*)$/;
const REQUEST_LINE = /^([A-Z][A-Z0-9_-]*) (\S+) ([^\s=,;]+)$/;

/**
 * How the transcript shows a refused line. The parser's buffer may start mid-line (a TCP
 * segment boundary), so only what is recognisably a header field (value redacted as usual,
 * control characters escaped) or a request line (target redacted) is quoted; a line that starts
 * with a non-printable octet (a TLS ClientHello on the plain port) shows its first octets in hex,
 * as no credential starts that way; any other line only its length, since it may be the tail of
 * a credential.
 */
export function describeLine(line: string): string {
  const field = FIELD_LINE.exec(line);
  if (field) {
    const name = field[1] ?? '';
    return quoteLine(`${name}: ${redactHeaderValue(name, field[2] ?? '')}`);
  }
  const request = REQUEST_LINE.exec(line);
  if (request) return quoteLine(`${request[1] ?? ''} ${redactTarget(request[2] ?? '')} ${request[3] ?? ''}`);
  if (/^[^\x20-\x7e]/.test(line)) {
    const octets = Buffer.from(line.slice(0, 16), 'latin1')
      .toString('hex')
      .replace(/(..)(?!$)/g, '$1 ');
    return `[binary: ${octets}${line.length > 16 ? ' …' : ''}]`;
  }
  return `[a line of ${line.length} octets, neither a request line nor a header field]`;
}

/** `[raw: …]` with non-printable octets as `\xNN`, cut at QUOTE_LIMIT characters. */
function quoteLine(text: string): string {
  const cut = text.length > QUOTE_LIMIT ? text.slice(0, QUOTE_LIMIT) : text;
  let shown = '';
  for (const c of cut) {
    const code = c.charCodeAt(0);
    shown += code < 0x20 || code > 0x7e ? `\\x${code.toString(16).padStart(2, '0')}` : c;
  }
  return `[raw: ${shown}${cut.length < text.length ? '…' : ''}]`;
}

/** A header field value as the transcript shows it: credentials replaced, names and schemes kept. */
export function redactHeaderValue(name: string, value: string): string {
  switch (name.toLowerCase()) {
    case 'authorization':
    case 'proxy-authorization': {
      const space = value.indexOf(' ');
      return space > 0 ? `${value.slice(0, space)} ${REDACTED}` : REDACTED;
    }
    case 'cookie':
      return value
        .split(';')
        .map((pair) => redactCookiePair(pair.trim()))
        .join('; ');
    case 'set-cookie': {
      const semi = value.indexOf(';');
      if (semi === -1) return redactCookiePair(value);
      return redactCookiePair(value.slice(0, semi)) + value.slice(semi);
    }
    default:
      return value;
  }
}

/** `name=value` → `name=[redacted]`; a pair without `=` is all value (RFC 6265 §5.2). */
function redactCookiePair(pair: string): string {
  const eq = pair.indexOf('=');
  return eq === -1 ? REDACTED : `${pair.slice(0, eq).trim()}=${REDACTED}`;
}

/** An absolute-form target loses its userinfo (`http://user:pass@host/` → `http://[redacted]@host/`). */
function redactTarget(target: string): string {
  return target.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, `$1${REDACTED}@`);
}

/** `[body 1,234 octets]`. */
export function bodySummary(octets: number): string {
  return `[body ${octets.toLocaleString('en-US')} octets]`;
}

function octetsOf(chunk: unknown, encoding: unknown): number {
  if (typeof chunk === 'string')
    return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  return chunk instanceof Uint8Array ? chunk.length : 0;
}

type AnyFunction = (...args: unknown[]) => unknown;

/**
 * Publishes one request and, as it goes out, its response: the request line and fields now, the
 * request body's size when it has arrived, the status line and fields when they are written and
 * the response body's size when it is finished. Call only when transcriptActive().
 */
export function tapRequest(req: HttpRequest, res: ServerResponse | Http2ServerResponse): void {
  const h2 = req.httpVersionMajor === 2;
  const socket = (
    h2 ? ((req as Http2ServerRequest).stream.session?.socket ?? req.socket) : req.socket
  ) as TappedSocket;
  const tap = tapOf(socket);
  tap('C', `${req.method ?? '-'} ${redactTarget(req.url ?? '')} HTTP/${h2 ? '2' : req.httpVersion}`);
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? '';
    const value = raw[i + 1] ?? '';
    if (name.startsWith(':')) {
      // HTTP/2 pseudo-header fields (RFC 9113 §8.3.1): the request line already shows
      // :method and :path; :authority is what Host is in HTTP/1.1.
      if (name === ':authority') tap('C', `Host: ${value}`);
      continue;
    }
    tap('C', `${name}: ${redactHeaderValue(name, value)}`);
  }
  countRequestBody(req, tap);
  watchResponse(res, h2, tap);
}

/** Counts the request body as the parser pushes it (reading it would steal it from the handler). */
function countRequestBody(req: HttpRequest, tap: TranscriptTap): void {
  const readable = req as unknown as { push: AnyFunction };
  const push = readable.push;
  let received = 0;
  let ended = false;
  readable.push = function (this: unknown, ...args: unknown[]) {
    const chunk = args[0];
    if (chunk === null) {
      if (!ended && received > 0) tap('C', bodySummary(received));
      ended = true;
    } else {
      received += octetsOf(chunk, args[1]);
    }
    return push.apply(this, args);
  };
}

/** Publishes the response head when it is written and the body size when it is finished. */
function watchResponse(res: ServerResponse | Http2ServerResponse, h2: boolean, tap: TranscriptTap): void {
  const out = res as unknown as { writeHead: AnyFunction; write: AnyFunction; end: AnyFunction };
  const { writeHead, write, end } = out;
  let headShown = false;
  let sent = 0;
  let inEnd = false;
  const showHead = (): void => {
    if (headShown || !res.headersSent) return;
    headShown = true;
    for (const line of responseHead(res, h2)) tap('S', line);
  };
  out.writeHead = function (this: unknown, ...args: unknown[]) {
    const result = writeHead.apply(this, args);
    showHead();
    return result;
  };
  out.write = function (this: unknown, ...args: unknown[]) {
    // HTTP/2's end(chunk) writes through write(): counted once, in end.
    if (!inEnd) sent += octetsOf(args[0], args[1]);
    const result = write.apply(this, args);
    showHead();
    return result;
  };
  out.end = function (this: unknown, ...args: unknown[]) {
    sent += octetsOf(args[0], args[1]);
    inEnd = true;
    try {
      return end.apply(this, args);
    } finally {
      inEnd = false;
      showHead();
    }
  };
  let finished = false;
  res.once('finish', () => {
    // HTTP/2's compatibility layer also emits 'finish' when the stream is reset (RST_STREAM) or
    // the session destroyed; only a response that was ended is complete.
    if (!res.writableEnded) return;
    finished = true;
    showHead();
    if (sent > 0) tap('S', bodySummary(sent));
  });
  res.once('close', () => {
    if (!finished) tap('*', `response aborted after ${sent.toLocaleString('en-US')} body octets`);
  });
}

/** The status line and header fields as they went out. */
function responseHead(res: ServerResponse | Http2ServerResponse, h2: boolean): string[] {
  if (h2) {
    const sent = (res as Http2ServerResponse).stream.sentHeaders;
    const lines = [`HTTP/2 ${String(sent[':status'] ?? res.statusCode)}`];
    for (const [name, value] of Object.entries(sent)) {
      if (name.startsWith(':') || value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value])
        lines.push(`${name}: ${redactHeaderValue(name, String(v))}`);
    }
    return lines;
  }
  // node:http keeps the exact head it wrote (status line and fields, CRLF-separated).
  const head = (res as unknown as { _header?: unknown })._header;
  if (typeof head !== 'string') return [`HTTP/1.1 ${res.statusCode}`];
  const lines: string[] = [];
  for (const line of head.split('\r\n')) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (lines.length === 0 || colon === -1) lines.push(line);
    else
      lines.push(
        `${line.slice(0, colon)}: ${redactHeaderValue(line.slice(0, colon), line.slice(colon + 1).trim())}`,
      );
  }
  return lines;
}
