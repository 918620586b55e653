/**
 * Which header fields a cache keeps and how a 304 (or a HEAD) refreshes them (RFC 9111 §3.1,
 * §3.2): hop-by-hop fields and those the Connection field lists are never stored, nor the
 * proxy-specific Proxy-Authenticate, Proxy-Authentication-Info and Proxy-Authorization, nor the
 * fields a qualified `no-cache="…"` or `private="…"` names in a shared cache. An update replaces
 * each stored field the new response carries, except those and the fields that describe the
 * stored body itself (Content-Length, Content-Encoding, Content-MD5, Content-Range) and its ETag,
 * which a 304 cannot change (the stored body is the one validated; http-cache-tests requires it).
 */
import { qualifiedFields, type CacheDirectives } from './cache-control.js';

/** Header fields as name/value pairs. */
export type HeaderPairs = readonly (readonly [string, string])[];

/** Hop-by-hop fields (RFC 9110 §7.6.1) and the old ones still seen in the wild. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Fields that belong to the proxy a cache talks through (§3.1), never stored. */
const PROXY_SPECIFIC: ReadonlySet<string> = new Set([
  'proxy-authenticate',
  'proxy-authentication-info',
  'proxy-authorization',
]);

/** Fields a 304 or HEAD update never replaces: they describe the stored body. */
const BODY_FIELDS: ReadonlySet<string> = new Set([
  'content-length',
  'content-encoding',
  'content-md5',
  'content-range',
  'etag',
]);

/** The names `headers`' Connection fields list (lowercased). */
export function connectionListed(headers: HeaderPairs): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of headers) {
    if (k.toLowerCase() !== 'connection') continue;
    for (const n of v.split(',')) {
      const name = n.trim().toLowerCase();
      if (name.length > 0) out.add(name);
    }
  }
  return out;
}

/** The names never stored from `headers` under `directives` (lowercased). */
function excluded(
  headers: HeaderPairs,
  directives: CacheDirectives,
  shared: boolean,
): (name: string) => boolean {
  const listed = connectionListed(headers);
  const qualified = new Set([
    ...qualifiedFields(directives.get('no-cache')),
    ...(shared ? qualifiedFields(directives.get('private')) : []),
  ]);
  return (name) =>
    HOP_BY_HOP.has(name) || PROXY_SPECIFIC.has(name) || listed.has(name) || qualified.has(name);
}

/** The fields of a response to store (§3.1). */
export function storedHeaders(
  headers: HeaderPairs,
  directives: CacheDirectives,
  shared: boolean,
): [string, string][] {
  const drop = excluded(headers, directives, shared);
  return headers.filter(([k]) => !drop(k.toLowerCase())).map(([k, v]) => [k, v]);
}

/**
 * The stored fields refreshed by a 304's (or a HEAD response's) `update` (§3.2): every field
 * `update` carries replaces the stored lines of that name, except the excluded ones and the
 * body's own fields (BODY_FIELDS).
 */
export function updatedHeaders(
  stored: HeaderPairs,
  update: HeaderPairs,
  directives: CacheDirectives,
  shared: boolean,
): [string, string][] {
  const drop = excluded(update, directives, shared);
  const incoming = update.filter(([k]) => {
    const name = k.toLowerCase();
    return !drop(name) && !BODY_FIELDS.has(name);
  });
  const replaced = new Set(incoming.map(([k]) => k.toLowerCase()));
  return [
    ...stored.filter(([k]) => !replaced.has(k.toLowerCase())).map(([k, v]): [string, string] => [k, v]),
    ...incoming.map(([k, v]): [string, string] => [k, v]),
  ];
}
