// The cookie module (RFC 6265): Set-Cookie building with every attribute and refusal of
// anything outside §4.1.1 (CR/LF/';' injection), Cookie header parsing of hostile input, the
// client jar's §5.3 storage model (host-only vs domain, default path, path-match, expiry, Secure),
// Netscape cookies.txt round trips incl. #HttpOnly_, and the signed session token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { hasCode, ErrorCodes } from '../../src/core/errors.js';
import {
  CookieJar,
  defaultPath,
  domainMatch,
  formatNetscape,
  loadNetscape,
  parseCookieHeader,
  parseNetscape,
  parseSetCookie,
  pathMatch,
  serializeCookie,
  SessionSigner,
} from '../../src/http/cookies/index.js';

test('serializeCookie writes every attribute', () => {
  const s = serializeCookie('sid', 'abc123', {
    expires: new Date(Date.UTC(2015, 9, 21, 7, 28, 0)),
    maxAge: 3600,
    domain: 'example.com',
    path: '/app',
    secure: true,
    httpOnly: true,
    sameSite: 'Lax',
  });
  assert.equal(
    s,
    'sid=abc123; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Max-Age=3600; Domain=example.com; Path=/app; Secure; HttpOnly; SameSite=Lax',
  );
  assert.equal(serializeCookie('a', '"quoted"'), 'a="quoted"');
  assert.equal(serializeCookie('a', ''), 'a=');
});

test('serializeCookie refuses header injection and grammar violations (COOKIE_INVALID)', () => {
  const bad: [string, string, Parameters<typeof serializeCookie>[2]][] = [
    ['a\r\nSet-Cookie: x', 'v', {}],
    ['a', 'v\r\nX-Evil: 1', {}],
    ['a', 'v; Domain=evil.com', {}],
    ['a', 'has space', {}],
    ['a', 'comma,', {}],
    ['a', 'back\\slash', {}],
    ['', 'v', {}],
    ['na=me', 'v', {}],
    ['a', 'v', { path: '/x;Secure' }],
    ['a', 'v', { path: '/x\n' }],
    ['a', 'v', { path: 'relative' }],
    ['a', 'v', { domain: 'evil.com; Secure' }],
    ['a', 'v', { maxAge: 1.5 }],
    ['a', 'v', { sameSite: 'None' }],
    ['a', 'v', { expires: new Date(Number.NaN) }],
  ];
  for (const [name, value, options] of bad) {
    assert.throws(
      () => serializeCookie(name, value, options),
      (err: unknown) => hasCode(err, ErrorCodes.COOKIE_INVALID),
      JSON.stringify([name, value, options]),
    );
  }
});

test('parseCookieHeader: pairs, quotes, first wins, hostile input skipped', () => {
  const m = parseCookieHeader('SID=31d4d96e407aad42; lang=en-US; q="v"; SID=second');
  assert.deepEqual(
    [...m],
    [
      ['SID', '31d4d96e407aad42'],
      ['lang', 'en-US'],
      ['q', 'v'],
    ],
  );
  assert.deepEqual(
    [...parseCookieHeader('novalue; =x; a b=c; ok=1; bad=v v; e=')],
    [
      ['ok', '1'],
      ['e', ''],
    ],
  );
  assert.equal(parseCookieHeader(undefined).size, 0);
  assert.equal(parseCookieHeader('x'.repeat(70000)).size, 0);
  assert.equal(parseCookieHeader(Array.from({ length: 1000 }, (_, i) => `c${i}=v`).join('; ')).size, 200);
});

