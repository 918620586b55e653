// The admin listener: /healthz answers 200 JSON naming the running services, /metrics serves
// the suite registry in Prometheus text format including the HTTP counters, other paths 404 and
// other methods 405.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestOutpost } from '../../src/testing/index.js';

test('/healthz and /metrics on the admin listener', async () => {
  await using outpost = await startTestOutpost({
    config: { http: { listen: ['127.0.0.1:0'] }, admin: { listen: ['127.0.0.1:0'] } },
  });
  const admin = outpost.endpoints().find((e) => e.service === 'admin');
  const http = outpost.endpoints().find((e) => e.service === 'http');
  assert.ok(admin && http);
  const base = `http://127.0.0.1:${admin.port}`;
  const health = await fetch(`${base}/healthz`);
  assert.equal(health.status, 200);
  assert.equal(health.headers.get('content-type'), 'application/json');
  const body = (await health.json()) as { status: string; services: string[] };
  assert.equal(body.status, 'ok');
  assert.deepEqual(body.services, ['http', 'admin']);

  assert.equal((await fetch(`http://127.0.0.1:${http.port}/`)).status, 200);
  assert.equal((await fetch(`http://127.0.0.1:${http.port}/missing`)).status, 404);
  const metrics = await fetch(`${base}/metrics`);
  assert.equal(metrics.status, 200);
  assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await metrics.text();
  assert.match(text, /^# TYPE outpost_http_requests_total counter$/m);
  assert.match(text, /^outpost_http_requests_total\{class="2xx"\} 1$/m);
  assert.match(text, /^outpost_http_requests_total\{class="4xx"\} 1$/m);
  assert.match(text, /^outpost_http_response_bytes_total \d+$/m);
  assert.match(text, /^outpost_http_request_duration_seconds_count\{class="2xx"\} 1$/m);
  assert.match(text, /^outpost_http_request_duration_seconds_bucket\{class="4xx",le="\+Inf"\} 1$/m);
  assert.match(text, /^outpost_connections_total\{protocol="http",listener="127\.0\.0\.1:\d+"\} [12]$/m);

  assert.equal((await fetch(`${base}/nope`)).status, 404);
  const post = await fetch(`${base}/healthz`, { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET, HEAD');
});
