// Pure HTTP pieces against RFC 9110's own examples and hostile input: entity-tag comparison
// (§8.8.3.2), precondition order (§13.2.2), If-Range (§13.1.5), Range (§14.1.2 examples),
// Content-Range (§14.4), content-coding negotiation (§12.5.3), path confinement, Basic auth
// parsing and the transport rule, the multipart parser and the access-log format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluatePreconditions,
  ifRangeAllows,
  parseEtagList,
  strongMatch,
  weakMatch,
} from '../../src/http/conditional.js';
import { contentRange, multipartRanges, parseRange, unsatisfiedRange } from '../../src/http/range.js';
import { negotiateEncoding, parseAcceptEncoding } from '../../src/http/encoding.js';
import { parseRequestPath } from '../../src/http/paths.js';
import { isWriter, parseBasicAuth, transportAllowsCredentials, authorizeWrite } from '../../src/http/auth.js';
import {
  MultipartError,
  MultipartParser,
  multipartBoundary,
  type PartInfo,
} from '../../src/http/multipart.js';
import { clfTime, formatCombined } from '../../src/http/access-log.js';
import { hostWithoutPort } from '../../src/http/types.js';

test('RFC 9110 §8.8.3.2 entity-tag comparison table', () => {
  assert.equal(strongMatch('W/"1"', 'W/"1"'), false);
  assert.equal(weakMatch('W/"1"', 'W/"1"'), true);
  assert.equal(strongMatch('W/"1"', 'W/"2"'), false);
  assert.equal(weakMatch('W/"1"', 'W/"2"'), false);
  assert.equal(strongMatch('W/"1"', '"1"'), false);
  assert.equal(weakMatch('W/"1"', '"1"'), true);
  assert.equal(strongMatch('"1"', '"1"'), true);
  assert.equal(weakMatch('"1"', '"1"'), true);
});

test('entity-tag lists from RFC 9110 §13.1.2 examples', () => {
  assert.deepEqual(parseEtagList('"xyzzy"'), ['"xyzzy"']);
  assert.deepEqual(parseEtagList('W/"xyzzy"'), ['W/"xyzzy"']);
  assert.deepEqual(parseEtagList('"xyzzy", "r2d2xxxx", "c3piozzzz"'), [
    '"xyzzy"',
    '"r2d2xxxx"',
    '"c3piozzzz"',
  ]);
  assert.deepEqual(parseEtagList('W/"xyzzy", W/"r2d2xxxx", W/"c3piozzzz"'), [
    'W/"xyzzy"',
    'W/"r2d2xxxx"',
    'W/"c3piozzzz"',
  ]);
  assert.deepEqual(parseEtagList('*'), ['*']);
  assert.deepEqual(parseEtagList('garbage'), []);
});

const V = { etag: '"abc"', lastModifiedS: Date.parse('Sat, 29 Oct 1994 19:43:31 GMT') / 1000 };
const LM = 'Sat, 29 Oct 1994 19:43:31 GMT';
const EARLIER = 'Sat, 29 Oct 1994 19:43:30 GMT';
const LATER = 'Sun, 30 Oct 1994 00:00:00 GMT';

test('§13.2.2 step order: If-None-Match → 304 for GET, 412 for unsafe methods', () => {
  assert.equal(evaluatePreconditions({ ifNoneMatch: '"abc"' }, V, true), 'not-modified');
  assert.equal(evaluatePreconditions({ ifNoneMatch: 'W/"abc"' }, V, true), 'not-modified'); // weak comparison
  assert.equal(evaluatePreconditions({ ifNoneMatch: '"other"' }, V, true), 'proceed');
  assert.equal(evaluatePreconditions({ ifNoneMatch: '*' }, V, false), 'precondition-failed');
  assert.equal(evaluatePreconditions({ ifNoneMatch: '*' }, undefined, false), 'proceed'); // PUT create-only
});

