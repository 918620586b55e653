/**
 * Content-coding negotiation (RFC 9110 §12.5.3 Accept-Encoding) and which media types are worth
 * compressing. Pure.
 */

/** Codings Outpost can send, best first when the client rates them equally. */
export type Coding = 'br' | 'gzip';
const PREFERENCE: readonly Coding[] = ['br', 'gzip'];

/** Parses Accept-Encoding into coding → qvalue (lowercased names; `*` kept). */
export function parseAcceptEncoding(header: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of header.split(',').slice(0, 32)) {
    const [name = '', ...params] = item.split(';');
    const coding = name.trim().toLowerCase();
    if (coding === '') continue;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(p);
      if (m) q = Math.min(1, Number(m[1]));
    }
    out.set(coding, q);
  }
  return out;
}

/**
 * The coding to use among `available` (e.g. precompressed siblings present), or undefined for
 * identity. A coding with q=0 is refused; `*` covers codings not named.
 */
export function negotiateEncoding(
  header: string | undefined,
  available: readonly Coding[],
): Coding | undefined {
  if (header === undefined || header === '' || available.length === 0) return undefined;
  const accepted = parseAcceptEncoding(header);
  const star = accepted.get('*');
  let best: Coding | undefined;
  let bestQ = 0;
  for (const coding of PREFERENCE) {
    if (!available.includes(coding)) continue;
    const q = accepted.get(coding) ?? (coding === 'gzip' ? accepted.get('x-gzip') : undefined) ?? star ?? 0;
    if (q > bestQ) {
      best = coding;
      bestQ = q;
    }
  }
  return best;
}

/** True for media types that compress well (text, JSON, XML, JS, SVG, wasm…). */
export function isCompressible(contentType: string): boolean {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    type.startsWith('text/') ||
    type.endsWith('+json') ||
    type.endsWith('+xml') ||
    type === 'application/json' ||
    type === 'application/javascript' ||
    type === 'application/xml' ||
    type === 'application/wasm' ||
    type === 'image/svg+xml' ||
    type === 'image/x-icon' ||
    type === 'application/manifest+json'
  );
}

/** The file suffix of a precompressed sibling (`index.html.br`). */
export const CODING_SUFFIX: Readonly<Record<Coding, string>> = { br: '.br', gzip: '.gz' };
