// The RFC 9111 rules shared by `outpost http --cache` and the caching proxy: Cache-Control
// parsing, freshness lifetime (s-maxage, max-age, Expires, the Last-Modified heuristic), age
// (Age, Date, request/response times), storability (no-store, private, Authorization), no-cache,
// Vary, conditional headers, and the directory store round trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  conditionalHeaders,
  currentAge,
  entryFor,
  entryHeaders,
  FileCacheStore,
  freshnessLifetime,
  HEURISTIC_MAX_S,
  isFresh,
  isStorable,
  parseCacheControl,
  timedEntry,
  usableWithoutRevalidation,
  varyMatches,
  type TimedResponse,
} from '../../src/http/cache/index.js';
import { tempDir } from '../helpers/temp.js';

const T0 = Date.parse('2026-12-07T12:00:00Z');
const DATE = new Date(T0).toUTCString();

function response(fields: Record<string, string>, status = 200, times = { req: T0, res: T0 }): TimedResponse {
  return { status, headers: new Headers(fields), requestTime: times.req, responseTime: times.res };
}

test('Cache-Control: case-insensitive names, quoted arguments, first of a repeated directive', () => {
  const cc = parseCacheControl('Max-Age=60, no-cache="Set-Cookie, X", private ,max-age=5, bogus=, public');
  assert.equal(cc.get('max-age'), '60');
  assert.equal(cc.get('no-cache'), 'Set-Cookie, X');
  assert.ok(cc.has('private'));
  assert.ok(cc.has('public'));
  assert.equal(parseCacheControl(null).size, 0);
});

test('freshness lifetime: s-maxage (shared only), then max-age, then Expires - Date', () => {
  const r = response({
    'cache-control': 'max-age=60, s-maxage=600',
    expires: new Date(T0 + 9e6).toUTCString(),
    date: DATE,
  });
  assert.equal(freshnessLifetime(r, true), 600);
  assert.equal(freshnessLifetime(r, false), 60);
  const expires = response({ expires: new Date(T0 + 3_600_000).toUTCString(), date: DATE });
  assert.equal(freshnessLifetime(expires, false), 3600);
  // §5.3: an invalid Expires means already expired.
  assert.equal(freshnessLifetime(response({ expires: '0', date: DATE }), false), 0);
  assert.equal(freshnessLifetime(response({ 'cache-control': 'max-age=abc' }), false), 0);
});

test('heuristic freshness: 10% of Date - Last-Modified for a heuristically cacheable status, capped', () => {
  const tenHours = response({ date: DATE, 'last-modified': new Date(T0 - 36_000_000).toUTCString() });
  assert.equal(freshnessLifetime(tenHours, false), 3600);
  const old = response({ date: DATE, 'last-modified': new Date(T0 - 1e11).toUTCString() });
  assert.equal(freshnessLifetime(old, false), HEURISTIC_MAX_S);
  const lm = { date: DATE, 'last-modified': new Date(T0 - 36_000_000).toUTCString() };
  assert.equal(freshnessLifetime(response(lm, 302), false), 0);
  assert.equal(freshnessLifetime(response({ ...lm, 'cache-control': 'public' }, 302), false), 3600);
  assert.equal(freshnessLifetime(response({ date: DATE }), false), 0);
});

test('current age: Age plus the response delay, or the apparent age, plus the time stored', () => {
  // Sent at T0, answered 2 s later with Age: 10: corrected initial age 12 s; 30 s later, 42 s.
  const r = response({ age: '10', date: new Date(T0 + 2000).toUTCString() }, 200, {
    req: T0,
    res: T0 + 2000,
  });
  assert.equal(currentAge(r, T0 + 32_000), 42);
  // A Date 100 s before the response arrived (apparent age) outweighs a small Age.
  const late = response({ age: '1', date: new Date(T0 - 100_000).toUTCString() });
  assert.equal(currentAge(late, T0 + 5000), 105);
  const fresh = response({ 'cache-control': 'max-age=60', date: DATE });
  assert.equal(isFresh(fresh, T0 + 59_000, false), true);
  assert.equal(isFresh(fresh, T0 + 60_000, false), false);
});

