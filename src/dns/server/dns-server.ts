/**
 * The DNS server transport: UDP and TCP on the same port (RFC 1035 §4.2, RFC 7766). UDP packets
 * are answered one by one; TCP connections carry 2-octet length-prefixed messages, several per
 * connection and pipelined, answered in order, with an idle timeout, a connection cap and
 * backpressure. Everything about what to answer lives in the handler (query-processor.ts).
 *
 * Embeddable shape: `createDnsServer({handler})`, `listen({port: 0, host})` (binds both
 * transports to one port), `address()`, idempotent `close()`, `[Symbol.asyncDispose]`.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type AddressInfo, type Server, type Socket } from 'node:net';
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { createMetrics, type ServiceMetrics } from '../../core/metrics.js';
import { listenerLabel } from '../../core/net.js';
import { ConnectionCounter } from '../../core/server/connection-counter.js';
import { transcriptActive, transcriptTap, type TranscriptTap } from '../../core/transcript.js';
import { FrameReader, frameMessage } from '../tcp-frame.js';
import { DnsQueryMetrics } from './metrics.js';
import { QueryProcessor, type DnsHandler, type PacketCacheOptions } from './query-processor.js';
import { tapExchange } from './transcript.js';

/** Transport limits (RFC 7766 §6.2.3 recommends short idle timeouts on busy servers). */
export const DNS_TRANSPORT_LIMITS = {
  /** Idle time on a TCP connection before we close it, in milliseconds. */
  tcpIdleTimeoutMs: 10_000,
  /** Simultaneous TCP connections per server. */
  maxTcpConnections: 512,
  /** Simultaneous TCP connections from one client IP. */
  maxTcpConnectionsPerIp: 32,
  /** Unsent reply octets on one TCP connection before we stop reading from it. */
  maxTcpPendingOctets: 1024 * 1024,
  /** Attempts to find a port free for both UDP and TCP when asked for port 0. */
  bindAttempts: 20,
} as const;

export interface DnsServerOptions extends PacketCacheOptions {
  handler: DnsHandler;
  logger?: Logger;
  tcpIdleTimeoutMs?: number;
  maxTcpConnections?: number;
  maxTcpConnectionsPerIp?: number;
  /** Where TCP connections and the query counts are exposed (a private set when absent). */
  metrics?: ServiceMetrics;
}

interface Binding {
  udp: UdpSocket;
  tcp: Server;
  address: AddressInfo;
}

/** Counters since start (cheap plain numbers; exported as metrics by the service). */
export interface DnsServerStats {
  udpQueries: number;
  tcpQueries: number;
  dropped: number;
  tcpConnections: number;
}

/** A DNS server on UDP and TCP. */
export class DnsServer {
  readonly stats: DnsServerStats = { udpQueries: 0, tcpQueries: 0, dropped: 0, tcpConnections: 0 };
  /** Queries by transport, type and rcode. */
  readonly queries = new DnsQueryMetrics();
  readonly #metrics: ServiceMetrics;
  readonly #processor: QueryProcessor;
  readonly #logger: Logger;
  readonly #options: DnsServerOptions;
  readonly #bindings: Binding[] = [];
  readonly #connections = new Set<Socket>();
  readonly #counter: ConnectionCounter;
  #closing: Promise<void> | null = null;

