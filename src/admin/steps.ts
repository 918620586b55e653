/**
 * The admin listener's steps: `methods` (GET and HEAD only, else 405), `healthz` (a small JSON
 * document: status, the services running, uptime) and `metrics` (the suite's prom-client registry
 * in the Prometheus text format, never cached).
 */
import type { Registry } from 'prom-client';
import { sendJson, sendText, writeHead, type HttpExchange, type HttpStep } from '../http/index.js';

/** One request on the admin listener. */
export interface AdminExchange extends HttpExchange {
  /** The request target without its query. */
  readonly path: string;
}

/** `methods`: the admin pages are read-only. */
export function methodsStep(): HttpStep<AdminExchange> {
  return {
    name: 'methods',
    handle: ({ res, method, head }) => {
      if (method === 'GET' || head) return 'next';
      sendText(res, 405, head, undefined, { Allow: 'GET, HEAD' });
      return 'done';
    },
  };
}

/** `healthz`: GET /healthz. */
export function healthzStep(
  services: () => readonly string[],
  uptimeS: () => number,
): HttpStep<AdminExchange> {
  return {
    name: 'healthz',
    handle: ({ res, path, head }) => {
      if (path !== '/healthz') return 'next';
      sendJson(res, 200, head, { status: 'ok', services: services(), uptimeS: uptimeS() });
      return 'done';
    },
  };
}

/** `metrics`: GET /metrics. */
export function metricsStep(registry: Registry): HttpStep<AdminExchange> {
  return {
    name: 'metrics',
    handle: async ({ res, path, head }) => {
      if (path !== '/metrics') return 'next';
      const body = Buffer.from(await registry.metrics(), 'utf8');
      writeHead(res, 200, {
        'Content-Type': registry.contentType,
        'Content-Length': body.length,
        'Cache-Control': 'no-store',
      });
      if (head) res.end();
      else res.end(body);
      return 'done';
    },
  };
}
