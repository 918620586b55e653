/**
 * What the web server's steps share: the options of the web listener (sites, accounts, sessions,
 * access log, metrics, body limit) and the exchange its chain runs on, which the `target` step
 * completes with the checked request target (host, site, decoded path) for the steps after it.
 */
import type { AccountStore } from '../../core/accounts/store.js';
import type { Logger } from '../../core/logger.js';
import type { AccessLog } from '../access-log.js';
import type { SessionSigner } from '../cookies/session.js';
import type { HttpMetrics } from '../metrics.js';
import type { Site, SiteTable } from '../sites.js';
import type { HttpExchange } from './chain.js';

/** What the web server's handler works with; `sites` and `accessLog` may be swapped (reload). */
export interface HandlerOptions {
  sites: SiteTable;
  readonly accounts?: AccountStore | undefined;
  readonly sessions?: SessionSigner | undefined;
  accessLog?: AccessLog | undefined;
  readonly metrics?: HttpMetrics | undefined;
  readonly maxBodyBytes?: number | undefined;
  readonly logger?: Logger | undefined;
}

/** A request target the `target` step checked. */
export interface RequestTarget {
  /** From the absolute form's authority, else Host / :authority; lowercased, without port. */
  readonly host: string;
  readonly site: Site;
  /** The decoded path, confined (no `..`, no NUL). */
  readonly urlPath: string;
  readonly segments: readonly string[];
}

/** One request on the web listener. */
export interface WebExchange extends HttpExchange {
  /** Set by the `target` step; undefined before it ran. */
  target: RequestTarget | undefined;
}

/** The checked target; a step placed before `target` in the chain is a programming error. */
export function targetOf(exchange: WebExchange): RequestTarget {
  if (exchange.target === undefined) throw new Error('a web step ran before the target step');
  return exchange.target;
}
