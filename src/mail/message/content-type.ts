/**
 * MIME header fields with parameters (RFC 2045 §5.1 Content-Type, RFC 2183 Content-Disposition):
 * parsing `type/subtype; name=value; name="quoted"` with RFC 2231 continuations
 * (`name*0=`, `name*1*=`) and charset/language (`name*=utf-8'en'%E2%82%AC`), and formatting
 * parameters back, using RFC 2231 encoding only when a value is not ASCII.
 */

/** A parsed `value; params` header (Content-Type, Content-Disposition). */
export interface ParamHeader {
  /** Lower-cased value, e.g. `text/plain` or `attachment`. */
  readonly value: string;
  /** Parameters by lower-cased name, continuations joined and RFC 2231 charsets decoded. */
  readonly params: ReadonlyMap<string, string>;
}

function unquote(v: string): string {
  return v.startsWith('"') && v.endsWith('"') && v.length >= 2 ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v;
}

function percentBytes(v: string, bytes: number[]): void {
  for (let i = 0; i < v.length; i++) {
    if (v[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(v.slice(i + 1, i + 3))) {
      bytes.push(parseInt(v.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(v.charCodeAt(i) & 0xff);
  }
}

function decodeCharset(bytes: number[], charset: string): string {
  try {
    return new TextDecoder(charset || 'utf-8').decode(Buffer.from(bytes));
  } catch {
    return Buffer.from(bytes).toString('latin1');
  }
}

/** Splits on `;` outside quoted strings and comments. */
function splitParams(text: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (quoted) {
      cur += c;
      if (c === '\\') cur += text[++i] ?? '';
      else if (c === '"') quoted = false;
    } else if (c === '"') {
      quoted = true;
      cur += c;
    } else if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (depth > 0) continue;
    else if (c === ';') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts.map((p) => p.trim());
}

/** Parses a parameterised header value; never throws. */
export function parseParamHeader(text: string): ParamHeader {
  const [head = '', ...rest] = splitParams(text);
  const simple = new Map<string, string>();
  const pieces = new Map<string, { index: number; value: string; encoded: boolean }[]>();
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const rawName = part.slice(0, eq).trim().toLowerCase();
    const value = part.slice(eq + 1).trim();
    const m = /^([^*]+)\*(?:(\d{1,3})\*?)?$/.exec(rawName);
    if (m) {
      const name = m[1] ?? '';
      const list = pieces.get(name) ?? [];
      list.push({ index: m[2] === undefined ? 0 : Number(m[2]), value, encoded: rawName.endsWith('*') });
      pieces.set(name, list);
    } else if (!simple.has(rawName)) simple.set(rawName, unquote(value));
  }
  const params = new Map(simple);
  for (const [name, list] of pieces) {
    list.sort((a, b) => a.index - b.index);
    let charset = '';
    // Octets of every piece are joined before decoding: a UTF-8 character may span two pieces.
    const bytes: number[] = [];
    for (const [i, p] of list.entries()) {
      let v = p.encoded ? p.value : unquote(p.value);
      if (p.encoded && i === 0) {
        const m = /^([^']*)'[^']*'(.*)$/.exec(v);
        if (m) {
          charset = m[1] ?? '';
          v = m[2] ?? '';
        }
      }
      if (p.encoded) percentBytes(v, bytes);
      // One push per octet: spreading a long value into push() overflows the call stack.
      else for (const b of Buffer.from(v, 'utf8')) bytes.push(b);
    }
    params.set(name, decodeCharset(bytes, charset));
  }
  return { value: head.toLowerCase(), params };
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Formats `; name=value` parameters: tokens bare, ASCII quoted, non-ASCII as RFC 2231
 * `name*=utf-8''…` (split into `name*0*`, `name*1*`… when long, §3). Each parameter starts with
 * a space after the `;` so that foldHeader can break there.
 */
export function formatParams(params: readonly (readonly [string, string])[]): string {
  let out = '';
  for (const [name, value] of params) {
    if (!/[^\x20-\x7e]/.test(value)) {
      out += `; ${name}=${TOKEN.test(value) ? value : `"${value.replace(/(["\\])/g, '\\$1')}"`}`;
      continue;
    }
    const enc = [...Buffer.from(value, 'utf8')]
      .map((b) =>
        (b >= 0x30 && b <= 0x39) ||
        (b >= 0x41 && b <= 0x5a) ||
        (b >= 0x61 && b <= 0x7a) ||
        b === 0x2e ||
        b === 0x2d
          ? String.fromCharCode(b)
          : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
      )
      .join('');
    const full = `utf-8''${enc}`;
    if (full.length <= 60) {
      out += `; ${name}*=${full}`;
      continue;
    }
    // Split on %XX boundaries into continuations of about 60 characters.
    const chunks: string[] = [];
    let cur = '';
    for (const tok of full.match(/%[0-9A-F]{2}|[^%]/g) ?? []) {
      if (cur.length + tok.length > 60) {
        chunks.push(cur);
        cur = '';
      }
      cur += tok;
    }
    if (cur) chunks.push(cur);
    chunks.forEach((c, i) => (out += `; ${name}*${String(i)}*=${c}`));
  }
  return out;
}
