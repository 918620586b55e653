/**
 * Defaults and bounds of the DNS stub client, in one place so the query library, `outpost dig`
 * and later the recursive resolver and the mail queue cannot drift apart. Values follow dig's
 * defaults where dig has one, so `outpost dig` and `dig` behave alike out of the box.
 */

/** Standard DNS port (RFC 1035 §4.2). */
export const DNS_PORT = 53;

/** Time to wait for one reply, in milliseconds (dig's `+time=5`). */
export const DEFAULT_TIMEOUT_MS = 5000;

/** Extra attempts after the first one times out or fails (dig's `+tries=3` means 2 retries). */
export const DEFAULT_RETRIES = 2;

/** Upper bound on `retries`, so a caller cannot make one query block for minutes. */
export const MAX_RETRIES = 10;

/** Upper bound on `timeoutMs` for one attempt (our policy: one minute). */
export const MAX_TIMEOUT_MS = 60_000;

/**
 * EDNS UDP payload size we advertise: 1232 octets avoids IP fragmentation on IPv6 paths (DNS
 * Flag Day 2020 recommendation; dig's default since BIND 9.16).
 */
export const DEFAULT_EDNS_PAYLOAD = 1232;

/** Length of the TCP message prefix in octets (RFC 1035 §4.2.2, RFC 7766 §8). */
export const TCP_LENGTH_PREFIX = 2;