  constructor(options: DnsServerOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger();
    this.#metrics = options.metrics ?? createMetrics();
    this.#metrics.dnsQueries.addSource(this.queries.source);
    this.#counter = new ConnectionCounter(
      options.maxTcpConnections ?? DNS_TRANSPORT_LIMITS.maxTcpConnections,
      options.maxTcpConnectionsPerIp ?? DNS_TRANSPORT_LIMITS.maxTcpConnectionsPerIp,
    );
    this.#processor = new QueryProcessor(
      options.handler,
      (err) => {
        this.#logger.error({ err }, 'dns: handler failed');
      },
      options,
    );
  }

  /** Replaces the handler atomically (zone reload): the next query sees the new zones. */
  setHandler(handler: DnsHandler): void {
    this.#processor.setHandler(handler);
  }

  /** Drops cached replies; call whenever the data behind the handler changes (zone reload). */
  invalidateCache(): void {
    this.#processor.invalidate();
  }

  /** Packet cache hits and misses since start. */
  get cacheStats(): { hits: number; misses: number; size: number } {
    const cache = this.#processor.cache;
    return { hits: cache?.hits ?? 0, misses: cache?.misses ?? 0, size: cache?.size ?? 0 };
  }

  /** Binds UDP and TCP on one port; with port 0 finds a port free for both. */
  async listen(options: { port?: number; host?: string } = {}): Promise<AddressInfo> {
    if (this.#closing) throw new OutpostError(ErrorCodes.NOT_LISTENING, 'dns server is closed');
    const host = options.host ?? '127.0.0.1';
    const wanted = options.port ?? 0;
    let lastError: unknown;
    for (let attempt = 0; attempt < (wanted === 0 ? DNS_TRANSPORT_LIMITS.bindAttempts : 1); attempt++) {
      const tcp = createServer((socket) => {
        this.#acceptTcp(socket, listener);
      });
      let listener = '';
      try {
        await listenTcp(tcp, host, wanted);
      } catch (err) {
        lastError = err;
        continue;
      }
      const port = (tcp.address() as AddressInfo).port;
      listener = listenerLabel(tcp.address() as AddressInfo);
      const udp = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
      try {
        await bindUdp(udp, host, port);
      } catch (err) {
        lastError = err;
        await new Promise<void>((resolve) =>
          tcp.close(() => {
            resolve();
          }),
        );
        continue;
      }
      udp.on('message', (packet, rinfo) => {
        this.stats.udpQueries++;
        const replies = this.#processor.process(packet, {
          transport: 'udp',
          remoteAddress: rinfo.address,
          remotePort: rinfo.port,
        });
        const send = (done: Buffer[]): void => {
          const reply = done[0];
          if (reply) udp.send(reply, rinfo.port, rinfo.address);
          else this.stats.dropped++;
          this.queries.count(false, packet, reply);
          // After the send, so the cache fast path costs one check when nobody watches.
          if (transcriptActive()) tapExchange(transcriptTap('dns', rinfo.address), packet, done);
        };
        if (Array.isArray(replies)) send(replies);
        else void replies.then(send, () => undefined);
      });
      udp.on('error', (err) => {
        this.#logger.warn({ err }, 'dns: udp socket error');
      });
      tcp.on('error', (err) => {
        this.#logger.warn({ err }, 'dns: tcp listener error');
      });
      const address = tcp.address() as AddressInfo;
      this.#bindings.push({ udp, tcp, address });
      this.#logger.info({ address: address.address, port: address.port }, 'dns listening (udp+tcp)');
      return address;
    }
    throw new OutpostError(
      ErrorCodes.NOT_LISTENING,
      `dns: cannot bind ${host}:${wanted} for both UDP and TCP`,
      {
        cause: lastError,
      },
    );
  }

  /** The first binding's address (UDP and TCP share it). */
  address(): AddressInfo | null {
    return this.#bindings[0]?.address ?? null;
  }

  /** Every bound address. */
  addresses(): AddressInfo[] {
    return this.#bindings.map((b) => b.address);
  }

  /** Stops both transports; open TCP connections are closed after their current reply. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const closing = this.#bindings.map(
        (b) =>
          new Promise<void>((resolve) => {
            b.udp.close();
            b.tcp.close(() => {
              resolve();
            });
          }),
      );
      for (const socket of this.#connections) socket.end();
      setTimeout(() => {
        for (const socket of this.#connections) socket.destroy();
      }, 2000).unref();
      await Promise.all(closing);
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #acceptTcp(socket: Socket, listener: string): void {
    const ip = socket.remoteAddress ?? 'unknown';
    if (this.#closing || this.#counter.tryAdd(ip) !== null) {
      socket.destroy();
      return;
    }
    this.stats.tcpConnections++;
    this.#connections.add(socket);
    const labels = { protocol: 'dns', listener };
    this.#metrics.connectionsTotal.inc(labels);
    this.#metrics.connectionsCurrent.inc(labels);
    socket.setNoDelay(true);
    socket.setTimeout(this.#options.tcpIdleTimeoutMs ?? DNS_TRANSPORT_LIMITS.tcpIdleTimeoutMs, () => {
      socket.end();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#connections.delete(socket);
      this.#counter.remove(ip);
      this.#metrics.connectionsCurrent.dec(labels);
    });
    const frames = new FrameReader();
    const context = { transport: 'tcp' as const, remoteAddress: ip, remotePort: socket.remotePort ?? 0 };
    let tap: TranscriptTap | undefined;
    /** The connection's transcript session, opened by its first watched event. */
    const tapped = (): TranscriptTap => {
      if (tap !== undefined) return tap;
      const opened = transcriptTap('dns', ip);
      socket.once('close', () => {
        opened('*', 'closed');
      });
      tap = opened;
      return opened;
    };
    if (transcriptActive()) tapped()('*', `connect from ${ip}:${context.remotePort} (tcp)`);
    socket.on('data', (chunk: Buffer) => {
      let packets: Buffer[];
      try {
        packets = frames.push(chunk);
      } catch {
        // A frame too short for a header: nothing sensible to answer; the stream is out of sync.
        if (transcriptActive()) tapped()('*', 'frame shorter than a DNS header: connection dropped');
        socket.destroy();
        return;
      }
      for (const packet of packets) {
        this.stats.tcpQueries++;
        // Replies are encoded within 65535 octets, so framing them cannot fail.
        const replies = this.#processor.process(packet, context);
        const send = (done: Buffer[]): void => {
          if (socket.destroyed) return;
          for (const reply of done) socket.write(frameMessage(reply));
          this.queries.count(true, packet, done[0]);
          if (transcriptActive()) tapExchange(tapped(), packet, done);
        };
        // An asynchronous handler's replies go out when ready, possibly out of order (RFC 7766 §7).
        if (Array.isArray(replies)) send(replies);
        else void replies.then(send, () => undefined);
      }
      if (socket.writableLength > DNS_TRANSPORT_LIMITS.maxTcpPendingOctets) {
        socket.pause();
        socket.once('drain', () => socket.resume());
      }
    });
  }
}

/** Creates a DNS server (not yet listening). */
export function createDnsServer(options: DnsServerOptions): DnsServer {
  return new DnsServer(options);
}

function listenTcp(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function bindUdp(socket: UdpSocket, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}
