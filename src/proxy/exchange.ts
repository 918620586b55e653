/**
 * One request on a proxy listener as the proxy's steps see it (src/http/chain/chain.ts): the
 * common exchange plus the settings it is handled with and the client's address.
 */
import type { HttpExchange } from '../http/index.js';
import type { ProxySettings } from './settings.js';

/** One request on the proxy. */
export interface ProxyExchange extends HttpExchange {
  readonly settings: ProxySettings;
  /** The client's address as its socket reports it (`::ffff:` folded by the allow-list check). */
  readonly clientAddress: string;
}