test('§13.2.2: If-Match uses strong comparison and precedes If-Unmodified-Since', () => {
  assert.equal(evaluatePreconditions({ ifMatch: '"abc"' }, V, true), 'proceed');
  assert.equal(evaluatePreconditions({ ifMatch: 'W/"abc"' }, V, true), 'precondition-failed');
  assert.equal(evaluatePreconditions({ ifMatch: '*' }, undefined, false), 'precondition-failed');
  // If-Match passes, so a failing If-Unmodified-Since is not evaluated (step 2 only without If-Match).
  assert.equal(evaluatePreconditions({ ifMatch: '"abc"', ifUnmodifiedSince: EARLIER }, V, true), 'proceed');
  assert.equal(evaluatePreconditions({ ifUnmodifiedSince: EARLIER }, V, true), 'precondition-failed');
  assert.equal(evaluatePreconditions({ ifUnmodifiedSince: LM }, V, true), 'proceed');
  assert.equal(evaluatePreconditions({ ifUnmodifiedSince: 'not a date' }, V, true), 'proceed');
});

test('§13.2.2: If-Modified-Since only without If-None-Match, only for GET/HEAD', () => {
  assert.equal(evaluatePreconditions({ ifModifiedSince: LM }, V, true), 'not-modified');
  assert.equal(evaluatePreconditions({ ifModifiedSince: LATER }, V, true), 'not-modified');
  assert.equal(evaluatePreconditions({ ifModifiedSince: EARLIER }, V, true), 'proceed');
  assert.equal(evaluatePreconditions({ ifModifiedSince: LM }, V, false), 'proceed');
  // If-None-Match present and not matching: If-Modified-Since is ignored.
  assert.equal(evaluatePreconditions({ ifNoneMatch: '"zzz"', ifModifiedSince: LATER }, V, true), 'proceed');
  // Obsolete date formats (RFC 9110 §5.6.7) are understood.
  assert.equal(
    evaluatePreconditions({ ifModifiedSince: 'Sunday, 06-Nov-94 08:49:37 GMT' }, V, true),
    'not-modified',
  );
  assert.equal(
    evaluatePreconditions({ ifModifiedSince: 'Sun Nov  6 08:49:37 1994' }, V, true),
    'not-modified',
  );
});

test('§13.1.5 If-Range: strong etag or exact date', () => {
  assert.equal(ifRangeAllows(undefined, V), true);
  assert.equal(ifRangeAllows('"abc"', V), true);
  assert.equal(ifRangeAllows('W/"abc"', V), false);
  assert.equal(ifRangeAllows('"old"', V), false);
  assert.equal(ifRangeAllows(LM, V), true);
  assert.equal(ifRangeAllows(LATER, V), false);
});

test('§14.1.2 byte-range examples on a 10000-byte representation', () => {
  const r = (h: string) => parseRange(h, 10000);
  assert.deepEqual(r('bytes=0-499'), { kind: 'ranges', ranges: [{ start: 0, end: 499 }] });
  assert.deepEqual(r('bytes=500-999'), { kind: 'ranges', ranges: [{ start: 500, end: 999 }] });
  assert.deepEqual(r('bytes=-500'), { kind: 'ranges', ranges: [{ start: 9500, end: 9999 }] });
  assert.deepEqual(r('bytes=9500-'), { kind: 'ranges', ranges: [{ start: 9500, end: 9999 }] });
  assert.deepEqual(r('bytes=0-0,-1'), {
    kind: 'ranges',
    ranges: [
      { start: 0, end: 0 },
      { start: 9999, end: 9999 },
    ],
  });
  // Adjacent and overlapping ranges are coalesced (§14.2 allows it; no byte is sent twice).
  assert.deepEqual(r('bytes=500-600,601-999'), { kind: 'ranges', ranges: [{ start: 500, end: 999 }] });
  assert.deepEqual(r('bytes=500-700,601-999'), { kind: 'ranges', ranges: [{ start: 500, end: 999 }] });
});

