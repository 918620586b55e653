/**
 * Every cap of the caching proxy in one place, with units and the reason behind it. Client-side
 * limits (header size, header and request timeouts, connections) are the HTTP server's
 * (src/http/limits.ts), since the proxy listens through the same listener set.
 */

export const PROXY_LIMITS = {
  /** Largest response head an origin may send, in bytes (node:http's maxHeaderSize for the
   *  origin side); an origin that sends more (endless headers) gets the client a 502. */
  maxOriginHeaderBytes: 64 * 1024,
  /** Default time to connect to an origin (TCP and TLS), in ms; `origin_connect_timeout_ms`. */
  originConnectTimeoutMs: 10_000,
  /** Default time from sending a request to the origin's response head, in ms; after it 504.
   *  `origin_timeout_ms`. */
  originTimeoutMs: 60_000,
  /** Silence in the middle of an origin body, in ms: the body is cut (nothing stored). */
  originIdleTimeoutMs: 60_000,
  /** Idle keep-alive connections kept per origin (node:http Agent maxFreeSockets). */
  originFreeSockets: 256,
  /** Connections to one origin at once (node:http Agent maxSockets); requests beyond wait. */
  originMaxSockets: 1024,
  /** How long an idle pooled origin connection is kept, in ms (below common servers' 5 s). */
  originKeepAliveMs: 4_000,
  /** Response bytes a client may leave unread before a fetch that is being stored stops waiting
   *  for it (the client then continues from the stored copy, or is dropped). */
  clientBufferBytes: 1024 * 1024,
  /** A CONNECT tunnel's silence in either direction before both sides are closed, in ms. */
  tunnelIdleTimeoutMs: 5 * 60_000,
  /** Time to connect a CONNECT tunnel's target, in ms. */
  tunnelConnectTimeoutMs: 10_000,
} as const;
