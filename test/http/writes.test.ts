// Writes on a site with `writers`: PUT 201/204 with If-None-Match: * and If-Match, DELETE,
// POST multipart file upload and urlencoded form, the auth rules (401 + WWW-Authenticate, 403
// for a non-writer, 405 on a read-only site), 413 that leaves no half-written file, writes
// confined to the root (also through symlinked directories), and the /login session cookie.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALICE, BOB, basic, rawExchange, request, startHttp, statuses, type HttpFixture } from './helpers.js';
import { tempDir } from '../helpers/temp.js';
import { eventually } from '../helpers/eventually.js';

let f: HttpFixture;
let outside: string;

before(async () => {
  f = await startHttp({ writers: [ALICE.address], max_body_size: 4096 });
  outside = tempDir('outpost-http-out-');
  symlinkSync(outside, join(f.root, 'escape'));
});
after(() => f.close());

const auth = { Authorization: basic(ALICE) };

test('PUT creates (201 + Location + ETag), replaces (204), If-None-Match: * refuses overwrite', async () => {
  const created = await request(`${f.base}/up/new%20file.txt`, {
    method: 'PUT',
    headers: auth,
    body: 'first',
  });
  assert.equal(created.status, 201);
  assert.equal(created.headers.location, '/up/new%20file.txt');
  assert.equal(readFileSync(join(f.root, 'up', 'new file.txt'), 'utf8'), 'first');
  const got = await request(`${f.base}/up/new%20file.txt`);
  assert.equal(got.body.toString(), 'first');
  assert.equal(got.headers.etag, created.headers.etag);
  const replaced = await request(`${f.base}/up/new%20file.txt`, {
    method: 'PUT',
    headers: auth,
    body: 'second!',
  });
  assert.equal(replaced.status, 204);
  assert.equal((await request(`${f.base}/up/new%20file.txt`)).body.toString(), 'second!');
  const guarded = await request(`${f.base}/up/new%20file.txt`, {
    method: 'PUT',
    headers: { ...auth, 'If-None-Match': '*' },
    body: 'x',
  });
  assert.equal(guarded.status, 412);
  const stale = await request(`${f.base}/up/new%20file.txt`, {
    method: 'PUT',
    headers: { ...auth, 'If-Match': '"stale"' },
    body: 'x',
  });
  assert.equal(stale.status, 412);
  assert.equal(readFileSync(join(f.root, 'up', 'new file.txt'), 'utf8'), 'second!');
});

test('DELETE removes a file (204), 404 when absent, 409 for a directory', async () => {
  writeFileSync(join(f.root, 'gone.txt'), 'bye');
  assert.equal((await request(`${f.base}/gone.txt`)).status, 200);
  assert.equal((await request(`${f.base}/gone.txt`, { method: 'DELETE', headers: auth })).status, 204);
  assert.equal(existsSync(join(f.root, 'gone.txt')), false);
  assert.equal((await request(`${f.base}/gone.txt`)).status, 404, 'the cache forgot it');
  assert.equal((await request(`${f.base}/gone.txt`, { method: 'DELETE', headers: auth })).status, 404);
  assert.equal((await request(`${f.base}/up`, { method: 'DELETE', headers: auth })).status, 409);
});

test('auth rules: no credentials 401 + WWW-Authenticate, wrong password 401, non-writer 403', async () => {
  const none = await request(`${f.base}/x.txt`, { method: 'PUT', body: 'x' });
  assert.equal(none.status, 401);
  assert.equal(none.headers['www-authenticate'], 'Basic realm="outpost", charset="UTF-8"');
  const wrong = await request(`${f.base}/x.txt`, {
    method: 'PUT',
    headers: { Authorization: basic({ ...ALICE, password: 'nope' }) },
    body: 'x',
  });
  assert.equal(wrong.status, 401);
  const bob = await request(`${f.base}/x.txt`, {
    method: 'PUT',
    headers: { Authorization: basic(BOB) },
    body: 'x',
  });
  assert.equal(bob.status, 403);
  assert.equal(existsSync(join(f.root, 'x.txt')), false);
  const options = await request(`${f.base}/`, { method: 'OPTIONS' });
  assert.equal(options.headers.allow, 'GET, HEAD, PUT, DELETE, POST, OPTIONS');
});

test('413 for an oversized body (declared or streamed), and no file or temp file is left', async () => {
  const big = 'x'.repeat(5000);
  const declared = await request(`${f.base}/big.txt`, { method: 'PUT', headers: auth, body: big });
  assert.equal(declared.status, 413);
  // Chunked: the size is only known while streaming.
  const raw = await rawExchange(
    f.port,
    `PUT /big2.txt HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic(ALICE)}\r\nTransfer-Encoding: chunked\r\n\r\n1388\r\n${big}\r\n0\r\n\r\n`,
  );
  assert.deepEqual(statuses(raw), [413]);
  assert.equal(existsSync(join(f.root, 'big.txt')), false);
  assert.equal(existsSync(join(f.root, 'big2.txt')), false);
  assert.deepEqual(
    readdirSync(f.root).filter((n) => n.startsWith('.outpost-upload-')),
    [],
  );
});

