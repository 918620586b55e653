// The HTTP transcript on the shared tap, watched with recordTranscript while real clients (curl
// over HTTP/1.1 and over HTTP/2 with TLS) talk to the suite: connect/close entries, request and
// status lines, header fields, body summaries, credentials and cookies redacted. And the
// zero-cost promise: without a subscriber nothing is wrapped or published.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { connect as connectHttp2, constants } from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { transcriptActive, type TranscriptEntry } from '../../src/core/transcript.js';
import { createHttpServer } from '../../src/http/server.js';
import { SiteTable } from '../../src/http/sites.js';
import { bodySummary, describeLine, offendingLine, redactHeaderValue } from '../../src/http/transcript.js';
import { recordTranscript } from '../../src/testing/index.js';
import { ALICE, basic, rawExchange, request, run, startHttp, statuses, type HttpFixture } from './helpers.js';
import { tempDir } from '../helpers/temp.js';
import { eventually } from '../helpers/eventually.js';

let f: HttpFixture;
let work: string;
const PAYLOAD = Buffer.alloc(1234, 0x61);
const COOKIE_SECRET = 'cookie-secret-value-42';
const CREDENTIALS = `${ALICE.address}:${ALICE.password}`;

before(async () => {
  f = await startHttp({ writers: [ALICE.address] });
  work = tempDir('outpost-http-transcript-');
  writeFileSync(join(work, 'payload.txt'), PAYLOAD);
  writeFileSync(join(f.root, 'hello.txt'), 'hello');
  writeFileSync(join(work, 'index.html'), '<p>hi</p>');
});
after(() => f.close());

type CurlRun = Awaited<ReturnType<typeof run>>;

/**
 * Runs curl once per argument list (one connection each) while recording the HTTP transcript,
 * then waits (bounded) until `done` holds for the entries (by default: that many connections
 * closed); the assertions follow.
 */
async function watchCurl(
  runs: readonly (readonly string[])[],
  done: (e: TranscriptEntry[]) => boolean = (e) =>
    texts(e, '*').filter((t) => t === 'closed').length >= runs.length,
): Promise<{ results: CurlRun[]; entries: TranscriptEntry[] }> {
  const rec = recordTranscript((e) => e.protocol === 'http');
  try {
    const results: CurlRun[] = [];
    for (const args of runs) results.push(await run('curl', args));
    await eventually(() => done(rec.entries), {
      timeoutMs: 2_000,
      intervalMs: 10,
      what: 'the transcript entries',
    });
    return { results, entries: rec.entries };
  } finally {
    rec.stop();
  }
}

const texts = (entries: TranscriptEntry[], direction: TranscriptEntry['direction']): string[] =>
  entries.filter((e) => e.direction === direction).map((e) => e.text);

/** No entry shows a password, the Basic token or the cookie's value. */
function assertNoSecrets(entries: TranscriptEntry[]): void {
  const token = Buffer.from(CREDENTIALS).toString('base64');
  for (const e of entries) {
    assert.ok(!e.text.includes(ALICE.password), `password leaked: ${e.text}`);
    assert.ok(!e.text.includes(token), `basic token leaked: ${e.text}`);
    assert.ok(!e.text.includes(COOKIE_SECRET), `cookie leaked: ${e.text}`);
  }
}

test('curl HTTP/1.1: PUT with -u and a Cookie, then GET; lines, body summaries, redaction', async () => {
  const upload = join(work, 'payload.txt');
  const url = `${f.base}/payload.txt`;
  const cookie = `Cookie: sid=${COOKIE_SECRET}; theme=dark`;
  const { results, entries } = await watchCurl([
    ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-u', CREDENTIALS, '-H', cookie, '-T', upload, url],
    ['-sS', '-u', CREDENTIALS, url],
  ]);
  assert.equal(results[0]?.stdout, '201', results[0]?.stderr);
  assert.equal(results[1]?.stdout, PAYLOAD.toString());
  const sessions = new Set(entries.map((e) => e.sessionId));
  assert.equal(sessions.size, 2, 'one session per curl connection');
  for (const id of sessions) {
    const own = entries.filter((e) => e.sessionId === id);
    assert.match(own[0]?.text ?? '', /^connect from 127\.0\.0\.1:\d+$/);
    assert.equal(own[0]?.direction, '*');
    assert.equal(own.at(-1)?.text, 'closed');
    assert.ok(own.every((e) => e.remoteAddress === '127.0.0.1'));
  }
  const c = texts(entries, 'C');
  const s = texts(entries, 'S');
  assert.ok(c.includes('PUT /payload.txt HTTP/1.1'), c.join('\n'));
  assert.ok(c.includes(`Host: 127.0.0.1:${f.port}`));
  assert.ok(c.includes('Authorization: Basic [redacted]'), c.join('\n'));
  assert.ok(c.includes('Cookie: sid=[redacted]; theme=[redacted]'), c.join('\n'));
  assert.ok(c.includes('Content-Length: 1234'));
  assert.ok(c.includes('[body 1,234 octets]'), c.join('\n'));
  assert.ok(c.includes('GET /payload.txt HTTP/1.1'));
  assert.ok(s.includes('HTTP/1.1 201 Created'), s.join('\n'));
  assert.ok(s.includes('HTTP/1.1 200 OK'), s.join('\n'));
  assert.ok(s.includes('Content-Length: 1234'), s.join('\n'));
  assert.ok(s.includes('[body 1,234 octets]'), s.join('\n'));
  // The request body line comes after its header fields and before the status line.
  const order = entries.map((e) => `${e.direction}: ${e.text}`);
  assert.ok(order.indexOf('C: [body 1,234 octets]') > order.indexOf('C: Content-Length: 1234'));
  assert.ok(order.indexOf('C: [body 1,234 octets]') < order.indexOf('S: HTTP/1.1 201 Created'));
  assertNoSecrets(entries);
});

