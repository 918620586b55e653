/**
 * The bare node:http ceiling for the benchmark: answers every request with the same 1 KiB
 * buffer from memory, no routing, no file system. Usage: node-bare-server.ts PORT [WORKERS]
 */
import cluster from 'node:cluster';
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
const workers = Number(process.argv[3] ?? '1');
const body = Buffer.alloc(1024, 'x');

if (workers > 1 && cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
    process.exit(0);
  });
} else {
  createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
    res.end(body);
  }).listen(port, '127.0.0.1');
}