test('parseSetCookie (§5.2): attributes, Max-Age beats Expires, bad values ignored', () => {
  const now = Date.UTC(2024, 0, 1);
  const c = parseSetCookie(
    'id=a3fWa; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Max-Age=60; Domain=.Example.COM; Path=/docs; Secure; HttpOnly; SameSite=strict',
    now,
  );
  assert.deepEqual(c, {
    name: 'id',
    value: 'a3fWa',
    expiresMs: now + 60_000,
    domain: 'example.com',
    path: '/docs',
    secure: true,
    httpOnly: true,
    sameSite: 'Strict',
  });
  assert.equal(parseSetCookie('a=b; Max-Age=0', now)?.expiresMs, 0);
  assert.equal(parseSetCookie('a=b; Max-Age=-5', now)?.expiresMs, 0);
  assert.equal(parseSetCookie('a=b; Max-Age=abc', now)?.expiresMs, undefined);
  assert.equal(parseSetCookie('a=b; Path=relative', now)?.path, undefined);
  assert.equal(parseSetCookie('novalue', now), undefined);
  assert.equal(parseSetCookie('=nameless', now), undefined);
  assert.equal(parseSetCookie('a=b\x00c', now), undefined);
  assert.equal(parseSetCookie(`a=${'x'.repeat(5000)}`, now), undefined);
});

test('domain-match, default-path and path-match (§5.1.3, §5.1.4)', () => {
  assert.equal(domainMatch('www.example.com', 'example.com'), true);
  assert.equal(domainMatch('example.com', 'example.com'), true);
  assert.equal(domainMatch('badexample.com', 'example.com'), false);
  assert.equal(domainMatch('1.2.3.4', '2.3.4'), false);
  assert.equal(defaultPath('/docs/web/page.html'), '/docs/web');
  assert.equal(defaultPath('/page'), '/');
  assert.equal(defaultPath(''), '/');
  assert.equal(pathMatch('/docs', '/docs'), true);
  assert.equal(pathMatch('/docs/web', '/docs'), true);
  assert.equal(pathMatch('/docs/web', '/docs/'), true);
  assert.equal(pathMatch('/docsets', '/docs'), false);
  assert.equal(pathMatch('/', '/docs'), false);
});

test('CookieJar: host-only vs domain cookies, paths, order, expiry, Secure, replacement', () => {
  const jar = new CookieJar();
  const t0 = Date.UTC(2024, 0, 1);
  const u = (s: string) => new URL(s);
  assert.ok(jar.setCookie('host=1', u('http://www.example.com/a/b'), t0));
  assert.ok(jar.setCookie('dom=2; Domain=example.com; Path=/', u('http://www.example.com/'), t0 + 1));
  assert.ok(jar.setCookie('deep=3; Path=/a/b', u('http://www.example.com/'), t0 + 2));
  assert.equal(jar.setCookie('evil=1; Domain=attacker.com', u('http://www.example.com/'), t0), false);
  assert.equal(jar.setCookie('sec=1; Secure', u('http://www.example.com/'), t0), false, 'Secure needs https');
  assert.ok(jar.setCookie('sec=1; Secure; Path=/', u('https://www.example.com/'), t0 + 3));
  // Host-only cookie 'host' has default path /a (from /a/b).
  assert.equal(jar.cookieHeader(u('http://www.example.com/a/b/c'), t0 + 10), 'deep=3; host=1; dom=2');
  assert.equal(jar.cookieHeader(u('https://www.example.com/a/x'), t0 + 10), 'host=1; dom=2; sec=1');
  assert.equal(
    jar.cookieHeader(u('http://sub.example.com/'), t0 + 10),
    'dom=2',
    'host-only cookies stay on their host',
  );
  assert.equal(jar.cookieHeader(u('http://other.com/'), t0 + 10), undefined);
  // Replacement keeps the creation time (order) and a Max-Age expires it.
  assert.ok(
    jar.setCookie('dom=NEW; Domain=example.com; Path=/; Max-Age=10', u('http://example.com/'), t0 + 20),
  );
  assert.equal(jar.cookieHeader(u('http://example.com/'), t0 + 21), 'dom=NEW');
  assert.equal(jar.cookieHeader(u('http://example.com/'), t0 + 20 + 11_000), undefined);
  // Max-Age=0 deletes.
  jar.setCookie('deep=gone; Path=/a/b; Max-Age=0', u('http://www.example.com/'), t0 + 30);
  assert.equal(jar.cookieHeader(u('http://www.example.com/a/b/c'), t0 + 31), 'host=1');
});