test('curl --http2 over TLS: ALPN in the connect entry, pseudo request line, :authority as Host', async () => {
  const { results, entries } = await watchCurl([
    ['-sSk', '--http2', '-u', CREDENTIALS, '-H', `Cookie: sid=${COOKIE_SECRET}`, `${f.tlsBase}/hello.txt`],
  ]);
  assert.equal(results[0]?.stdout, 'hello', results[0]?.stderr);
  assert.equal(new Set(entries.map((e) => e.sessionId)).size, 1);
  assert.match(entries[0]?.text ?? '', /^connect from 127\.0\.0\.1:\d+, TLS TLSv1\.[23], ALPN h2$/);
  const c = texts(entries, 'C');
  const s = texts(entries, 'S');
  assert.equal(c[0], 'GET /hello.txt HTTP/2');
  assert.equal(c[1], `Host: 127.0.0.1:${f.tlsPort}`);
  assert.ok(!c.some((t) => t.startsWith(':')), 'no other pseudo-header fields');
  assert.ok(c.includes('authorization: Basic [redacted]'), c.join('\n'));
  assert.ok(c.includes('cookie: sid=[redacted]'), c.join('\n'));
  assert.equal(s[0], 'HTTP/2 200');
  assert.ok(s.includes('content-length: 5'), s.join('\n'));
  assert.equal(s.at(-1), '[body 5 octets]');
  assert.equal(entries.at(-1)?.text, 'closed');
  assertNoSecrets(entries);
});

test('an HTTP/2 download the client cancels (RST_STREAM) is recorded as aborted, not complete', async () => {
  writeFileSync(join(f.root, 'big.bin'), Buffer.alloc(8 * 1024 * 1024, 1));
  const rec = recordTranscript((e) => e.protocol === 'http');
  try {
    const session = connectHttp2(f.tlsBase, { rejectUnauthorized: false });
    session.on('error', () => undefined);
    const stream = session.request({ ':path': '/big.bin' });
    stream.on('error', () => undefined);
    await once(stream, 'data');
    stream.close(constants.NGHTTP2_CANCEL);
    await once(stream, 'close');
    session.close();
    await eventually(() => texts(rec.entries, '*').includes('closed'), {
      timeoutMs: 2_000,
      intervalMs: 10,
      what: 'closed',
    });
  } finally {
    rec.stop();
  }
  const star = texts(rec.entries, '*');
  assert.ok(
    star.some((t) => /^response aborted after [\d,]+ body octets$/.test(t)),
    star.join('\n'),
  );
  assert.ok(!texts(rec.entries, 'S').some((t) => t.startsWith('[body')), 'no completed-body line');
});

test('curl over TLS with HTTP/1.1 by ALPN, HEAD has no body line', async () => {
  const { results, entries } = await watchCurl([['-sSk', '--http1.1', '-I', `${f.tlsBase}/hello.txt`]]);
  assert.equal(results[0]?.code, 0, results[0]?.stderr);
  assert.match(entries[0]?.text ?? '', /, ALPN http\/1\.1$/);
  assert.ok(texts(entries, 'C').includes('HEAD /hello.txt HTTP/1.1'));
  assert.ok(texts(entries, 'S').includes('HTTP/1.1 200 OK'));
  assert.ok(!entries.some((e) => e.text.startsWith('[body')), 'a HEAD response has no body');
});

