/**
 * The public face the POP3, IMAP and FTP servers share. Each owns one TcpService and exposes the
 * same `listen`, `address()`, `listeners()`, `connectionCount`, idempotent draining `close()` and
 * `[Symbol.asyncDispose]`, all delegated to it; a server adds only what is its own (its session,
 * its settings and `reconfigure`). `connectionLimits` passes a server's connection-limit options
 * on to its TcpService, leaving absent ones absent so the service's defaults apply.
 */
import type { AddressInfo } from 'node:net';
import type { BoundListener, ListenOptions, TcpService } from './tcp-service.js';

/** The connection limits a server takes and hands to its TcpService. */
export interface ConnectionLimitOptions {
  maxConnections?: number;
  maxConnectionsPerIp?: number;
  drainTimeoutMs?: number;
}

/** The limits of `options` that are set (an absent one leaves the TcpService's default). */
export function connectionLimits(options: ConnectionLimitOptions): ConnectionLimitOptions {
  return {
    ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
    ...(options.maxConnectionsPerIp === undefined
      ? {}
      : { maxConnectionsPerIp: options.maxConnectionsPerIp }),
    ...(options.drainTimeoutMs === undefined ? {} : { drainTimeoutMs: options.drainTimeoutMs }),
  };
}

/** A protocol server over one TcpService whose settings are `S`. */
export abstract class TcpServer<S> implements AsyncDisposable {
  /** The service every method here delegates to. */
  protected abstract readonly tcp: TcpService<S>;

  /** Binds a listener (`tls: true` for implicit TLS); resolves with its address. */
  listen(options: ListenOptions = {}): Promise<AddressInfo> {
    return this.tcp.listen(options);
  }

  /** The first listener's address, or null before listen(). */
  address(): AddressInfo | null {
    return this.tcp.address();
  }

  /** Every bound listener. */
  listeners(): BoundListener[] {
    return this.tcp.listeners();
  }

  /** Open connections. */
  get connectionCount(): number {
    return this.tcp.connectionCount;
  }

  /** Stops accepting, lets sessions finish at their next command, then destroys. Idempotent. */
  close(): Promise<void> {
    return this.tcp.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
