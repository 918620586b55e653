/**
 * Filling a cache for the memory figure of bench/proxy.ts: GET `/obj/0` … `/obj/N-1` through a
 * proxy over a few keep-alive connections, and read the origin's request counts, which tell how
 * many of those the proxy went on to serve from its cache.
 */
import { Agent, request } from 'node:http';

/** GETs one path and drains the body; resolves with the status and the body's length. */
function get(agent: Agent, port: number, path: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, bytes });
      });
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${path}: no answer in 10 s`)));
    req.on('error', reject);
    req.end();
  });
}

/** GETs `/obj/0` … `/obj/count-1` from 127.0.0.1:`port`, `concurrency` at a time; returns the non-200 count. */
export async function fetchObjects(port: number, count: number, concurrency = 16): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  let bad = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const n = next++;
      const r = await get(agent, port, `/obj/${n}`);
      if (r.status !== 200 || r.bytes !== 1024) bad++;
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return bad;
}

/** The origin's request counts: path → requests. */
export async function originCounts(originPort: number): Promise<Map<string, number>> {
  const res = await fetch(`http://127.0.0.1:${originPort}/_origin/stats`);
  return new Map(Object.entries((await res.json()) as Record<string, number>));
}

/** Requests the origin got for `/obj/…` paths. */
export function objectRequests(counts: ReadonlyMap<string, number>): number {
  let n = 0;
  for (const [path, c] of counts) if (path.startsWith('/obj/')) n += c;
  return n;
}
