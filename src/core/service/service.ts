/**
 * The contract between the suite runtime and each protocol service. A service is declared once
 * in `services.ts` (the one ordered list of what `outpost serve` can run); the suite hands it a
 * context with the shared core (config, accounts, TLS, logger, metrics) and gets back something
 * that lists its endpoints, can reload, and closes by draining.
 */
import type { AccountStore } from '../accounts/store.js';
import type { OutpostConfig } from '../config/schema.js';
import type { Logger } from '../logger.js';
import type { ServiceMetrics } from '../metrics.js';
import type { TlsProvider } from '../tls.js';
import type { SharedResources } from './shared-resources.js';

/** One address a service answers on, as printed in the start-up table. */
export interface Endpoint {
  service: string;
  /** e.g. 'udp+tcp', 'tcp'. */
  transport: string;
  host: string;
  port: number;
  /** 'implicit' (TLS from the first byte), 'starttls' (upgrade offered), or 'none'. */
  tls: 'implicit' | 'starttls' | 'none';
  /** Which of a service's listeners this is, when it has several kinds (SMTP: mx, submission, smtps). */
  role?: string;
  note?: string;
}

/** What every service gets from the suite. */
export interface ServiceContext {
  config: OutpostConfig;
  accounts: AccountStore;
  /**
   * The suite's one TLS provider: configured `[tls]` files, or the development certificate when
   * an enabled service `offersTls`. Null when neither (or no certificate could be generated).
   */
  tls: TlsProvider | null;
  logger: Logger;
  /** The suite's one metric set (its `registry` is what the admin listener exposes). */
  metrics: ServiceMetrics;
  /** Resources shared between services (e.g. the mail store), closed after every service. */
  shared: SharedResources;
  /** Names of the services running so far, in start order (what /healthz reports). */
  serviceNames(): readonly string[];
  /**
   * Where HTTP access lines (Combined Log Format) go when `[http] access_log` names no file:
   * `outpost serve` writes them to stdout; an embedded suite has none, so it logs no requests.
   */
  accessLogOutput?: (line: string) => void;
}

/** A started service. */
export interface RunningService {
  readonly name: string;
  endpoints(): Endpoint[];
  /** Applies a new configuration without dropping connections where the protocol allows. */
  reload?(context: ServiceContext): Promise<void>;
  /** Stops accepting, drains, closes. Idempotent. */
  close(): Promise<void>;
}

/** A service the suite knows how to run. */
export interface ServiceDefinition {
  readonly name: string;
  /** True when the configuration asks for this service (its table is present). */
  enabled(config: OutpostConfig): boolean;
  /** True when, so configured, the service offers TLS (implicit listener, STARTTLS, HTTPS…):
   *  the suite then provides a certificate, generating the development one when none is set.
   *  Undeclared counts as true, so an embedder's own service is never silently left without. */
  offersTls?(config: OutpostConfig): boolean;
  /**
   * Checks what `start` would load from disk for `config` (zone files, directories, log files),
   * through the same functions and so with the same errors, without listening or writing
   * anything: `outpost config check` runs it. Absent: nothing to check beyond the config schema.
   */
  check?(config: OutpostConfig): void;
  start(context: ServiceContext): Promise<RunningService>;
}
