// `outpost http` as a user runs it (through tsx, no build needed): -v prints request and
// response headers like curl, -d posts a form, -o writes a file, --cache makes the second GET
// conditional and says "304 Not Modified, served from cache", and the cookie jar is shared with
// curl in both directions. Exit codes follow curl's. It reaches ports fetch refuses (10080…),
// trusts a local suite's development certificate on loopback, and explains an untrusted one.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ALICE, run, startHttp, type HttpFixture } from './helpers.js';
import { FETCH_BAD_PORTS } from '../helpers/bad-ports.js';
import { tempDir } from '../helpers/temp.js';

const root = resolve(import.meta.dirname, '../..');
const entry = join(root, 'src', 'cli', 'main.ts');
let f: HttpFixture;
let work: string;

/** Runs `outpost http`; OUTPOST_DATA names no suite unless `env` says otherwise. */
function outpostHttp(args: string[], env: NodeJS.ProcessEnv = {}): ReturnType<typeof run> {
  return run(process.execPath, ['--import', 'tsx', entry, 'http', ...args], {
    cwd: root,
    env: { OUTPOST_DATA: join(work, 'no-suite'), ...env },
  });
}

before(async () => {
  f = await startHttp({ writers: [ALICE.address] });
  work = tempDir('outpost-http-cli-');
  writeFileSync(join(f.root, 'doc.txt'), 'cached document\n');
});
after(() => f.close());

