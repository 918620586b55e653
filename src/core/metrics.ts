/**
 * Metrics with prom-client on a per-instance Registry (never the global one), so two servers in
 * one process, or one test after another, never share or collide on counters. Servers record
 * connections and commands here; the HTTP admin listener will expose `registry.metrics()`.
 */
import { Counter, Gauge, Registry } from 'prom-client';

/** The metrics every service records, labelled by protocol. */
export interface ServiceMetrics {
  readonly registry: Registry;
  readonly connectionsTotal: Counter<'protocol'>;
  readonly connectionsActive: Gauge<'protocol'>;
  readonly connectionsRefused: Counter<'protocol' | 'reason'>;
  readonly commandsTotal: Counter<'protocol' | 'command'>;
  readonly authFailures: Counter<'protocol'>;
}

/** Creates the standard metric set on a fresh (or given) registry. */
export function createMetrics(registry: Registry = new Registry()): ServiceMetrics {
  return {
    registry,
    connectionsTotal: new Counter({
      name: 'outpost_connections_total',
      help: 'Connections accepted',
      labelNames: ['protocol'],
      registers: [registry],
    }),
    connectionsActive: new Gauge({
      name: 'outpost_connections_active',
      help: 'Connections open now',
      labelNames: ['protocol'],
      registers: [registry],
    }),
    connectionsRefused: new Counter({
      name: 'outpost_connections_refused_total',
      help: 'Connections refused by limits',
      labelNames: ['protocol', 'reason'],
      registers: [registry],
    }),
    commandsTotal: new Counter({
      name: 'outpost_commands_total',
      help: 'Commands received',
      labelNames: ['protocol', 'command'],
      registers: [registry],
    }),
    authFailures: new Counter({
      name: 'outpost_auth_failures_total',
      help: 'Failed authentications',
      labelNames: ['protocol'],
      registers: [registry],
    }),
  };
}
