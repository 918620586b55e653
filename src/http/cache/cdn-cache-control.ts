/**
 * CDN-Cache-Control (RFC 9213): a Structured Field dictionary (RFC 8941) with Cache-Control's
 * directives, targeted at CDN caches. A cache that obeys it uses its directives instead of
 * Cache-Control's; a field that does not parse, or whose known directives have the wrong type
 * (`max-age="10"`), is ignored whole (§2.1), so Cache-Control applies.
 */
import { isInnerList, parseDictionary } from 'structured-headers';
import { parseCacheControl, type CacheDirectives, type HeaderSource } from './cache-control.js';
import { parseSurrogateControl } from './surrogate-control.js';

const INTEGER_DIRECTIVES = new Set(['max-age', 's-maxage', 'stale-while-revalidate', 'stale-if-error']);
const FLAG_DIRECTIVES = new Set([
  'no-store',
  'public',
  'must-revalidate',
  'proxy-revalidate',
  'immutable',
  'must-understand',
  'no-transform',
]);
const FLAG_OR_STRING = new Set(['private', 'no-cache']);

/** The directives of a CDN-Cache-Control value, or undefined when it is absent or invalid. */
export function parseCdnCacheControl(value: string | null | undefined): CacheDirectives | undefined {
  if (value === null || value === undefined) return undefined;
  let dict: ReturnType<typeof parseDictionary>;
  try {
    dict = parseDictionary(value);
  } catch {
    return undefined;
  }
  const out = new Map<string, string | undefined>();
  for (const [name, member] of dict) {
    if (isInnerList(member)) {
      if (INTEGER_DIRECTIVES.has(name) || FLAG_DIRECTIVES.has(name) || FLAG_OR_STRING.has(name))
        return undefined;
      continue;
    }
    const item: unknown = member[0];
    if (INTEGER_DIRECTIVES.has(name)) {
      if (typeof item !== 'number' || !Number.isInteger(item) || item < 0) return undefined;
      out.set(name, String(item));
    } else if (FLAG_DIRECTIVES.has(name)) {
      if (item !== true) return undefined;
      out.set(name, undefined);
    } else if (FLAG_OR_STRING.has(name)) {
      if (item === true) out.set(name, undefined);
      else if (typeof item === 'string') out.set(name, item);
      else return undefined;
    } else {
      out.set(name, typeof item === 'string' || typeof item === 'number' ? String(item) : undefined);
    }
  }
  return out;
}

/**
 * The directives a cache obeys for a response: as a CDN (`cdn`), CDN-Cache-Control's when it is
 * valid, else the Surrogate-Control directives meant for us (surrogate-control.ts); otherwise
 * Cache-Control's.
 */
export function responseDirectives(headers: HeaderSource, cdn: boolean): CacheDirectives {
  if (cdn) {
    const targeted =
      parseCdnCacheControl(headers.get('cdn-cache-control')) ??
      parseSurrogateControl(headers.get('surrogate-control'));
    if (targeted !== undefined) return targeted;
  }
  return parseCacheControl(headers.get('cache-control'));
}
