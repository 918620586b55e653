/**
 * A tiny line protocol used only by the tests of the shared connection layer: a greeting, ECHO,
 * STARTTLS, SECRET (next line is redacted), QUIT, and the replies every real protocol gives for
 * over-long lines, bare LF, timeouts and shutdown. Real protocols have their own sessions.
 */
import type { SecureContext } from 'node:tls';
import type { LineConnection } from '../../src/core/line/connection.js';
import { TcpService, type TcpServiceOptions } from '../../src/core/server/tcp-service.js';

export interface EchoOptions extends Partial<Omit<TcpServiceOptions, 'handle' | 'protocol'>> {
  context?: SecureContext;
  earlyTalkerMs?: number;
}

/** Runs one echo session on a connection. */
export async function echoSession(conn: LineConnection, options: EchoOptions): Promise<void> {
  if (options.earlyTalkerMs !== undefined && (await conn.detectEarlyTalker(options.earlyTalkerMs))) {
    conn.writeLine('554 early talker');
    return;
  }
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
      case 'QUIT':
        conn.writeLine('221 bye');
        return;
      default:
        conn.writeLine('500 unknown');
    }
  }
}

/** A TcpService running the echo protocol. */
export function createEchoService(options: EchoOptions = {}): TcpService {
  const { context, earlyTalkerMs: _e, ...rest } = options;
  return new TcpService({
    protocol: 'echo',
    ...rest,
    ...(context ? { tlsContext: () => context } : {}),
    handle: (conn) => echoSession(conn, options),
  });
}
