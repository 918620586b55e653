/**
 * Surrogate-Control (W3C Edge Architecture 1.0): directives for surrogates (reverse proxies,
 * CDN edges), each optionally targeted at one surrogate with `;device-token`. A surrogate
 * announces its token in the Surrogate-Capability request field; the directives meant for it
 * (untargeted, or targeted at its token) replace Cache-Control for its own caching. Understood:
 * max-age (its `+stale` extension ignored) and no-store.
 */
import { scanMembers, type CacheDirectives } from './cache-control.js';

/** Our device token, announced as `Surrogate-Capability: outpost="Surrogate/1.0"`. */
export const SURROGATE_TOKEN = 'outpost';
/** The Surrogate-Capability field value a surrogate with SURROGATE_TOKEN sends. */
export const SURROGATE_CAPABILITY = `${SURROGATE_TOKEN}="Surrogate/1.0"`;

/**
 * The directives of a Surrogate-Control value meant for `token`, or undefined when there are
 * none (then Cache-Control applies).
 */
export function parseSurrogateControl(
  value: string | null | undefined,
  token = SURROGATE_TOKEN,
): CacheDirectives | undefined {
  if (value === null || value === undefined || value.length > 8192) return undefined;
  const out = new Map<string, string | undefined>();
  const re =
    /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:=("[^"]*"|[^,;\s"]+))?(?:;([!#$%&'*+.^_`|~0-9A-Za-z-]+))?\s*(?:,|$)/gy;
  scanMembers(value, re, (m) => {
    const name = (m[1] ?? '').toLowerCase();
    const target = m[3];
    if (target !== undefined && target.toLowerCase() !== token.toLowerCase()) return;
    if (name === 'max-age') {
      const secs = /^(\d+)(?:\+\d+)?$/.exec(m[2] ?? '');
      if (secs !== null && !out.has(name)) out.set(name, secs[1]);
    } else if (name === 'no-store' && !out.has(name)) out.set(name, undefined);
  });
  return out.size > 0 ? out : undefined;
}
