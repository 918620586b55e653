/**
 * The admin listener's handler chain, declared here and nowhere else (see
 * src/http/chain/chain.ts): the methods gate, then /healthz and /metrics; any other path gets
 * the chain's 404.
 */
import type { Registry } from 'prom-client';
import type { HttpChain } from '../http/index.js';
import { healthzStep, methodsStep, metricsStep, type AdminExchange } from './steps.js';

/** What the admin chain reports. */
export interface AdminChainOptions {
  readonly registry: Registry;
  /** The services to list in /healthz. */
  readonly services: () => readonly string[];
  /** Whole seconds since the suite started. */
  readonly uptimeS: () => number;
}

/** The admin listener's chain. */
export function adminChain(options: AdminChainOptions): HttpChain<AdminExchange> {
  return [methodsStep(), healthzStep(options.services, options.uptimeS), metricsStep(options.registry)];
}
