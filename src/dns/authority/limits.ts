/**
 * The answer engine's limits and fixed protocol values, each with where it comes from. Kept apart
 * from the codec's limits.ts because they are policy of the authoritative server, not of the wire
 * format. (Our EDNS payload size and version live in ../limits.ts: the transport, the transfer
 * module and the engine all advertise the same.)
 */

/**
 * Most CNAME/DNAME links followed inside our own zones for one answer (our policy). RFC 1034 §4.3.2
 * step 3a restarts the lookup for each alias but sets no bound; loops are caught separately (an
 * RRset is never added twice), so this only caps long non-looping chains and wildcard-built
 * chains. NSD has no fixed bound; 32 comfortably covers any real chain.
 */
export const MAX_ALIAS_CHAIN = 32;

/** RFC 8914 §4.21: "Not Authoritative", sent with REFUSED for names outside our zones (as NSD does). */
export const EDE_NOT_AUTHORITATIVE = 20;

/** RFC 8914 §4.22: "Not Supported", sent with REFUSED for classes we do not serve (as NSD does). */
export const EDE_NOT_SUPPORTED = 21;
