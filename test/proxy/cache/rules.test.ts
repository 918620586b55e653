// The shared-cache rules the proxy's engine runs on (src/http/cache/): strict HTTP-dates, Age
// parsing, invalid freshness, s-maxage precedence, must-understand, qualified private/no-cache,
// Vary normalisation, the 304 header update, reuse decisions (max-stale, min-fresh,
// stale-while-revalidate, must-revalidate), stale-if-error and CDN-Cache-Control. Hostile values
// (absurd, negative, overflowing, malformed) are among them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ageValue,
  currentAge,
  freshnessLifetime,
  isStorable,
  parseCacheControl,
  parseCdnCacheControl,
  parseHttpDateMs,
  responseDirectives,
  reuse,
  staleIfErrorAllowed,
  storedHeaders,
  updatedHeaders,
  varyKey,
  varyMatches,
  type TimedResponse,
} from '../../../src/http/index.js';

const T0 = Date.parse('2026-12-07T12:00:00Z');
const DATE = new Date(T0).toUTCString();

function res(fields: [string, string][], status = 200): TimedResponse {
  const h = new Headers();
  for (const [k, v] of fields) h.append(k, v);
  return { status, headers: h, requestTime: T0, responseTime: T0 };
}
const noReq = new Headers();

test('HTTP-date: the three forms, any case; other zones, two-digit IMF years, bad spacing are not dates', () => {
  assert.equal(parseHttpDateMs('Sun, 06 Nov 1994 08:49:37 GMT'), Date.UTC(1994, 10, 6, 8, 49, 37));
  assert.equal(parseHttpDateMs('Sunday, 06-Nov-94 08:49:37 GMT', T0), Date.UTC(1994, 10, 6, 8, 49, 37));
  assert.equal(parseHttpDateMs('Sun Nov  6 08:49:37 1994'), Date.UTC(1994, 10, 6, 8, 49, 37));
  assert.equal(parseHttpDateMs('SUN, 06 NOV 1994 08:49:37 gmt'), Date.UTC(1994, 10, 6, 8, 49, 37));
  for (const bad of [
    'Thu, 18 Aug 2050 02:01:18 UTC',
    'Thu, 18 Aug 2050 02:01:18 AEST',
    'Thu, 18 Aug 50 02:01:18 GMT',
    'Thu 18 Aug 2050 02:01:18 GMT',
    'Thu, 18  Aug  2050 02:01:18 GMT',
    'Thu, 18-Aug-2050 02:01:18 GMT',
    'Thu, 18 Aug 2050 02.01.18 GMT',
    'Thu, 18 Aug 2050 2:01:18 GMT',
    'Thu, 31 Feb 2050 02:01:18 GMT',
    'Thu, 18 Aug 2050 25:01:18 GMT',
    '0',
    '',
    'x'.repeat(10_000),
  ])
    assert.equal(parseHttpDateMs(bad), undefined, bad);
});

test('Cache-Control: no whitespace around =, quoted arguments hide directives', () => {
  assert.equal(parseCacheControl('max-age =3600').has('max-age'), false);
  assert.equal(parseCacheControl('max-age= 3600').has('max-age'), false);
  assert.equal(parseCacheControl('extension="max-age=3600", max-age=1').get('max-age'), '1');
  assert.equal(parseCacheControl('max-age=1, extension="max-age=3600"').get('max-age'), '1');
});

test('freshness: invalid or negative max-age is stale, overflow saturates at 2^31, s-maxage wins in a shared cache', () => {
  assert.equal(freshnessLifetime(res([['cache-control', 'max-age=-3600']]), true), 0);
  assert.equal(freshnessLifetime(res([['cache-control', "max-age='3600'"]]), true), 0);
  assert.equal(freshnessLifetime(res([['cache-control', 'max-age=3600a']]), true), 0);
  assert.equal(freshnessLifetime(res([['cache-control', 'max-age=003600']]), true), 3600);
  assert.equal(freshnessLifetime(res([['cache-control', 'max-age=99999999999999999999999']]), true), 2 ** 31);
  assert.equal(freshnessLifetime(res([['cache-control', 'max-age=3600, s-maxage=1']]), true), 1);
  assert.equal(
    freshnessLifetime(
      res([
        ['cache-control', 'max-age=3600'],
        ['cache-control', 's-maxage=1'],
      ]),
      true,
    ),
    1,
  );
  assert.equal(freshnessLifetime(res([['cache-control', 'max-age=3600, s-maxage=1']]), false), 3600);
  // An Expires that is not an HTTP-date, or two of them, is already expired.
  assert.equal(
    freshnessLifetime(
      res([
        ['expires', 'Thu, 18 Aug 2050 02:01:18 UTC'],
        ['date', DATE],
      ]),
      true,
    ),
    0,
  );
  const two = res([
    ['expires', 'Thu, 18 Aug 2050 02:01:18 GMT'],
    ['expires', 'Thu, 18 Aug 2050 02:01:19 GMT'],
  ]);
  assert.equal(freshnessLifetime(two, true), 0);
  // Heuristic only for heuristically cacheable statuses (or public).
  const lm = [
    ['last-modified', new Date(T0 - 100_000_000).toUTCString()],
    ['date', DATE],
  ] as [string, string][];
  assert.ok(freshnessLifetime(res(lm, 200), true) > 0);
  assert.equal(freshnessLifetime(res(lm, 201), true), 0);
  assert.equal(freshnessLifetime(res(lm, 599), true), 0);
  assert.ok(freshnessLifetime(res([...lm, ['cache-control', 'public']], 599), true) > 0);
});

