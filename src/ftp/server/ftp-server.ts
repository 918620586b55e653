/**
 * The embeddable FTP server: control connections on a TcpService (plain listeners offering AUTH
 * TLS, and implicit-TLS listeners, FTPS on 990 traditionally), each running an FtpSession. Shape
 * of every Outpost server: `createFtpServer(opts)`, `listen({port: 0, host, tls})` resolves with
 * the address, `address()`, idempotent draining `close()`, `[Symbol.asyncDispose]`.
 */
import type { SecureContext } from 'node:tls';
import type { LineConnection } from '../../core/line/connection.js';
import type { Logger } from '../../core/logger.js';
import { silentLogger } from '../../core/logger.js';
import { CommandMeter, createMetrics, type ServiceMetrics } from '../../core/metrics.js';
import { connectionLimits, TcpServer, type ConnectionLimitOptions } from '../../core/server/tcp-server.js';
import { TcpService, type BoundListener } from '../../core/server/tcp-service.js';
import { FTP_LIMITS } from '../limits.js';
import { COMMANDS } from '../session/commands.js';
import type { DataChannel } from '../session/data-channel.js';
import { FtpSession, type FtpSessionOptions } from '../session/session.js';
import { SocketDataChannel } from './data-channel.js';

/** Options of createFtpServer: the session's, plus transport limits. */
export interface FtpServerOptions
  extends
    Omit<FtpSessionOptions, 'implicitTls' | 'tlsContext' | 'commands' | 'dataBytes' | 'dataChannel'>,
    ConnectionLimitOptions {
  /** The data channel of each control connection (default: sockets, with `passivePorts`). */
  dataChannel?: (conn: LineConnection) => DataChannel;
  /** Current TLS context (AUTH TLS, PROT P, implicit FTPS); called per use so reloads apply. */
  tlsContext?: () => SecureContext | undefined;
  idleTimeoutMs?: number;
  logger?: Logger;
  /** Connections, commands and data octets are recorded here (a private set when absent). */
  metrics?: ServiceMetrics;
}

/** What a reload may change (`reconfigure`): each session keeps those it was accepted with. */
export type FtpSettings = Pick<
  FtpServerOptions,
  | 'anonymousRoot'
  | 'loginPolicy'
  | 'passivePorts'
  | 'passiveAddress'
  | 'idleTimeoutMs'
  | 'dataConnectTimeoutMs'
  | 'dataIdleTimeoutMs'
  | 'fsync'
>;

const PASS_LINE = /^(\s*PASS)(\s.*)?$/i;

/** Shows `PASS ****` in transcripts, whatever the client sent (passwords never logged). */
export function redactFtpLine(line: string): string {
  return PASS_LINE.test(line) ? line.replace(PASS_LINE, '$1 ****') : line;
}

/** An FTP server (listen, address, close and the rest: TcpServer). */
export class FtpServer extends TcpServer<FtpServerOptions> {
  readonly service: TcpService<FtpServerOptions>;
  readonly #meters: Pick<FtpSessionOptions, 'commands' | 'dataBytes'>;

  constructor(options: FtpServerOptions) {
    super();
    const logger = options.logger ?? silentLogger();
    const metrics = options.metrics ?? createMetrics();
    this.#meters = {
      commands: new CommandMeter(metrics, 'ftp', COMMANDS.keys()),
      dataBytes: metrics.ftpDataBytes,
    };
    this.service = new TcpService({
      protocol: 'ftp',
      handle: (conn, listener, settings) => this.#handle(conn, listener, settings),
      settings: options,
      connection: (settings) => ({
        maxLineOctets: FTP_LIMITS.maxCommandOctets,
        idleTimeoutMs: settings.idleTimeoutMs ?? FTP_LIMITS.idleTimeoutMs,
        redact: redactFtpLine,
      }),
      ...(options.tlsContext ? { tlsContext: options.tlsContext } : {}),
      busyReply: '421 Too many connections, try again later',
      ...connectionLimits(options),
      logger,
      metrics,
    });
  }

  /** TcpServer's service: `service`, public since the first release. */
  protected get tcp(): TcpService<FtpServerOptions> {
    return this.service;
  }

  /** Gives sessions accepted from now on `settings`; open sessions keep the ones they began with. */
  reconfigure(settings: FtpSettings): void {
    this.service.reconfigure({ ...this.service.settings, ...settings });
  }

  async #handle(conn: LineConnection, listener: BoundListener, settings: FtpServerOptions): Promise<void> {
    const session = new FtpSession(conn, {
      ...settings,
      ...this.#meters,
      tlsContext: settings.tlsContext,
      dataChannel:
        settings.dataChannel ?? ((c) => new SocketDataChannel(c, { passivePorts: settings.passivePorts })),
      implicitTls: listener.tls,
    });
    await session.run();
  }
}

/** Creates an FTP server (call listen() to bind). */
export function createFtpServer(options: FtpServerOptions): FtpServer {
  return new FtpServer(options);
}
