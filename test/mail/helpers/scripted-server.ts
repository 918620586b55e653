// A raw TCP server driven by a test's script (an async function per connection) over a
// LineConnection, for exercising the SMTP client against exact replies: multi-line EHLO, 4xx/5xx
// per recipient, pipelining, BDAT, STARTTLS, silence (timeouts), garbage.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import { LineConnection } from '../../../src/core/line/connection.js';
import { generateSelfSigned } from '../../../src/core/tls.js';

export type Script = (conn: ScriptConn) => Promise<void>;

/** The server side of one connection, as a script sees it. */
export class ScriptConn {
  readonly line: LineConnection;
  /** Every line the client sent (DATA content included, as lines). */
  readonly received: string[] = [];

  constructor(socket: Socket) {
    this.line = new LineConnection(socket, { protocol: 'script', idleTimeoutMs: 20_000 });
  }

  /** The next line, or null at end of input. */
  async read(): Promise<string | null> {
    const r = await this.line.readLine();
    if (r.kind !== 'line') return null;
    this.received.push(r.text);
    return r.text;
  }

  /** Reads a line and checks it starts with `prefix` (case-insensitive); returns it. */
  async expect(prefix: string): Promise<string> {
    const l = await this.read();
    if (l === null || !l.toUpperCase().startsWith(prefix.toUpperCase())) {
      throw new Error(`script expected ${prefix}, got ${JSON.stringify(l)}`);
    }
    return l;
  }

  send(...lines: string[]): void {
    this.line.writeLines(lines);
  }

  /** Reads DATA content up to the lone `.`, returning the (still dot-stuffed) lines. */
  async readData(): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const l = await this.read();
      if (l === null || l === '.') return lines;
      lines.push(l);
    }
  }

  async readExactly(n: number): Promise<Buffer> {
    const r = await this.line.readExactly(n);
    if (r.kind !== 'bytes') throw new Error('short BDAT chunk');
    return r.data;
  }
}

export interface ScriptedServer {
  readonly port: number;
  /** Connections' ScriptConn, in order. */
  readonly conns: ScriptConn[];
  /** Errors thrown by scripts (asserted empty by tests). */
  readonly errors: unknown[];
  close(): Promise<void>;
}

let tlsContext: Promise<SecureContext> | undefined;

/** A throwaway certificate for STARTTLS scripts. */
export function testTlsContext(): Promise<SecureContext> {
  tlsContext ??= generateSelfSigned(['mx.test']).then((pem) => createSecureContext(pem));
  return tlsContext;
}

/** Starts a server on 127.0.0.1:0 running `scripts[i]` for the i-th connection (the last repeats). */
export async function startScriptedServer(...scripts: Script[]): Promise<ScriptedServer> {
  return startScriptedServerAt({ host: '127.0.0.1', port: 0 }, ...scripts);
}

/** The same on a chosen address and port. */
export async function startScriptedServerAt(
  at: { host: string; port: number },
  ...scripts: Script[]
): Promise<ScriptedServer> {
  const conns: ScriptConn[] = [];
  const errors: unknown[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const conn = new ScriptConn(socket);
    const script = scripts[Math.min(conns.length, scripts.length - 1)];
    conns.push(conn);
    void (async () => {
      try {
        await script?.(conn);
      } catch (err) {
        errors.push(err);
      } finally {
        await conn.line.close();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(at.port, at.host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    conns,
    errors,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** Greeting + EHLO with `keywords`; returns after the EHLO reply. */
export async function greetAndEhlo(conn: ScriptConn, keywords: string[]): Promise<void> {
  conn.send('220 mx.test ESMTP scripted');
  await conn.expect('EHLO ');
  const lines = ['mx.test greets you', ...keywords];
  conn.send(...lines.map((l, i) => `250${i === lines.length - 1 ? ' ' : '-'}${l}`));
}