test('Age: one non-negative integer, saturating at 2^31; anything else makes the response stale', () => {
  const age = (...v: string[]): number => ageValue(res(v.map((x) => ['age', x])).headers);
  assert.equal(age('7200'), 7200);
  assert.equal(age(' 0 '), 0);
  assert.equal(age('2147483649'), 2 ** 31);
  for (const bad of [
    ['7200, 0'],
    ['0,7200'],
    ['7200', '0'],
    ['abc'],
    ['-7200'],
    ['7200.0'],
    ['7200;foo=bar'],
    [''],
  ])
    assert.equal(age(...bad), Infinity, bad.join(' / '));
  assert.equal(ageValue(new Headers()), 0);
  const r = res([
    ['age', '30'],
    ['date', DATE],
  ]);
  assert.equal(currentAge(r, T0 + 5000), 35);
  assert.equal(
    freshnessLifetime(r, true) >
      currentAge(
        res([
          ['age', 'x'],
          ['cache-control', 'max-age=9'],
        ]),
        T0,
      ),
    false,
  );
});

test('storable: no-store unless must-understand with a known status; unqualified private; Authorization', () => {
  const get = { method: 'GET', headers: noReq };
  const s = (cc: string, status = 200): boolean =>
    isStorable(get, res([['cache-control', cc]], status), true);
  assert.equal(s('no-store'), false);
  assert.equal(s('max-age=3600, no-store, must-understand'), true);
  assert.equal(s('max-age=3600, no-store, must-understand', 599), false);
  assert.equal(s('private, max-age=3600'), false);
  assert.equal(s('private="set-cookie", max-age=3600'), true);
  assert.equal(s('max-age=3600', 206), false);
  const auth = { method: 'GET', headers: new Headers({ authorization: 'FOO' }) };
  assert.equal(isStorable(auth, res([['cache-control', 'max-age=3600']]), true), false);
  assert.equal(isStorable(auth, res([['cache-control', 's-maxage=3600']]), true), true);
  assert.equal(isStorable(auth, res([['cache-control', 'max-age=60, public']]), true), true);
  assert.equal(
    isStorable({ method: 'POST', headers: noReq }, res([['cache-control', 'max-age=60']]), true),
    false,
  );
});

test('stored fields: hop-by-hop, Connection-listed, proxy-specific and qualified no-cache/private ones are dropped', () => {
  const headers: [string, string][] = [
    ['Connection', 'a, b'],
    ['a', '1'],
    ['b', '2'],
    ['c', '3'],
    ['Keep-Alive', 'x'],
    ['Proxy-Authenticate', 'x'],
    ['Transfer-Encoding', 'chunked'],
    ['Set-Cookie', 's=1'],
    ['X-Secret', 'y'],
  ];
  const kept = storedHeaders(headers, parseCacheControl('no-cache="x-secret", private="Set-Cookie"'), true);
  assert.deepEqual(kept, [['c', '3']]);
});

test('304 update: replaces fields it carries, keeps the rest, never Content-Length', () => {
  const stored: [string, string][] = [
    ['Content-Length', '36'],
    ['Test-Header', 'old'],
    ['Cache-Control', 'max-age=1'],
    ['Keep', 'me'],
  ];
  const merged = updatedHeaders(
    stored,
    [
      ['Content-Length', '10'],
      ['Test-Header', 'new'],
      ['Cache-Control', 'max-age=3600'],
      ['Connection', 'close'],
    ],
    parseCacheControl('max-age=3600'),
    true,
  );
  assert.deepEqual(merged, [
    ['Content-Length', '36'],
    ['Keep', 'me'],
    ['Test-Header', 'new'],
    ['Cache-Control', 'max-age=3600'],
  ]);
});

test('Vary: combined lines, whitespace, Accept-Language order and case; * and duplicates', () => {
  const key = varyKey('Foo', new Headers({ foo: '1, 2' }));
  const two = new Headers();
  two.append('foo', '1');
  two.append('foo', '2');
  assert.ok(varyMatches('Foo', key, two));
  assert.ok(varyMatches('Foo', varyKey('Foo', new Headers({ foo: '1,2' })), new Headers({ foo: ' 1, 2 ' })));
  const lang = varyKey('Accept-Language', new Headers({ 'accept-language': 'en, de' }));
  assert.ok(varyMatches('Accept-Language', lang, new Headers({ 'accept-language': 'De,  eN' })));
  assert.equal(
    varyMatches('Foo', varyKey('Foo', new Headers({ foo: '1' })), new Headers({ foo: '2' })),
    false,
  );
  assert.equal(varyMatches('Foo', varyKey('Foo', noReq), new Headers({ foo: '1' })), false);
  assert.equal(varyMatches('Foo', varyKey('Foo', new Headers({ foo: '1' })), noReq), false);
  assert.equal(varyMatches('Foo, *', [], noReq), false);
  assert.equal(varyMatches(', *', [], noReq), false);
  const many = Array.from({ length: 5000 }, (_, i) => `f${String(i)}`).join(', ');
  assert.equal(varyMatches(many, varyKey(many, noReq), noReq), true);
});

