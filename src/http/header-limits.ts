/**
 * The request header section limits the docs promise, checked where JavaScript sees every field.
 * node:http keeps at most `maxHeadersCount` fields and silently drops the rest, so the server
 * lets one more than the limit through and refuses a request that has it (431, RFC 6585 §5).
 * node:http2 resets a stream whose header list exceeds its SETTINGS_MAX_HEADER_LIST_SIZE before
 * any JavaScript runs (curl then retries, then fails), so that setting is a higher hard ceiling
 * and the documented size is checked here, with RFC 9113 §6.5.2's measure, for a 431 reply.
 */
import { HTTP_LIMITS } from './limits.js';

/** RFC 9113 §6.5.2: each field counts its name and value octets plus 32. */
const FIELD_OVERHEAD_OCTETS = 32;

/**
 * Why a request's header section is over the limits (its 431 reason), or undefined.
 * `rawHeaders` is node's flat [name, value, …] list; `http2` says it holds pseudo-header fields
 * (`:method`…), which are not counted as fields but count toward the header list size.
 * HTTP/1.1's size is llhttp's to enforce (its `maxHeaderSize`), before a request exists.
 */
export function headerSectionRefusal(
  rawHeaders: readonly string[],
  http2: boolean,
  maxHeaderBytes: number,
): string | undefined {
  // HTTP/1.1: every entry is a field and llhttp has bounded the size; no loop on the hot path.
  if (!http2) return rawHeaders.length / 2 > HTTP_LIMITS.maxHeadersCount ? tooMany() : undefined;
  let fields = 0;
  let listSize = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? '';
    if (name.charCodeAt(0) !== 0x3a) fields++;
    listSize += Buffer.byteLength(name) + Buffer.byteLength(rawHeaders[i + 1] ?? '') + FIELD_OVERHEAD_OCTETS;
  }
  if (fields > HTTP_LIMITS.maxHeadersCount) return tooMany();
  if (listSize > maxHeaderBytes)
    return `Request Header Fields Too Large: header list over ${String(maxHeaderBytes)} octets`;
  return undefined;
}

function tooMany(): string {
  return `Request Header Fields Too Large: more than ${String(HTTP_LIMITS.maxHeadersCount)} header fields`;
}