test('CookieJar stays bounded per domain', () => {
  const jar = new CookieJar();
  for (let i = 0; i < 200; i++) jar.setCookie(`c${i}=v`, new URL('http://flood.test/'), 1000 + i);
  assert.equal(jar.all(2000).length, 50);
  assert.ok(jar.cookieHeader(new URL('http://flood.test/'), 2000)?.includes('c199=v'));
});

test('Netscape cookies.txt: curl-format parse, #HttpOnly_, round trip', () => {
  const curlFile = [
    '# Netscape HTTP Cookie File',
    '# https://curl.se/docs/http-cookies.html',
    '# This file was generated by libcurl! Edit at your own risk.',
    '',
    '#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tabc',
    '.example.com\tTRUE\t/docs\tTRUE\t4102444800\tpersist\tx=y',
    'broken line',
    'example.org\tFALSE\t/\tFALSE\t1\texpired\tv',
    '',
  ].join('\n');
  const now = Date.UTC(2024, 0, 1);
  const parsed = parseNetscape(curlFile, now);
  assert.equal(parsed.length, 3);
  assert.deepEqual(
    { ...parsed[0], creationMs: 0 },
    {
      name: 'session',
      value: 'abc',
      domain: '127.0.0.1',
      path: '/',
      expiresMs: undefined,
      creationMs: 0,
      hostOnly: true,
      secure: false,
      httpOnly: true,
    },
  );
  const jar = new CookieJar();
  loadNetscape(jar, curlFile, now);
  assert.equal(jar.all(now).length, 2, 'the expired cookie is dropped');
  assert.equal(jar.cookieHeader(new URL('https://www.example.com/docs/x'), now), 'persist=x=y');
  const text = formatNetscape(jar, now);
  assert.match(text, /^# Netscape HTTP Cookie File\n/);
  assert.match(text, /^#HttpOnly_127\.0\.0\.1\tFALSE\t\/\tFALSE\t0\tsession\tabc$/m);
  assert.match(text, /^\.example\.com\tTRUE\t\/docs\tTRUE\t4102444800\tpersist\tx=y$/m);
  const again = new CookieJar();
  loadNetscape(again, text, now);
  assert.deepEqual(
    again.all(now).map((c) => ({ ...c, creationMs: 0 })),
    jar.all(now).map((c) => ({ ...c, creationMs: 0 })),
  );
});

test('SessionSigner: round trip, expiry, forgery and garbage refused', () => {
  let now = 1_700_000_000_000;
  const signer = new SessionSigner(randomBytes(32), () => now);
  const token = signer.sign('alice@example.test', 60);
  assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  assert.deepEqual(signer.verify(token), { user: 'alice@example.test', expiresS: now / 1000 + 60 });
  const [payload, mac] = token.split('.') as [string, string];
  const forged = Buffer.from(JSON.stringify({ sub: 'admin@example.test', exp: now / 1000 + 60 })).toString(
    'base64url',
  );
  assert.equal(signer.verify(`${forged}.${mac}`), undefined);
  assert.equal(signer.verify(`${payload}.${mac.slice(0, -2)}AA`), undefined);
  assert.equal(new SessionSigner(randomBytes(32), () => now).verify(token), undefined, 'another key');
  for (const junk of ['', '.', 'abc', 'a.b.c', `${payload}.`, 'x'.repeat(5000)])
    assert.equal(signer.verify(junk), undefined);
  now += 61_000;
  assert.equal(signer.verify(token), undefined, 'expired');
  assert.throws(() => new SessionSigner(Buffer.alloc(8)));
});
