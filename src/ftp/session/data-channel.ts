/**
 * The data connections of one FTP control connection (RFC 959 §3.2-3.3), as the session sees
 * them: PASV/EPSV and PORT/EPRT prepare one, a transfer opens it (and puts TLS on it for PROT P)
 * and moves its bytes, ABOR closes it. The session never touches a socket: the server injects the
 * socket implementation (server/data-channel.ts, with its bounce and data-port-theft rules), and
 * tests inject an in-memory one.
 */
import type { Duplex } from 'node:stream';
import type { SecureContext } from 'node:tls';

/** Reads an upload straight into reusable buffers (server/bulk-reader.ts), buffer by buffer. */
export interface BulkReceiver {
  /** Hands each buffer to `sink` in order until the peer's EOF; rejects when the upload broke. */
  receive(sink: (chunk: Buffer) => Promise<void>): Promise<void>;
}

/** One open data connection, used by one transfer. */
export interface DataConnection {
  /** The transfer's bytes (for a bulk upload, the socket `bulk` reads from). */
  readonly stream: Duplex;
  /** Set when the open asked for bulk reads and the connection could do them. */
  readonly bulk: BulkReceiver | null;
  /** Calls `onIdle` once no byte has moved either way for `ms` milliseconds. */
  idleTimeout(ms: number, onIdle: () => void): void;
  /**
   * Runs the server side of a TLS handshake (PROT P, RFC 4217 §9) within `timeoutMs`; resolves
   * with the protected connection, rejects (this one destroyed) when the handshake fails.
   */
  secure(context: SecureContext, timeoutMs: number): Promise<DataConnection>;
  /** Ends our side after the last byte and waits, bounded, for the peer to close. */
  finish(): Promise<void>;
  /** Closes at once (ABOR, errors). */
  destroy(): void;
}

/** How a session prepares and opens its data connections. */
export interface DataChannel {
  /**
   * PASV/EPSV: listens for the client's data connection (replacing any earlier preparation);
   * resolves with the port to advertise, rejects when no port is free.
   */
  listen(): Promise<number>;
  /** PORT/EPRT: the next data connection goes to `host:port` (replacing any earlier preparation). */
  target(host: string, port: number): void;
  /** True once PASV/EPSV/PORT/EPRT prepared a connection that no transfer has used yet. */
  readonly prepared: boolean;
  /**
   * Opens the prepared connection (waits for the client, or connects to it) within `timeoutMs`,
   * using the preparation up. Resolves null when no connection came, when nothing was prepared,
   * or when `signal` aborted first (ABOR). `bulkReads` asks for a BulkReceiver (binary uploads
   * over plain TCP).
   */
  open(options: {
    timeoutMs: number;
    bulkReads: boolean;
    signal: AbortSignal;
  }): Promise<DataConnection | null>;
  /** Forgets the preparation (closes a passive listener): REIN, a new PASV, the session's end. */
  reset(): void;
}
