/**
 * Request framing a proxy must refuse (pure), so that it and the origin can never disagree on
 * where a request ends (request smuggling, RFC 9112 §6.1 and §6.3, RFC 9113 §8.2.2). node:http's
 * parser already refuses most ambiguous HTTP/1.1 framing before a request exists (Content-Length
 * with Transfer-Encoding, differing Content-Lengths, malformed values); it lets a request whose
 * Transfer-Encoding does not end in `chunked` through, and HTTP/2 has its own rules, so the proxy
 * checks every request again before forwarding it.
 */

/** Why a request's framing is refused (its 400 reason), or undefined when it is unambiguous. */
export function framingRefusal(rawHeaders: readonly string[], http2: boolean): string | undefined {
  let contentLength: string | undefined;
  let transferEncoding: string | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    const value = (rawHeaders[i + 1] ?? '').trim();
    if (name === 'content-length') {
      if (!/^[0-9]{1,15}$/.test(value)) return 'Bad Request: invalid Content-Length';
      if (contentLength !== undefined && contentLength !== value)
        return 'Bad Request: differing Content-Length fields';
      contentLength = value;
    } else if (name === 'transfer-encoding') {
      transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
    }
  }
  if (transferEncoding === undefined) return undefined;
  if (http2) return 'Bad Request: Transfer-Encoding in an HTTP/2 request';
  if (contentLength !== undefined) return 'Bad Request: both Content-Length and Transfer-Encoding';
  const codings = transferEncoding.split(',').map((c) => c.trim().toLowerCase());
  if (codings.at(-1) !== 'chunked' || codings.indexOf('chunked') !== codings.length - 1)
    return 'Bad Request: Transfer-Encoding must end in chunked, once';
  return undefined;
}
