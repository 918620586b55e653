/**
 * The outbound queue's gauges: how many messages wait and how old the oldest is. They are read
 * from the store when Prometheus scrapes (`collect`), so the queue's hot paths do no accounting.
 */
import { Gauge, type Registry } from 'prom-client';
import type { OutboundQueue, QueueStats } from '../store/types.js';

/** Registers `outpost_queue_messages` and `outpost_queue_oldest_age_seconds` on `registry` once. */
export function registerQueueGauges(
  registry: Registry,
  queue: OutboundQueue,
  now: () => number = Date.now,
): void {
  if (registry.getSingleMetric('outpost_queue_messages') !== undefined) return;
  // A scrape collects both gauges at once: they share one read of the queue's stats.
  let pending: Promise<QueueStats> | null = null;
  const stats = (): Promise<QueueStats> =>
    (pending ??= queue.stats().finally(() => {
      pending = null;
    }));
  new Gauge({
    name: 'outpost_queue_messages',
    help: 'Messages waiting in the outbound queue',
    registers: [registry],
    async collect() {
      this.set((await stats()).messages);
    },
  });
  new Gauge({
    name: 'outpost_queue_oldest_age_seconds',
    help: 'Age of the oldest message in the outbound queue (0 when empty)',
    registers: [registry],
    async collect() {
      const oldest = (await stats()).oldestCreatedAt;
      this.set(oldest === null ? 0 : Math.max(0, now() - oldest.getTime()) / 1000);
    },
  });
}