test('reuse: fresh, request no-cache / max-age / min-fresh, max-stale, stale-while-revalidate, must-revalidate', () => {
  const r = (cc: string): TimedResponse =>
    res([
      ['cache-control', cc],
      ['date', DATE],
    ]);
  const req = (cc: string): Headers => new Headers({ 'cache-control': cc });
  assert.deepEqual(reuse(r('max-age=100'), noReq, T0 + 10_000, true), { kind: 'fresh', ttl: 90 });
  assert.equal(reuse(r('max-age=100'), req('no-cache'), T0, true).kind, 'revalidate');
  assert.equal(reuse(r('max-age=100'), req('max-age=5'), T0 + 10_000, true).kind, 'revalidate');
  assert.equal(reuse(r('max-age=100, immutable'), req('max-age=0'), T0 + 10_000, true).kind, 'fresh');
  assert.equal(reuse(r('max-age=100'), req('min-fresh=95'), T0 + 10_000, true).kind, 'revalidate');
  assert.equal(reuse(r('max-age=100, no-cache'), noReq, T0, true).kind, 'revalidate');
  assert.equal(reuse(r('max-age=100, no-cache="x"'), noReq, T0, true).kind, 'fresh');
  assert.equal(reuse(r('max-age=1'), req('max-stale=1000'), T0 + 10_000, true).kind, 'stale-ok');
  assert.equal(reuse(r('max-age=1'), req('max-stale'), T0 + 1e9, true).kind, 'stale-ok');
  assert.equal(reuse(r('max-age=1'), req('max-stale=5'), T0 + 10_000, true).kind, 'revalidate');
  assert.equal(
    reuse(r('max-age=1, must-revalidate'), req('max-stale'), T0 + 10_000, true).kind,
    'revalidate',
  );
  assert.equal(
    reuse(r('max-age=1, stale-while-revalidate=60'), noReq, T0 + 10_000, true).kind,
    'stale-while-revalidate',
  );
  assert.equal(reuse(r('max-age=1, stale-while-revalidate=4'), noReq, T0 + 10_000, true).kind, 'revalidate');
  assert.equal(
    reuse(r('s-maxage=1, stale-while-revalidate=60'), noReq, T0 + 10_000, true).kind,
    'revalidate',
  );
});

test('stale-if-error: within the window, never past must-revalidate, proxy-revalidate, s-maxage or no-cache', () => {
  const r = (cc: string): TimedResponse =>
    res([
      ['cache-control', cc],
      ['date', DATE],
    ]);
  assert.ok(staleIfErrorAllowed(r('max-age=2, stale-if-error=60'), noReq, T0 + 30_000, true));
  assert.equal(staleIfErrorAllowed(r('max-age=2, stale-if-error=60'), noReq, T0 + 90_000, true), false);
  assert.ok(staleIfErrorAllowed(r('max-age=2'), noReq, T0 + 30_000, true));
  for (const cc of [
    'max-age=2, must-revalidate',
    'max-age=2, proxy-revalidate',
    'max-age=2, s-maxage=2',
    'max-age=2, no-cache',
  ])
    assert.equal(staleIfErrorAllowed(r(cc), noReq, T0 + 30_000, true), false, cc);
});

test('CDN-Cache-Control: obeyed over Cache-Control when valid, ignored whole when not a valid dictionary', () => {
  assert.equal(parseCdnCacheControl('max-age=3600')?.get('max-age'), '3600');
  assert.equal(parseCdnCacheControl('max-age=10000, &&&&&'), undefined);
  assert.equal(parseCdnCacheControl('max-age="10000"'), undefined);
  assert.equal(parseCdnCacheControl('no-store=5'), undefined);
  assert.equal(parseCdnCacheControl('private="a"')?.get('private'), 'a');
  const h = new Headers({ 'cache-control': 'no-store', 'cdn-cache-control': 'max-age=10000' });
  const d = responseDirectives(h, true);
  assert.equal(d.has('no-store'), false);
  assert.ok(isStorable({ method: 'GET', headers: noReq }, { status: 200, headers: h, directives: d }, true));
  assert.equal(responseDirectives(h, false).has('no-store'), true);
  const bad = new Headers({ 'cache-control': 'no-store', 'cdn-cache-control': 'max-age="1"' });
  assert.equal(responseDirectives(bad, true).has('no-store'), true);
});