test('login: the password in the form body and the Set-Cookie value never appear', async () => {
  const form = `user=${encodeURIComponent(ALICE.address)}&password=${encodeURIComponent(ALICE.password)}`;
  const { results, entries } = await watchCurl([
    ['-sS', '-D', '-', '-o', '/dev/null', '-d', form, `${f.base}/login`],
  ]);
  const cookie = /^set-cookie: [^=]+=([^;]+)/im.exec(results[0]?.stdout ?? '');
  assert.ok(cookie?.[1], results[0]?.stdout);
  for (const e of entries) assert.ok(!e.text.includes(cookie[1]), `session cookie leaked: ${e.text}`);
  const s = texts(entries, 'S');
  assert.ok(
    s.some((t) => /^Set-Cookie: [^=;]+=\[redacted\]; .*HttpOnly/i.test(t)),
    s.join('\n'),
  );
  assert.ok(texts(entries, 'C').includes(bodySummary(Buffer.byteLength(form))));
  assertNoSecrets(entries);
});

test('a failed TLS handshake is one * entry', async () => {
  // Without -k curl rejects the self-signed certificate and aborts the handshake.
  const { results, entries } = await watchCurl([['-sS', `${f.tlsBase}/hello.txt`]], (e) => e.length > 0);
  assert.notEqual(results[0]?.code, 0);
  assert.equal(entries.length, 1, entries.map((e) => e.text).join('\n'));
  assert.match(entries[0]?.text ?? '', /^TLS handshake from 127\.0\.0\.1:\d+ failed: /);
});

test("requests the parser refuses: the line it stopped in, its reason, node:http's own status", async () => {
  const rec = recordTranscript((e) => e.protocol === 'http');
  const exchanges: [string | Buffer, number[]][] = [
    // Pipelined after a good request whose response is under way: no error status may follow it.
    ['GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /x HTPT/1.1\r\n\r\n', [200]],
    ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', [400]],
    [`GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${'QUJD'.repeat(20_000)}\r\n\r\n`, [431]],
    ['GET / HTTP/1.1\r\nAuthorization: Basic c2VjcmV0\r\nX-Bad: a\u0000b\r\n\r\n', [400]],
    [Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01]), [400]],
    // A bare CR inside a Cookie field: the value must stay redacted (it was once shown in hex).
    ['GET / HTTP/1.1\r\nCookie: sid=TOPSECRETVALUE\rX: y\r\n\r\n', [400]],
  ];
  try {
    for (const [bytes, expected] of exchanges)
      assert.deepEqual(statuses(await rawExchange(f.port, bytes, 500)), expected);
    for (
      let i = 0;
      i < 200 && texts(rec.entries, '*').filter((t) => t === 'closed').length < exchanges.length;
      i++
    )
      await new Promise((ok) => setTimeout(ok, 10));
  } finally {
    rec.stop();
  }
  const lines = rec.entries.map((e) => `${e.direction} ${e.text}`);
  const has = (line: string): void => {
    assert.ok(lines.includes(line), `${line}\n---\n${lines.join('\n')}`);
  };
  has('C GET /hello.txt HTTP/1.1');
  has('C [raw: GET /x HTPT/1.1]');
  assert.ok(lines.some((l) => l.startsWith('* request refused by the parser: HPE_INVALID_CONSTANT (')));
  has('C [raw: Transfer-Encoding: chunked]');
  assert.ok(
    lines.some((l) => l.startsWith('* request refused by the parser: HPE_INVALID_TRANSFER_ENCODING')),
  );
  has('* request refused by the parser: HPE_HEADER_OVERFLOW (Header overflow)');
  has('S HTTP/1.1 431 Request Header Fields Too Large');
  has('C [raw: X-Bad: a\\x00b]');
  has('C [binary: 16 03 01 00 a5 01]');
  assert.equal(lines.filter((l) => l === 'S HTTP/1.1 400 Bad Request').length, 4);
  const all = lines.join('\n');
  assert.doesNotMatch(
    all,
    /QUJDQUJD|c2VjcmV0|TOPS|54 4f 50 53/,
    'no credential, whole or in part, not even in hex',
  );
  has('C [raw: Cookie: sid=[redacted]]');
});