test('Range edge cases: clamping, unsatisfiable, invalid ignored', () => {
  assert.deepEqual(parseRange('bytes=0-99999', 100), { kind: 'ranges', ranges: [{ start: 0, end: 99 }] });
  assert.deepEqual(parseRange('bytes=-1000', 100), { kind: 'ranges', ranges: [{ start: 0, end: 99 }] });
  assert.deepEqual(parseRange('bytes=100-', 100), { kind: 'unsatisfiable' });
  assert.deepEqual(parseRange('bytes=-0', 100), { kind: 'unsatisfiable' });
  assert.deepEqual(parseRange('bytes=0-', 0), { kind: 'unsatisfiable' });
  assert.deepEqual(parseRange('bytes=5-1', 100), { kind: 'ignore' });
  assert.deepEqual(parseRange('items=0-1', 100), { kind: 'ignore' });
  assert.deepEqual(parseRange('bytes=a-b', 100), { kind: 'ignore' });
  assert.deepEqual(parseRange('bytes=-', 100), { kind: 'ignore' });
  assert.deepEqual(
    parseRange('bytes=' + Array.from({ length: 40 }, (_, i) => `${i * 2}-${i * 2}`).join(','), 1000),
    {
      kind: 'ignore',
    },
  );
  assert.equal(contentRange({ start: 42, end: 1233 }, 1234), 'bytes 42-1233/1234');
  assert.equal(unsatisfiedRange(1234), 'bytes */1234');
});

test('multipart/byteranges framing length matches its parts (§14.6)', () => {
  const ranges = [
    { start: 0, end: 9 },
    { start: 20, end: 29 },
  ];
  const m = multipartRanges(ranges, 100, 'text/plain', 'THIS_STRING_SEPARATES');
  const body = Buffer.concat([m.heads[0]!, Buffer.alloc(10), m.heads[1]!, Buffer.alloc(10), m.tail]);
  assert.equal(m.length, body.length);
  assert.equal(m.contentType, 'multipart/byteranges; boundary=THIS_STRING_SEPARATES');
  assert.match(
    body.toString('latin1'),
    /^--THIS_STRING_SEPARATES\r\nContent-Type: text\/plain\r\nContent-Range: bytes 0-9\/100\r\n\r\n/,
  );
  assert.match(body.toString('latin1'), /\r\n--THIS_STRING_SEPARATES--\r\n$/);
});

test('Accept-Encoding negotiation (§12.5.3)', () => {
  assert.equal(negotiateEncoding('gzip, deflate, br', ['br', 'gzip']), 'br');
  assert.equal(negotiateEncoding('gzip', ['br', 'gzip']), 'gzip');
  assert.equal(negotiateEncoding('br;q=0.5, gzip;q=0.8', ['br', 'gzip']), 'gzip');
  assert.equal(negotiateEncoding('br;q=0, gzip;q=0', ['br', 'gzip']), undefined);
  assert.equal(negotiateEncoding('*', ['gzip']), 'gzip');
  assert.equal(negotiateEncoding('*;q=0', ['gzip']), undefined);
  assert.equal(negotiateEncoding('identity', ['br', 'gzip']), undefined);
  assert.equal(negotiateEncoding(undefined, ['gzip']), undefined);
  assert.equal(parseAcceptEncoding('GZIP;Q=0.3').get('gzip'), 0.3);
});

test('path confinement: dot segments, encoded traversal, NUL and encoded slashes refused', () => {
  assert.deepEqual(parseRequestPath('/a/b%20c.txt?x=1'), {
    ok: true,
    segments: ['a', 'b c.txt'],
    urlPath: '/a/b c.txt',
  });
  for (const bad of [
    '/../etc/passwd',
    '/a/../../x',
    '/%2e%2e/x',
    '/%2E%2E/%2e%2e/etc/passwd',
    '/a/%2e/b',
    '/.',
  ]) {
    assert.equal(parseRequestPath(bad).ok, false, bad);
  }
  for (const bad of [
    '/a%2fb',
    '/a%5cb',
    '/a%00b',
    '/a\\b',
    '/%252e%252e%252f',
    'x/y',
    '/%zz',
    '/%c0%ae%c0%ae/',
  ]) {
    const r = parseRequestPath(bad);
    // %252e decodes once to the literal text "%2e" — a harmless name, never ".." — so it is allowed.
    if (bad === '/%252e%252e%252f') {
      assert.deepEqual(r, { ok: true, segments: ['%2e%2e%2f'], urlPath: '/%2e%2e%2f' });
      continue;
    }
    assert.equal(r.ok, false, bad);
  }
});

