/**
 * The origin behind every proxy in bench/proxy.ts: a bare node:http server on 127.0.0.1:PORT
 * answering the benchmark files of DOCROOT from memory and `/obj/N` (1 KiB, different bytes for
 * each N: the objects of the memory figure), all cacheable for a day (Cache-Control, ETag,
 * Last-Modified), and `/_origin/stats` (never cached): how many requests each path got, so the
 * bench can show that the measured load was served from the proxies' caches.
 * Usage: origin-server.ts PORT DOCROOT
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

const port = Number(process.argv[2]);
const docroot = process.argv[3] ?? '.';
const OBJECT_SIZE = 1024;

const files = new Map(readdirSync(docroot).map((name) => [`/${name}`, readFileSync(join(docroot, name))]));
const counts = new Map<string, number>();
const lastModified = new Date(Date.now() - 86_400_000).toUTCString();

function objectBody(n: number): Buffer {
  const body = Buffer.alloc(OBJECT_SIZE, 0x61 + (n % 26));
  body.write(`object ${n}\n`);
  return body;
}

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (path === '/_origin/stats') {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(Object.fromEntries(counts)));
    return;
  }
  counts.set(path, (counts.get(path) ?? 0) + 1);
  const m = /^\/obj\/(\d{1,9})$/.exec(path);
  const body = m?.[1] !== undefined ? objectBody(Number(m[1])) : files.get(path);
  if (body === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) {
    res.writeHead(404, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
    res.end('not found\n');
    return;
  }
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': body.length,
    'cache-control': 'public, max-age=86400',
    etag: `"${path.slice(1).replace(/[^\w.]/g, '-')}"`,
    'last-modified': lastModified,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
