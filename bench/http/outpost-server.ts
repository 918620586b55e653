/**
 * Outpost's HTTP server for the benchmark, as an embedding program would start it: createHttpServer
 * over one site root, plain HTTP/1.1 on 127.0.0.1:PORT, silent logger, no access log. With
 * WORKERS > 1 it forks that many node:cluster workers that share the listening socket (the
 * `--workers N` option of bench/http.ts). Usage: outpost-server.ts PORT ROOT [WORKERS]
 */
import cluster from 'node:cluster';
import { createHttpServer } from '../../src/http/server.js';
import { SiteTable } from '../../src/http/sites.js';

const port = Number(process.argv[2]);
const root = process.argv[3] ?? '.';
const workers = Number(process.argv[4] ?? '1');

if (workers > 1 && cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  const stop = (): void => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  const server = createHttpServer({ sites: new SiteTable({ root }, []) });
  await server.listen({ host: '127.0.0.1', port });
  process.on('SIGTERM', () => {
    void server.close().then(() => process.exit(0));
  });
}
