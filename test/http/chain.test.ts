// The handler chain: runChain runs steps in order until one answers (synchronously or after a
// promise), answers 404 when none does, and turns a throwing or rejecting step into a logged 500
// (or a reset once headers went out); the web and admin listeners' declared orders are the ones
// docs/http.md lists. Requests go through a real node:http listener and curl.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { runChain, type HttpChain, type HttpExchange } from '../../src/http/chain/chain.js';
import { webChain } from '../../src/http/chain/web.js';
import { adminChain } from '../../src/admin/chain.js';
import { sendText } from '../../src/http/responses.js';
import type { SiteTable } from '../../src/http/sites.js';
import { asResponse } from '../../src/http/types.js';
import { silentLogger, type Logger } from '../../src/core/logger.js';
import { run } from './helpers.js';

interface Trail extends HttpExchange {
  readonly trail: string[];
}

/** Serves `chain` on 127.0.0.1:0; the response body is the steps' trail (for steps that answer with it). */
async function serve(chain: HttpChain<Trail>, logger: Logger = silentLogger()) {
  const server = createServer((req, rawRes) => {
    const method = req.method ?? 'GET';
    runChain(
      chain,
      { req, res: asResponse(rawRes), secure: false, method, head: method === 'HEAD', trail: [] },
      logger,
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${String(port)}`,
    [Symbol.asyncDispose]: () =>
      new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      ),
  };
}

const passSync = (name: string) => ({
  name,
  handle: (x: Trail) => {
    x.trail.push(name);
    return 'next' as const;
  },
});
const passAsync = (name: string) => ({
  name,
  handle: async (x: Trail) => {
    await new Promise((r) => setImmediate(r));
    x.trail.push(name);
    return 'next' as const;
  },
});
const answer = (name: string, when: (x: Trail) => boolean) => ({
  name,
  handle: (x: Trail) => {
    if (!when(x)) return 'next' as const;
    x.trail.push(name);
    sendText(x.res, 200, x.head, x.trail.join(','));
    return 'done' as const;
  },
});

test('steps run in order, sync and async, until one answers; the rest never run', async () => {
  let after = 0;
  await using s = await serve([
    passSync('a'),
    passAsync('b'),
    passSync('c'),
    answer('d', (x) => x.req.url === '/d'),
    {
      name: 'e',
      handle: (x) => {
        after++;
        return answer('e', () => true).handle(x);
      },
    },
  ]);
  const d = await run('curl', ['-sS', `${s.base}/d`]);
  assert.equal(d.stdout, 'a,b,c,d\n');
  assert.equal(after, 0);
  const e = await run('curl', ['-sS', `${s.base}/e`]);
  assert.equal(e.stdout, 'a,b,c,e\n');
  assert.equal(after, 1);
});

test('a request no step answers gets 404', async () => {
  await using s = await serve([passSync('a'), passAsync('b')]);
  const r = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', `${s.base}/x`]);
  assert.equal(r.stdout, '404');
});

test('a step that throws or rejects becomes a logged 500', async () => {
  const errors: unknown[] = [];
  const logger = {
    ...silentLogger(),
    error: (obj: unknown) => {
      errors.push(obj);
    },
  } as unknown as Logger;
  await using s = await serve(
    [
      {
        name: 'sync',
        handle: (x) => {
          if (x.req.url === '/sync') throw new Error('boom');
          return 'next';
        },
      },
      {
        name: 'async',
        handle: async () => {
          await Promise.resolve();
          throw new Error('later');
        },
      },
    ],
    logger,
  );
  for (const path of ['/sync', '/async']) {
    const r = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', `${s.base}${path}`]);
    assert.equal(r.stdout, '500');
  }
  assert.equal(errors.length, 2);
});

test('the web and admin listeners declare their chains in this order', () => {
  // Building the chain reads no option: steps read the sites per request (a reload swaps them).
  const web = webChain({ sites: undefined as unknown as SiteTable }, 16_384, silentLogger());
  assert.deepEqual(
    web.map((s) => s.name),
    ['observe', 'header-limits', 'fast-static', 'target', 'login', 'writes', 'static', 'allow'],
  );
  const admin = adminChain({ registry: new Registry(), services: () => [], uptimeS: () => 0 });
  assert.deepEqual(
    admin.map((s) => s.name),
    ['methods', 'healthz', 'metrics'],
  );
});
