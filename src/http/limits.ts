/**
 * Every cap of the HTTP server in one place, with units and the RFC that motivates it. The
 * server options of node:http / node:http2 (header and request timeouts, header size) and our own
 * checks (URL length, body size, multipart parts, cache sizes) all read from here.
 */

export const HTTP_LIMITS = {
  /** Largest request head (request line + header fields), in bytes. RFC 9110 §5.4 lets a server
   *  refuse large headers with 431 (RFC 6585 §5); 16 KiB matches Node's default. */
  maxHeaderBytes: 16 * 1024,
  /** Longest request target, in octets. RFC 9112 §3 recommends supporting at least 8000 octets;
   *  longer targets get 414 (RFC 9110 §15.5.15). */
  maxUrlOctets: 8000,
  /** Most header fields in one request; more get 431 (RFC 6585 §5). HTTP/2 pseudo-header fields
   *  (`:method`…) are not counted. node:http is told one more (it drops fields past its
   *  maxHeadersCount silently), so a request over the limit can be seen and refused. */
  maxHeadersCount: 100,
  /** HTTP/2: the hard ceiling on a request's header list (RFC 9113 §6.5.2: names + values +
   *  32 octets per field), advertised as SETTINGS_MAX_HEADER_LIST_SIZE. Past maxHeaderBytes the
   *  request gets 431; past this, nghttp2 resets the stream (REFUSED_STREAM) before JavaScript
   *  sees it, which bounds what a stream's headers may hold in memory. */
  h2MaxHeaderListBytes: 64 * 1024,
  /** HTTP/2: the hard ceiling on fields in one header block, pseudo-header fields included
   *  (node:http2's maxHeaderListPairs); past it the stream is reset (ENHANCE_YOUR_CALM). Between
   *  maxHeadersCount and this, the request gets 431. */
  h2MaxHeaderPairs: 256,
  /** Time allowed to receive the complete request head, in ms (slowloris defence). */
  headersTimeoutMs: 20_000,
  /** Time allowed to receive the complete request (head + body), in ms. */
  requestTimeoutMs: 5 * 60_000,
  /** Idle time on a persistent connection between requests, in ms (RFC 9112 §9.8 lets
   *  a server close idle connections at any time). */
  keepAliveTimeoutMs: 5_000,
  /** Time allowed for a TLS handshake on the HTTPS listener, in ms (Node's default is 120 s). */
  tlsHandshakeTimeoutMs: 30_000,
  /** Concurrent streams per HTTP/2 connection (TLS and h2c), our SETTINGS_MAX_CONCURRENT_STREAMS;
   *  RFC 9113 §6.5.2 recommends at least 100. */
  h2MaxConcurrentStreams: 128,
  /** Socket inactivity in the middle of a response or body, in ms. */
  socketTimeoutMs: 60_000,
  /** Largest request body (PUT/POST) by default, in bytes; `[http] max_body_size` overrides. */
  maxBodyBytes: 100 * 1024 * 1024,
  /** Largest urlencoded form body, in bytes (held in memory). */
  maxFormBytes: 64 * 1024,
  /** Most parts in one multipart/form-data body (RFC 7578). */
  maxMultipartParts: 100,
  /** Largest header block of one multipart part, in bytes. */
  maxPartHeaderBytes: 8 * 1024,
  /** Most ranges honoured in one Range header (RFC 9110 §14.2 lets a server refuse many or
   *  overlapping ranges, a known amplification vector). */
  maxRanges: 16,
  /** Largest file kept in the in-memory cache, in bytes. */
  cacheMaxFileBytes: 4 * 1024 * 1024,
  /** Total bytes of file bodies (and their compressed variants) in the cache. */
  cacheMaxTotalBytes: 128 * 1024 * 1024,
  /** Largest file compressed on the fly (gzip/br), in bytes; larger ones go out as they are. */
  compressMaxBytes: 2 * 1024 * 1024,
  /** Smallest file worth compressing, in bytes. */
  compressMinBytes: 256,
  /** Chunk size for streaming files that are not cached, in bytes (few, large writes). */
  streamChunkBytes: 1024 * 1024,
  /** Most entries shown in a directory listing. */
  maxListingEntries: 5_000,
  /** Longest login session, in seconds. */
  sessionMaxAgeS: 8 * 3600,
  /** Client: most response bytes `outpost http` keeps in its cache per entry. */
  clientCacheMaxBytes: 64 * 1024 * 1024,
  /** Client: cookies kept in a jar (RFC 6265 §6.1 asks for at least 3000). */
  jarMaxCookies: 3000,
  /** Client: longest cookie (name + value + attributes) accepted, in octets (RFC 6265 §6.1: 4096). */
  maxCookieOctets: 4096,
  /** Client: cookies per domain (RFC 6265 §6.1: at least 50). */
  jarMaxCookiesPerDomain: 50,
} as const;

/** Connection accounting for HTTP listeners (see src/core/server/connection-counter.ts). */
export const HTTP_CONNECTION_LIMITS = {
  /** Simultaneous connections to one listener set. */
  maxConnections: 4096,
  /** Simultaneous connections from one client IP: browsers open 6 per host, load generators and
   *  reverse proxies many more, so this is higher than the line protocols' 50. */
  maxConnectionsPerIp: 512,
  /** How long close() lets in-flight requests finish before destroying sockets, in ms. */
  drainTimeoutMs: 10_000,
} as const;