test('refused lines: only request lines and header fields are quoted; fragments show their size', () => {
  assert.equal(offendingLine('GET / HTTP/1.1\r\nBad Header\r\n\r\n', 19), 'Bad Header');
  assert.equal(offendingLine('GET / HTTP/1.1\nHost: x\n\n', 14), 'GET / HTTP/1.1');
  assert.equal(offendingLine('', 99), '');
  assert.equal(describeLine('Authorization: Bearer abc.def'), `[raw: Authorization: Bearer [redacted]]`);
  assert.equal(describeLine('GET http://u:p@h/ HTTP/1.1'), '[raw: GET http://[redacted]@h/ HTTP/1.1]');
  // The tail of a cookie or token cut at a segment boundary is printable and unrecognised.
  assert.equal(
    describeLine('a=1; session=s3cr3t; b=2'),
    '[a line of 24 octets, neither a request line nor a header field]',
  );
  assert.equal(
    describeLine('zdGVyOm9wZW4gc2VzYW1l'),
    '[a line of 21 octets, neither a request line nor a header field]',
  );
  assert.equal(describeLine('\u0016\u0003\u0001'), '[binary: 16 03 01]');
  // Control characters inside a field or a fragment never open a hex view of a secret.
  assert.equal(describeLine('Cookie: sid=TOPSECRET\rX: y'), '[raw: Cookie: sid=[redacted]]');
  assert.equal(describeLine('Authorization: Basic\rc2VjcmV0'), '[raw: Authorization: [redacted]]');
  assert.equal(
    describeLine('TOPSECRET\u0000tail'),
    '[a line of 14 octets, neither a request line nor a header field]',
  );
  assert.match(describeLine(`X: ${'v'.repeat(500)}`), /^\[raw: X: v{197}…\]$/);
});

test('without a subscriber nothing is wrapped, tagged or published', async () => {
  const server = createHttpServer({ sites: new SiteTable({ root: work }, []) });
  const seen: { req: IncomingMessage; res: ServerResponse }[] = [];
  const handle = server.handler.handle.bind(server.handler);
  server.handler.handle = (req, res, secure) => {
    seen.push({ req: req as IncomingMessage, res: res as ServerResponse });
    handle(req, res, secure);
  };
  const address = await server.listen({ host: '127.0.0.1', port: 0 });
  try {
    const url = `http://127.0.0.1:${address.port}/`;
    assert.equal(transcriptActive(), false);
    await request(url, { headers: { Authorization: basic(ALICE) } });
    const rec = recordTranscript();
    assert.equal(transcriptActive(), true);
    await request(url, { headers: { Authorization: basic(ALICE) } });
    rec.stop();
    assert.equal(transcriptActive(), false);
    const [quiet, watched] = seen;
    assert.ok(quiet && watched);
    // Unwatched: the response and request keep their prototypes' methods, the socket no tag.
    assert.equal(Object.hasOwn(quiet.res, 'writeHead'), false);
    assert.equal(Object.hasOwn(quiet.req, 'push'), false);
    assert.equal(Object.getOwnPropertySymbols(quiet.req.socket).some(isTap), false);
    // Watched: the same request was tapped and published.
    assert.equal(Object.hasOwn(watched.res, 'writeHead'), true);
    assert.equal(Object.getOwnPropertySymbols(watched.req.socket).some(isTap), true);
    assert.ok(rec.entries.some((e) => e.text === 'GET / HTTP/1.1'));
    assert.equal(
      rec.entries.filter((e) => e.text === 'GET / HTTP/1.1').length,
      1,
      'only the watched request',
    );
  } finally {
    await server.close();
  }
});

const isTap = (s: symbol): boolean => s.description === 'outpost.httpTranscript';

test('redaction of header values, hostile shapes included', () => {
  const cases: [name: string, value: string, shown: string][] = [
    ['Authorization', 'Basic YWxpY2U6cHc=', 'Basic [redacted]'],
    ['authorization', 'Bearer abc.def.ghi', 'Bearer [redacted]'],
    ['Authorization', 'tokenwithoutscheme', '[redacted]'],
    ['Authorization', ' leadingspace', '[redacted]'],
    ['Authorization', '', '[redacted]'],
    ['Proxy-Authorization', 'Digest username="a", response="x"', 'Digest [redacted]'],
    ['Cookie', 'a=1; b=2;c=3', 'a=[redacted]; b=[redacted]; c=[redacted]'],
    ['Cookie', 'justavalue', '[redacted]'],
    ['Cookie', 'x==y=z', 'x=[redacted]'],
    [
      'Set-Cookie',
      'sid=s3cr3t; Path=/; HttpOnly; SameSite=Strict',
      'sid=[redacted]; Path=/; HttpOnly; SameSite=Strict',
    ],
    ['set-cookie', 'bare', '[redacted]'],
    ['Content-Type', 'text/plain', 'text/plain'],
  ];
  for (const [name, value, shown] of cases)
    assert.equal(redactHeaderValue(name, value), shown, `${name}: ${value}`);
  assert.equal(bodySummary(1234567), '[body 1,234,567 octets]');
});