test('Host header normalisation', () => {
  assert.equal(hostWithoutPort('Example.TEST:8080'), 'example.test');
  assert.equal(hostWithoutPort('[::1]:80'), '::1');
  assert.equal(hostWithoutPort('example.test.'), 'example.test');
});

test('Basic credentials (RFC 7617) and the credentials-over-TLS-or-loopback rule', () => {
  const enc = (s: string) => Buffer.from(s).toString('base64');
  assert.deepEqual(parseBasicAuth(`Basic ${enc('alice@example.test:pa:ss')}`), {
    user: 'alice@example.test',
    password: 'pa:ss',
  });
  assert.equal(parseBasicAuth(`Basic ${enc('nocolon')}`), undefined);
  assert.equal(parseBasicAuth(`Basic ${enc(':empty-user')}`), undefined);
  assert.equal(parseBasicAuth(`Basic ${enc('a:b\r\nX: y')}`), undefined);
  assert.equal(parseBasicAuth('Bearer abc'), undefined);
  assert.equal(parseBasicAuth(undefined), undefined);
  assert.equal(transportAllowsCredentials(false, '192.0.2.7'), false);
  assert.equal(transportAllowsCredentials(true, '192.0.2.7'), true);
  assert.equal(transportAllowsCredentials(false, '127.0.0.1'), true);
  assert.equal(isWriter(['Alice@Example.test'], 'alice@example.test'), true);
  assert.equal(isWriter(['*'], 'bob@example.test'), true);
  assert.equal(isWriter(['alice@example.test'], 'bob@example.test'), false);
});

test('authorizeWrite: read-only site 405, plain non-loopback 403 before any password check, then 401', async () => {
  let calls = 0;
  const accounts = {
    authenticate: () => {
      calls++;
      return Promise.resolve({ ok: false as const, reason: 'invalid' as const });
    },
  } as unknown as Parameters<typeof authorizeWrite>[0]['accounts'];
  const basic = `Basic ${Buffer.from('alice@example.test:x').toString('base64')}`;
  const base = { accounts, authorization: basic };
  assert.equal(
    (await authorizeWrite({ ...base, writers: [], secure: true, remoteAddress: '127.0.0.1' })).ok,
    false,
  );
  const ro = await authorizeWrite({ ...base, writers: [], secure: true, remoteAddress: '127.0.0.1' });
  assert.equal(!ro.ok && ro.status, 405);
  const plain = await authorizeWrite({
    ...base,
    writers: ['*'],
    secure: false,
    remoteAddress: '203.0.113.9',
  });
  assert.equal(!plain.ok && plain.status, 403);
  assert.equal(calls, 0, 'no password is checked on a refused transport');
  const tls = await authorizeWrite({ ...base, writers: ['*'], secure: true, remoteAddress: '203.0.113.9' });
  assert.equal(!tls.ok && tls.status, 401);
  assert.equal(calls, 1);
});

function parseAll(
  body: string | Buffer,
  boundary: string,
  chunkSize = 7,
): { parts: (PartInfo & { data: string })[] } {
  const parts: (PartInfo & { data: string })[] = [];
  let current: (PartInfo & { data: string }) | undefined;
  const p = new MultipartParser(boundary, {
    onPart: (info) => {
      current = { ...info, data: '' };
    },
    onData: (c) => {
      if (current) current.data += c.toString('latin1');
    },
    onPartEnd: () => {
      if (current) parts.push(current);
    },
  });
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1');
  for (let i = 0; i < buf.length; i += chunkSize) p.write(buf.subarray(i, i + chunkSize));
  p.end();
  return { parts };
}

