// The forward proxy with real clients: curl -x and wget through it to a local origin (plain
// HTTP), curl -x to an https:// URL through a CONNECT tunnel to a local TLS server, CONNECT to a
// port outside connect_ports (403), a client outside `allow` (403, from 127.0.0.2), an
// origin-form request (400) and a request that loops back to the proxy itself (508).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { rawExchange } from '../http/helpers.js';
import { tempDir } from '../helpers/temp.js';
import { run, startOrigin, startProxy, type Origin, type ProxyFixture } from './helpers.js';

let origin: Origin;
let proxy: ProxyFixture;
let tlsOrigin: HttpsServer;
let tlsPort: number;
let work: string;

before(async () => {
  origin = await startOrigin((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(`origin saw ${req.method ?? ''} ${req.url ?? ''} host=${req.headers.host ?? ''}\n`);
  });
  work = tempDir('outpost-proxy-forward-');
  proxy = await startProxy({ connect_ports: [443], tls_listen: ['127.0.0.1:0'] });
  // A TLS origin with the suite's development certificate (localhost), for CONNECT.
  const tls = proxy.outpost.suite.context.tls;
  if (!tls) throw new Error('no TLS');
  tlsOrigin = createHttpsServer(
    {
      SNICallback: (_n, cb) => {
        cb(null, tls.current());
      },
    },
    (req, res) => {
      res.end(`secure ${req.url ?? ''}\n`);
    },
  );
  tlsOrigin.listen(0, '127.0.0.1');
  await once(tlsOrigin, 'listening');
  tlsPort = (tlsOrigin.address() as AddressInfo).port;
  writeFileSync(join(work, 'ca.pem'), proxy.ca ?? '');
});
after(async () => {
  tlsOrigin.closeAllConnections();
  tlsOrigin.close();
  await proxy.close();
  await origin.close();
});

test('curl -x fetches an http:// URL through the proxy, Host from the URL', async () => {
  const r = await run('curl', ['-sS', '-i', '-x', proxy.base, `${origin.url}/a?b=1`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^HTTP\/1\.1 200/);
  assert.match(r.stdout, /^via: 1\.1 localhost$/im);
  assert.match(r.stdout, new RegExp(`origin saw GET /a\\?b=1 host=127\\.0\\.0\\.1:${String(origin.port)}`));
});

test('wget with http_proxy fetches through the proxy', async () => {
  const out = join(work, 'wget.txt');
  const r = await run('wget', [
    '-q',
    '-e',
    'use_proxy=yes',
    '-e',
    `http_proxy=${proxy.base}`,
    '-O',
    out,
    `${origin.url}/wget`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const { readFileSync } = await import('node:fs');
  assert.match(readFileSync(out, 'utf8'), /origin saw GET \/wget/);
});

test('curl -x to https:// goes through a CONNECT tunnel (port allowed by connect_ports)', async () => {
  proxy.service.server.reconfigure({ ...proxy.service.server.settings, connectPorts: new Set([tlsPort]) });
  const r = await run('curl', [
    '-sS',
    '-x',
    proxy.base,
    '--cacert',
    join(work, 'ca.pem'),
    `https://localhost:${String(tlsPort)}/tunnelled`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'secure /tunnelled\n');
});

test('CONNECT to a port outside connect_ports is 403, and so is an unknown target', async () => {
  proxy.service.server.reconfigure({ ...proxy.service.server.settings, connectPorts: new Set([443]) });
  const raw = await rawExchange(
    proxy.port,
    `CONNECT 127.0.0.1:${String(tlsPort)} HTTP/1.1\r\nHost: x\r\n\r\n`,
  );
  assert.match(raw, /^HTTP\/1\.1 403 Forbidden/);
  const r = await run('curl', ['-sS', '-x', proxy.base, '-k', `https://localhost:${String(tlsPort)}/`]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /403/);
  const bad = await rawExchange(proxy.port, 'CONNECT nonsense HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.match(bad, /^HTTP\/1\.1 400/);
});

test('a client outside allow gets 403, for requests and CONNECT', async () => {
  await using narrow = await startProxy({ allow: ['127.0.0.1/32'], connect_ports: [tlsPort] });
  const r = await run('curl', [
    '-sS',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    '--interface',
    '127.0.0.2',
    '-x',
    narrow.base,
    `${origin.url}/x`,
  ]);
  assert.equal(r.stdout, '403');
  const ok = await run('curl', [
    '-sS',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    '-x',
    narrow.base,
    `${origin.url}/x`,
  ]);
  assert.equal(ok.stdout, '200');
  const tunnel = await run('curl', [
    '-sS',
    '--interface',
    '127.0.0.2',
    '-x',
    narrow.base,
    '-k',
    `https://localhost:${String(tlsPort)}/`,
  ]);
  assert.notEqual(tunnel.code, 0);
  assert.match(tunnel.stderr, /403/);
});

test('an origin-form request to a forward proxy is 400; asking the proxy for itself is 508', async () => {
  const raw = await rawExchange(
    proxy.port,
    'GET /x HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n',
  );
  assert.match(raw, /^HTTP\/1\.1 400/);
  assert.match(raw, /absolute URL/);
  const loop = await run('curl', [
    '-sS',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    '-x',
    proxy.base,
    `${proxy.base}/self`,
  ]);
  assert.equal(loop.stdout, '508');
});
