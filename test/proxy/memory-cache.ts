/**
 * A minimal ProxyCache for the server's tests (the engine's RFC 9111 rules are tested in
 * test/proxy/cache/): GET 200 answers are stored whole in memory by URL and served as hits until
 * purged; unsafe methods invalidate the URL. It records every admitted sink's outcome, so a test
 * can see that nothing partial was stored. `sinkDelayMs` slows the sink's `end` (a slow disk).
 */
import type {
  BodySink,
  CacheRequest,
  Hit,
  Lookup,
  OriginHead,
  ProxyCache,
} from '../../src/proxy/cache/index.js';

interface Stored {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
}

export class MemoryCache implements ProxyCache {
  readonly stored = new Map<string, Stored>();
  /** What each admitted sink ended as: 'stored' or 'aborted'. */
  readonly outcomes: string[] = [];

  key(req: CacheRequest): string | undefined {
    return req.method === 'GET' ? req.url : undefined;
  }

  lookup(req: CacheRequest): Promise<Lookup> {
    const entry = req.method === 'GET' || req.method === 'HEAD' ? this.stored.get(req.url) : undefined;
    if (entry !== undefined) return Promise.resolve(this.#hit(entry));
    return Promise.resolve({
      kind: 'miss',
      requestHeaders: req.headers,
      status: { hit: false, fwd: 'uri-miss' },
    });
  }

  admit(req: CacheRequest, head: OriginHead): BodySink | undefined {
    if (req.method !== 'GET' && req.method !== 'HEAD') this.stored.delete(req.url);
    if (req.method !== 'GET' || head.status !== 200) return undefined;
    const chunks: Buffer[] = [];
    let aborted = false;
    return {
      write: (chunk) => {
        chunks.push(chunk);
        return true;
      },
      drained: () => Promise.resolve(),
      end: () => {
        if (aborted) return Promise.resolve(false);
        this.stored.set(req.url, { status: head.status, headers: head.headers, body: Buffer.concat(chunks) });
        this.outcomes.push('stored');
        return Promise.resolve(true);
      },
      abort: () => {
        aborted = true;
        this.outcomes.push('aborted');
      },
    };
  }

  revalidated(req: CacheRequest): Promise<Lookup> {
    return this.lookup(req);
  }

  staleIfError(): Promise<Hit | undefined> {
    return Promise.resolve(undefined);
  }

  purge(url: string): Promise<boolean> {
    return Promise.resolve(this.stored.delete(url));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #hit(entry: Stored): Hit {
    const headers = entry.headers.filter(([n]) => n.toLowerCase() !== 'content-length');
    return {
      kind: 'hit',
      response: {
        status: entry.status,
        headers: [...headers, ['Content-Length', String(entry.body.length)], ['Age', '0']],
        body: { kind: 'buffer', data: entry.body },
        length: entry.body.length,
      },
      status: { hit: true, ttl: 60 },
    };
  }
}