const MP = [
  'preamble ignored\r\n',
  '--XyZ\r\n',
  'Content-Disposition: form-data; name="field1"\r\n\r\n',
  'value one\r\n',
  '--XyZ\r\n',
  'Content-Disposition: form-data; name="file"; filename="a b.txt"\r\n',
  'Content-Type: text/plain\r\n\r\n',
  'line1\r\n-XyZ --XyZ\r\n\r\n--Xy\r\n',
  '--XyZ\r\n',
  'Content-Disposition: form-data; name="empty"; filename="e.bin"\r\n\r\n',
  '\r\n--XyZ--\r\nepilogue',
].join('');

test('multipart parser: parts, filenames, embedded near-boundaries, any chunking', () => {
  for (const size of [1, 2, 3, 7, 64, 4096]) {
    const { parts } = parseAll(MP, 'XyZ', size);
    assert.equal(parts.length, 3, `chunk ${size}`);
    assert.deepEqual(parts[0], {
      name: 'field1',
      filename: undefined,
      contentType: undefined,
      data: 'value one',
    });
    assert.deepEqual(
      parts.map((p) => [p.filename, p.data]),
      [
        [undefined, 'value one'],
        ['a b.txt', 'line1\r\n-XyZ --XyZ\r\n\r\n--Xy'],
        ['e.bin', ''],
      ],
    );
  }
  assert.equal(
    multipartBoundary('multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW'),
    '----WebKitFormBoundary7MA4YWxkTrZu0gW',
  );
  assert.equal(multipartBoundary('multipart/form-data; boundary="quoted b"'), 'quoted b');
  assert.equal(multipartBoundary('multipart/form-data'), undefined);
  assert.equal(multipartBoundary(`multipart/form-data; boundary=${'x'.repeat(71)}`), undefined);
});

test('multipart parser: hostile input is refused with MultipartError, never a crash', () => {
  const cases: [string, string][] = [
    ['no closing boundary', '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\ndata'],
    ['no name', '--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--\r\n'],
    ['not form-data', '--b\r\nContent-Disposition: attachment; name="a"\r\n\r\nx\r\n--b--\r\n'],
    ['garbage after boundary', '--bJUNK\r\n'],
    ['header without colon', '--b\r\nnonsense\r\n\r\nx\r\n--b--\r\n'],
    [
      'huge part header',
      `--b\r\nContent-Disposition: form-data; name="${'a'.repeat(20000)}"\r\n\r\nx\r\n--b--\r\n`,
    ],
    [
      'too many parts',
      Array.from(
        { length: 150 },
        (_, i) => `--b\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nv\r\n`,
      ).join('') + '--b--\r\n',
    ],
    ['no boundary at all', 'x'.repeat(20000)],
  ];
  for (const [what, body] of cases) {
    assert.throws(() => parseAll(body, 'b', 100), MultipartError, what);
  }
});

test('Combined Log Format line, with hostile request text escaped', () => {
  const line = formatCombined({
    remoteAddress: '127.0.0.1',
    user: undefined,
    time: new Date(Date.UTC(2000, 9, 10, 13, 55, 36)),
    method: 'GET',
    target: '/apache_pb.gif',
    httpVersion: '1.0',
    status: 200,
    bytes: 2326,
    referer: 'http://www.example.com/start.html',
    userAgent: 'Mozilla/4.08 [en] (Win98; I ;Nav)',
  });
  assert.equal(
    line,
    '127.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"',
  );
  const hostile = formatCombined({
    remoteAddress: '127.0.0.1',
    user: 'x" y',
    time: new Date(0),
    method: 'GET',
    target: '/a"b\nc',
    httpVersion: '1.1',
    status: 404,
    bytes: 0,
    referer: undefined,
    userAgent: 'evil\r\n127.0.0.1 - - fake',
  });
  assert.equal(hostile.includes('\n'), false);
  assert.match(hostile, /"GET \/a\\"b\\x0ac HTTP\/1\.1" 404 - "-" "evil\\x0d\\x0a127/);
  assert.equal(clfTime(new Date(0)), '[01/Jan/1970:00:00:00 +0000]');
});