test('no-cache on either side, or a request max-age, forces revalidation of a fresh response', () => {
  const fresh = response({ 'cache-control': 'max-age=600', date: DATE });
  const plain = new Headers();
  assert.equal(usableWithoutRevalidation(fresh, plain, T0 + 10_000, false), true);
  assert.equal(
    usableWithoutRevalidation(fresh, new Headers({ 'cache-control': 'no-cache' }), T0, false),
    false,
  );
  assert.equal(
    usableWithoutRevalidation(fresh, new Headers({ 'cache-control': 'max-age=5' }), T0 + 10_000, false),
    false,
  );
  const noCache = response({ 'cache-control': 'no-cache, max-age=600', date: DATE });
  assert.equal(usableWithoutRevalidation(noCache, plain, T0, false), false);
});

test('storable: no-store, private (shared caches), Authorization (shared caches), methods and statuses', () => {
  const get = { method: 'GET', headers: new Headers() };
  const ok = { status: 200, headers: new Headers({ etag: '"a"' }) };
  assert.equal(isStorable(get, ok, false), true);
  assert.equal(isStorable({ method: 'POST', headers: new Headers() }, ok, false), false);
  assert.equal(isStorable(get, { status: 206, headers: new Headers() }, false), false);
  assert.equal(isStorable(get, { status: 302, headers: new Headers() }, false), false);
  assert.equal(
    isStorable(get, { status: 302, headers: new Headers({ 'cache-control': 'max-age=5' }) }, false),
    true,
  );
  const noStore = { status: 200, headers: new Headers({ 'cache-control': 'no-store' }) };
  assert.equal(isStorable(get, noStore, false), false);
  assert.equal(
    isStorable({ method: 'GET', headers: new Headers({ 'cache-control': 'no-store' }) }, ok, false),
    false,
  );
  const priv = { status: 200, headers: new Headers({ 'cache-control': 'private, max-age=60' }) };
  assert.equal(isStorable(get, priv, false), true);
  assert.equal(isStorable(get, priv, true), false);
  const authed = { method: 'GET', headers: new Headers({ authorization: 'Basic eDp5' }) };
  assert.equal(isStorable(authed, ok, false), true);
  assert.equal(isStorable(authed, ok, true), false);
  assert.equal(
    isStorable(authed, { status: 200, headers: new Headers({ 'cache-control': 'public' }) }, true),
    true,
  );
});

test('Vary: the nominated request fields must match, whitespace-normalised; * never matches', () => {
  const fetched = entryFor({
    url: 'http://127.0.0.1/x',
    status: 200,
    headers: new Headers({ vary: 'Accept-Encoding, Accept-Language', etag: '"1"' }),
    request: new Headers({ 'accept-encoding': 'gzip,  br' }),
    requestTime: T0,
    responseTime: T0,
  });
  const vary = 'Accept-Encoding, Accept-Language';
  const stored = fetched.vary ?? [];
  assert.equal(varyMatches(vary, stored, new Headers({ 'accept-encoding': 'gzip, br' })), true);
  assert.equal(varyMatches(vary, stored, new Headers({ 'accept-encoding': 'br' })), false);
  assert.equal(
    varyMatches(vary, stored, new Headers({ 'accept-encoding': 'gzip, br', 'accept-language': 'fr' })),
    false,
  );
  assert.equal(varyMatches('*', [], new Headers()), false);
  assert.equal(varyMatches(null, [], new Headers({ a: 'b' })), true);
});

test('revalidation headers, and entries round-trip through the directory store', () => {
  const dir = tempDir('outpost-cache-');
  const store = new FileCacheStore(dir);
  const entry = entryFor({
    url: 'http://127.0.0.1/doc',
    status: 200,
    headers: new Headers({ etag: '"v1"', 'last-modified': DATE, 'cache-control': 'max-age=60', date: DATE }),
    request: new Headers(),
    requestTime: T0,
    responseTime: T0,
  });
  assert.deepEqual(conditionalHeaders(entry), { 'If-None-Match': '"v1"', 'If-Modified-Since': DATE });
  assert.equal(store.get(entry.url), undefined);
  store.put(entry, Buffer.from('body'));
  const back = store.get(entry.url);
  assert.ok(back);
  assert.equal(back.body.toString(), 'body');
  assert.equal(entryHeaders(back.entry).get('ETag'), '"v1"');
  assert.equal(isFresh(timedEntry(back.entry), T0 + 30_000, false), true);
  assert.equal(store.get('http://127.0.0.1/other'), undefined);
  // An entry written before times were kept is never fresh.
  const legacy = { ...back.entry, requestTime: undefined, responseTime: undefined };
  assert.equal(isFresh(timedEntry(legacy), T0, false), false);
});
