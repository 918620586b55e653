// The access log in Combined Log Format, written to `[http] access_log` (relative to the data
// directory): one line per response with client, user, time, request line, status, bytes,
// Referer and User-Agent, for HTTP/1.1 and HTTP/2 alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request, run, startHttp } from './helpers.js';
import { eventually } from '../helpers/eventually.js';

test('access_log file gets one Combined Log Format line per request', async () => {
  await using f = await startHttp({ access_log: 'access.log' });
  writeFileSync(join(f.root, 'x.txt'), 'twelve bytes');
  await request(`${f.base}/x.txt?q=1`, {
    headers: { Referer: 'http://ref.test/', 'User-Agent': 'tester/1.0' },
  });
  await request(`${f.base}/missing`, { method: 'HEAD' });
  const caFile = join(f.outpost.dataDir, 'ca-copy.pem');
  writeFileSync(caFile, f.ca);
  const h2 = await run('curl', [
    '-sS',
    '--http2',
    '--cacert',
    caFile,
    '--resolve',
    `localhost:${f.tlsPort}:127.0.0.1`,
    '-o',
    '/dev/null',
    `https://localhost:${f.tlsPort}/x.txt`,
  ]);
  assert.equal(h2.code, 0, h2.stderr);
  const file = join(f.outpost.dataDir, 'access.log');
  const read = (): string[] =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
  const lines = await eventually(() => read().length >= 3 && read(), {
    timeoutMs: 2_000,
    what: 'three log lines',
  });
  assert.equal(lines.length, 3);
  assert.match(
    lines[0] ?? '',
    /^127\.0\.0\.1 - - \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "GET \/x\.txt\?q=1 HTTP\/1\.1" 200 12 "http:\/\/ref\.test\/" "tester\/1\.0"$/,
  );
  assert.match(lines[1] ?? '', /"HEAD \/missing HTTP\/1\.1" 404 - "-" "-"$/);
  assert.match(lines[2] ?? '', /"GET \/x\.txt HTTP\/2\.0" 200 12 "-" "curl\/[\d.]+"$/);
});