test('-v prints "> " request and "< " response headers on stderr, the body on stdout', async () => {
  const r = await outpostHttp(['-v', '-H', 'X-Test: yes', `${f.base}/doc.txt`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'cached document\n');
  assert.match(r.stderr, /^> GET \/doc\.txt HTTP\/1\.1$/m);
  assert.match(r.stderr, new RegExp(`^> Host: 127\\.0\\.0\\.1:${f.port}$`, 'm'));
  assert.match(r.stderr, /^> X-Test: yes$/m);
  assert.match(r.stderr, /^> Connection: close$/m);
  assert.match(r.stderr, /^< HTTP\/1\.1 200 OK$/m);
  assert.match(r.stderr, /^< ETag: "/m);
  assert.match(r.stderr, /^< Content-Length: 16$/m);
});

test('-i includes the status line and headers; -o writes the body to a file', async () => {
  const i = await outpostHttp(['-i', `${f.base}/doc.txt`]);
  assert.match(i.stdout, /^HTTP\/1\.1 200 OK\r\n/);
  assert.ok(i.stdout.endsWith('\r\n\r\ncached document\n'));
  const out = join(work, 'o.txt');
  const o = await outpostHttp(['-o', out, `${f.base}/doc.txt`]);
  assert.equal(o.stdout, '');
  assert.equal(readFileSync(out, 'utf8'), 'cached document\n');
});

test('--cache: second GET is conditional and served from cache on 304', async () => {
  const cache = join(work, 'cache');
  const first = await outpostHttp(['--cache', cache, `${f.base}/doc.txt`]);
  assert.equal(first.stdout, 'cached document\n');
  assert.doesNotMatch(first.stderr, /304/);
  const second = await outpostHttp(['-v', '--cache', cache, `${f.base}/doc.txt`]);
  assert.equal(second.code, 0);
  assert.equal(second.stdout, 'cached document\n');
  assert.match(second.stderr, /^> If-None-Match: "/m);
  assert.match(second.stderr, /^< HTTP\/1\.1 304 Not Modified$/m);
  assert.match(second.stderr, /^304 Not Modified, served from cache$/m);
  writeFileSync(join(f.root, 'doc.txt'), 'changed document, longer\n');
  const third = await outpostHttp(['--cache', cache, `${f.base}/doc.txt`]);
  assert.equal(third.stdout, 'changed document, longer\n');
  assert.doesNotMatch(third.stderr, /served from cache/);
});

test('-d posts a urlencoded form (here: the login form); the cookie jar keeps the session', async () => {
  const jar = join(work, 'jar.txt');
  const login = await outpostHttp([
    '-c',
    jar,
    '-d',
    `user=${ALICE.address}`,
    '-d',
    `password=${ALICE.password}`,
    `${f.base}/login`,
  ]);
  assert.equal(login.code, 0, login.stderr);
  const text = readFileSync(jar, 'utf8');
  assert.match(text, /^# Netscape HTTP Cookie File/);
  assert.match(text, /^#HttpOnly_127\.0\.0\.1\tFALSE\t\/\tFALSE\t\d{10}\toutpost_session\t\S+$/m);
  const page = await outpostHttp(['-c', jar, `${f.base}/login`]);
  assert.match(page.stdout, /Signed in as <b id="user">alice@example\.test<\/b>/);
});

test('cookie jar shared with curl: curl writes, outpost reads; outpost writes, curl reads', async () => {
  const curlJar = join(work, 'curl-jar.txt');
  const c = await run('curl', [
    '-sS',
    '-c',
    curlJar,
    '-d',
    `user=${ALICE.address}&password=${ALICE.password}`,
    `${f.base}/login`,
  ]);
  assert.equal(c.code, 0, c.stderr);
  const ours = await outpostHttp(['--cookie-jar', curlJar, `${f.base}/login`]);
  assert.match(ours.stdout, /Signed in as/);
  const ourJar = join(work, 'our-jar.txt');
  await outpostHttp([
    '-c',
    ourJar,
    '-d',
    `user=${ALICE.address}`,
    '-d',
    `password=${ALICE.password}`,
    `${f.base}/login`,
  ]);
  const theirs = await run('curl', ['-sS', '-b', ourJar, `${f.base}/login`]);
  assert.match(theirs.stdout, /Signed in as <b id="user">alice@example\.test<\/b>/);
});

test('-T uploads with PUT and -u; -f turns an HTTP error into exit 22', async () => {
  const file = join(work, 'put.txt');
  writeFileSync(file, 'via outpost http\n');
  const put = await outpostHttp([
    '-u',
    `${ALICE.address}:${ALICE.password}`,
    '-T',
    file,
    `${f.base}/cli/put.txt`,
  ]);
  assert.equal(put.code, 0, put.stderr);
  assert.equal(readFileSync(join(f.root, 'cli', 'put.txt'), 'utf8'), 'via outpost http\n');
  const fail = await outpostHttp(['-f', `${f.base}/missing`]);
  assert.equal(fail.code, 22);
  const plain = await outpostHttp([`${f.base}/missing`]);
  assert.equal(plain.code, 0, 'like curl, an HTTP error status is not a failure without -f');
});

test('HTTPS with -k against the self-signed certificate; without it exit 60', async () => {
  const k = await outpostHttp(['-k', `${f.tlsBase}/doc.txt`]);
  assert.equal(k.code, 0, k.stderr);
  assert.match(k.stdout, /document/);
  const strict = await outpostHttp([`${f.tlsBase}/doc.txt`]);
  assert.equal(strict.code, 60, strict.stderr);
});

test('exit codes: connection refused 7, malformed URL 3', async () => {
  const { createServer } = await import('node:net');
  const probe = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => probe.once('listening', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  const refused = await outpostHttp([`http://127.0.0.1:${port}/`]);
  assert.equal(refused.code, 7);
  const bad = await outpostHttp(['http://[bad']);
  assert.equal(bad.code, 3);
});

/** Starts the HTTP service on the first free port of fetch's bad-port list (10080 first). */
async function startOnBadPort(): Promise<HttpFixture> {
  const candidates = [10080, 6000, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 4190, 5060, 5061, 6566];
  for (const port of candidates) {
    try {
      return await startHttp({ listen: [`127.0.0.1:${String(port)}`], root: f.root });
    } catch (err) {
      if ((err as { code?: string }).code !== 'EADDRINUSE') throw err;
    }
  }
  throw new Error(`every candidate bad port is busy: ${candidates.join(', ')}`);
}

test('reaches a server on a port fetch refuses ("bad port"), as curl does', async () => {
  const bad = await startOnBadPort();
  try {
    assert.ok(FETCH_BAD_PORTS.has(bad.port), `port ${String(bad.port)}`);
    await assert.rejects(fetch(`${bad.base}/doc.txt`), (err: Error) => {
      assert.equal((err.cause as Error).message, 'bad port');
      return true;
    });
    const r = await outpostHttp(['-v', `${bad.base}/doc.txt`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(join(f.root, 'doc.txt'), 'utf8'));
    assert.match(r.stderr, new RegExp(`^> Host: 127\\.0\\.0\\.1:${String(bad.port)}$`, 'm'));
    const c = await run('curl', ['-sS', `${bad.base}/doc.txt`]);
    assert.equal(c.stdout, r.stdout);
  } finally {
    await bad.close();
  }
});

test('HTTPS trusts the local suite development certificate on loopback; --cacert trusts a file', async () => {
  const dev = join(f.outpost.dataDir, 'tls', 'dev-cert.pem');
  assert.equal(readFileSync(dev, 'utf8'), f.ca);
  const auto = await outpostHttp(['-v', `${f.tlsBase}/doc.txt`], { OUTPOST_DATA: f.outpost.dataDir });
  assert.equal(auto.code, 0, auto.stderr);
  assert.match(auto.stdout, /document/);
  assert.match(auto.stderr, /trusting the local suite's development certificate .*dev-cert\.pem/);
  const byFile = await outpostHttp(['--cacert', dev, `${f.tlsBase}/doc.txt`]);
  assert.equal(byFile.code, 0, byFile.stderr);
  assert.match(byFile.stdout, /document/);
});

test('an untrusted certificate is explained: whose it is and how to trust it', async () => {
  const r = await outpostHttp([`${f.tlsBase}/doc.txt`]);
  assert.equal(r.code, 60, r.stderr);
  assert.match(r.stderr, /SSL certificate problem: self-signed certificate/);
  assert.match(r.stderr, /the certificate is CN=\S+ \(self-signed, names .*IP Address:127\.0\.0\.1/);
  assert.match(r.stderr, /To trust it: --cacert FILE, or export NODE_EXTRA_CA_CERTS=FILE/);
  assert.match(r.stderr, /-k/);
  const env = await outpostHttp([`${f.tlsBase}/doc.txt`], {
    NODE_EXTRA_CA_CERTS: join(f.outpost.dataDir, 'tls', 'dev-cert.pem'),
  });
  assert.equal(env.code, 0, env.stderr);
});
