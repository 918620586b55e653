/**
 * A tiny line protocol used only by the tests of the shared connection layer: a greeting, ECHO,
 * STARTTLS, SECRET (next line is redacted), QUIT, and the replies every real protocol gives for
 * over-long lines, bare LF, timeouts and shutdown; LOGIN (a longer idle timeout afterwards, like
 * IMAP), IDLE (waits for DONE or `interrupt()`, like IMAP IDLE) and FETCH (a response written
 * across awaits, like an IMAP literal). Real protocols have their own sessions.
 */
import type { SecureContext } from 'node:tls';
import type { LineConnection } from '../../src/core/line/connection.js';
import { TcpService, type TcpServiceOptions } from '../../src/core/server/tcp-service.js';

export interface EchoOptions extends Partial<Omit<TcpServiceOptions, 'handle' | 'protocol'>> {
  context?: SecureContext;
  earlyTalkerMs?: number;
  /** Idle timeout after LOGIN, in milliseconds. */
  loggedInIdleMs?: number;
  /** Called with each session's connection (tests interrupt it or write to it). */
  onConnection?: (conn: LineConnection) => void;
  /** Called by FETCH after the first chunk of its literal (tests write to the connection then). */
  midResponse?: (conn: LineConnection) => void;
}

/** FETCH writes its literal in chunks of this many octets, yielding to the event loop between. */
export const FETCH_CHUNK_OCTETS = 16 * 1024;

/** Runs one echo session on a connection. */
export async function echoSession(conn: LineConnection, options: EchoOptions): Promise<void> {
  if (options.earlyTalkerMs !== undefined && (await conn.detectEarlyTalker(options.earlyTalkerMs))) {
    conn.writeLine('554 early talker');
    return;
  }
  options.onConnection?.(conn);
  conn.writeLine('220 echo ready');
  for (;;) {
    const r = await conn.readLine({ command: true });
    switch (r.kind) {
      case 'end':
        return;
      case 'shutdown':
        conn.writeLine('421 shutting down');
        return;
      case 'timeout':
        conn.writeLine(`421 ${r.which} timeout`);
        return;
      case 'overflow':
        conn.writeLine('500 line too long');
        continue;
      case 'line':
        break;
    }
    if (r.ending === 'lf') {
      conn.writeLine('501 bare LF');
      continue;
    }
    const [verb = '', ...rest] = r.text.split(' ');
    const arg = rest.join(' ');
    switch (verb.toUpperCase()) {
      case 'ECHO':
        if (/[\0\r]/.test(arg)) conn.writeLine('501 bad characters');
        else conn.writeLine(`250 ${arg}`);
        break;
      case 'STARTTLS':
        if (!options.context || conn.secure) {
          conn.writeLine('454 TLS not available');
          break;
        }
        await conn.startTls(options.context, '220 go ahead');
        break;
      case 'TLS?':
        conn.writeLine(conn.secure ? '250 secure' : '250 plain');
        break;
      case 'SECRET':
        conn.redactNextInput();
        conn.writeLine('334 send it');
        break;
      case 'RAWBYTES': {
        const n = Number(arg);
        conn.writeLine('354 go');
        const data = await conn.readExactly(n);
        if (data.kind !== 'bytes') return;
        conn.writeLine(`250 got ${data.data.length} bytes: ${data.data.toString('hex')}`);
        break;
      }
      case 'SLOW':
        await new Promise((resolve) => setTimeout(resolve, Number(arg)));
        conn.writeLine('250 done');
        break;
      case 'LOGIN':
        if (options.loggedInIdleMs !== undefined) conn.setIdleTimeout(options.loggedInIdleMs);
        conn.writeLine('250 logged in');
        break;
      case 'IDLE':
        if (!(await idle(conn))) return;
        break;
      case 'FETCH':
        await fetch(conn, Number(arg), options);
        break;
      case 'QUIT':
        conn.writeLine('221 bye');
        return;
      default:
        conn.writeLine('500 unknown');
    }
  }
}

/** IDLE: `* <reason>` for each interrupt until DONE; false when the session must end. */
async function idle(conn: LineConnection): Promise<boolean> {
  conn.writeLine('+ idling');
  for (;;) {
    const r = await conn.readLine({ command: true, interruptible: true });
    if (r.kind === 'interrupted') {
      conn.writeLine(`* ${r.reason}`);
      continue;
    }
    if (r.kind !== 'line') {
      if (r.kind === 'timeout') conn.writeLine(`421 ${r.which} timeout`);
      return false;
    }
    if (r.text === 'DONE') {
      conn.writeLine('250 idle done');
      return true;
    }
    conn.writeLine('501 expected DONE');
  }
}

/** FETCH n: `* FETCH {n}`, n octets of 'a'..'z' in chunks across awaits, then `)` and `250`. */
async function fetch(conn: LineConnection, n: number, options: EchoOptions): Promise<void> {
  await conn.response(async (w) => {
    await w.writeLine(`* FETCH {${String(n)}}`);
    for (let sent = 0; sent < n; sent += FETCH_CHUNK_OCTETS) {
      const size = Math.min(FETCH_CHUNK_OCTETS, n - sent);
      const chunk = Buffer.alloc(size);
      for (let i = 0; i < size; i++) chunk[i] = 0x61 + ((sent + i) % 26);
      await w.writeRaw(chunk);
      if (sent === 0) options.midResponse?.(conn);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await w.writeLines([')', '250 fetched']);
  });
}

/** A TcpService running the echo protocol. */
export function createEchoService(options: EchoOptions = {}): TcpService {
  const {
    context,
    earlyTalkerMs: _e,
    loggedInIdleMs: _l,
    onConnection: _o,
    midResponse: _m,
    ...rest
  } = options;
  return new TcpService({
    protocol: 'echo',
    ...rest,
    ...(context ? { tlsContext: () => context } : {}),
    handle: (conn) => echoSession(conn, options),
  });
}