test('an aborted upload leaves nothing half-written', async () => {
  const { connect } = await import('node:net');
  const socket = connect({ port: f.port, host: '127.0.0.1' });
  await new Promise((r) => socket.once('connect', r));
  socket.write(
    `PUT /partial.txt HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic(ALICE)}\r\nContent-Length: 1000\r\n\r\n${'y'.repeat(300)}`,
  );
  await new Promise((r) => setTimeout(r, 200));
  socket.destroy();
  // The server cleans up once it notices the drop; give a loaded machine time to get there.
  const temps = (): string[] => readdirSync(f.root).filter((n) => n.startsWith('.outpost-upload-'));
  await eventually(() => temps().length === 0, {
    timeoutMs: 5_000,
    intervalMs: 50,
    what: 'the temporary file to go',
  });
  assert.equal(existsSync(join(f.root, 'partial.txt')), false);
  assert.deepEqual(temps(), []);
});

test('writes stay inside the root: traversal and symlinked directories refused', async () => {
  assert.equal(
    (await request(`${f.base}/escape/evil.txt`, { method: 'PUT', headers: auth, body: 'x' })).status,
    403,
  );
  assert.equal(existsSync(join(outside, 'evil.txt')), false);
  const raw = await rawExchange(
    f.port,
    `PUT /../evil.txt HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic(ALICE)}\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx`,
  );
  assert.deepEqual(statuses(raw), [403]);
  assert.equal(
    (await request(`${f.base}/.outpost-upload-x`, { method: 'PUT', headers: auth, body: 'x' })).status,
    403,
  );
});

test('POST multipart/form-data saves uploaded files into the directory', async () => {
  const form = new FormData();
  form.append('note', 'a plain field');
  form.append('file', new Blob([Buffer.from('uploaded bytes \r\n--not a boundary\r\n')]), 'report.txt');
  form.append('second', new Blob(['2']), '../../sneaky.txt');
  const res = await fetch(`${f.base}/`, { method: 'POST', headers: auth, body: form });
  assert.equal(res.status, 201);
  assert.deepEqual(await res.json(), { saved: ['report.txt', 'sneaky.txt'] });
  assert.equal(readFileSync(join(f.root, 'report.txt'), 'utf8'), 'uploaded bytes \r\n--not a boundary\r\n');
  assert.equal(
    readFileSync(join(f.root, 'sneaky.txt'), 'utf8'),
    '2',
    'the name is reduced to its last segment',
  );
  const bad = await request(`${f.base}/`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'multipart/form-data; boundary=b' },
    body: '--b\r\nContent-Disposition: form-data; name="f"; filename="z.txt"\r\n\r\nno end',
  });
  assert.equal(bad.status, 400);
  assert.equal(existsSync(join(f.root, 'z.txt')), false);
});

test('POST urlencoded form with filename + content writes that file', async () => {
  const res = await request(`${f.base}/`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'filename=form.txt&content=hello+form%21',
  });
  assert.equal(res.status, 201);
  assert.equal(readFileSync(join(f.root, 'form.txt'), 'utf8'), 'hello form!');
  const bad = await request(`${f.base}/`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'filename=..%2Fx&content=1',
  });
  assert.equal(bad.status, 400);
});

test('/login sets a signed HttpOnly SameSite cookie; /login shows the user; /logout clears it', async () => {
  const fail = await request(`${f.base}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `user=${encodeURIComponent(ALICE.address)}&password=wrong`,
  });
  assert.equal(fail.status, 403);
  assert.equal(fail.headers['set-cookie'], undefined);
  const ok = await request(`${f.base}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `user=${encodeURIComponent(ALICE.address)}&password=${encodeURIComponent(ALICE.password)}`,
  });
  assert.equal(ok.status, 303);
  const cookie = ok.headers['set-cookie']?.[0] ?? '';
  assert.match(
    cookie,
    /^outpost_session=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+; Max-Age=28800; Path=\/; HttpOnly; SameSite=Strict$/,
  );
  const pair = cookie.split(';')[0] ?? '';
  const page = await request(`${f.base}/login`, { headers: { Cookie: pair } });
  assert.match(page.body.toString(), /Signed in as <b id="user">alice@example\.test<\/b>/);
  // A changed MAC character, and the same MAC spelt non-canonically (the last base64url character
  // carries 2 spare bits that decoders ignore), are both refused.
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const at = (c: string | undefined, xor: number): string => B64[B64.indexOf(c ?? 'A') ^ xor] ?? '';
  const dot = pair.indexOf('.');
  const tampered = `${pair.slice(0, dot + 1)}${at(pair[dot + 1], 16)}${pair.slice(dot + 2)}`;
  const sameBits = `${pair.slice(0, -1)}${at(pair.at(-1), 1)}`;
  for (const forged of [tampered, sameBits]) {
    assert.notEqual(forged, pair);
    assert.doesNotMatch(
      (await request(`${f.base}/login`, { headers: { Cookie: forged } })).body.toString(),
      /Signed in/,
    );
  }
  const out = await request(`${f.base}/logout`, { method: 'POST', headers: { Cookie: pair } });
  assert.equal(out.status, 303);
  assert.match(
    out.headers['set-cookie']?.[0] ?? '',
    /^outpost_session=; Max-Age=0; Path=\/; HttpOnly; SameSite=Strict$/,
  );
});

test('over TLS the session cookie is Secure', async () => {
  const { request: httpsRequest } = await import('node:https');
  const status = await new Promise<{ status: number; cookie: string }>((resolve, reject) => {
    const body = `user=${encodeURIComponent(ALICE.address)}&password=${encodeURIComponent(ALICE.password)}`;
    const req = httpsRequest(
      `${f.tlsBase}/login`,
      {
        method: 'POST',
        ca: f.ca,
        servername: 'localhost',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': body.length },
      },
      (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, cookie: res.headers['set-cookie']?.[0] ?? '' });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  assert.equal(status.status, 303);
  assert.match(status.cookie, /; Secure; HttpOnly; SameSite=Strict$/);
});
