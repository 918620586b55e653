/**
 * Every size and count limit the DNS codec and zone parser enforce, in one place so the decoder,
 * the encoder and the zone parser cannot drift apart. Each constant cites the RFC it comes from;
 * the ones that are our own policy (include depth, pointer budget) say so.
 */

/** Fixed DNS header size in octets (RFC 1035 §4.1.1). */
export const HEADER_SIZE = 12;

/** Longest label, in octets (RFC 1035 §2.3.4: "labels 63 octets or less"). */
export const MAX_LABEL_LENGTH = 63;

/** Longest name in wire form, length octets and the root label included (RFC 1035 §2.3.4). */
export const MAX_NAME_LENGTH = 255;

/** Largest DNS message: the TCP length prefix is 16 bits (RFC 1035 §4.2.2). */
export const MAX_MESSAGE_SIZE = 65535;

/** Classic UDP payload limit without EDNS (RFC 1035 §2.3.4, §4.2.1). */
export const MAX_UDP_SIZE = 512;

/** Largest character-string (one length octet, RFC 1035 §3.3). */
export const MAX_CHARACTER_STRING = 255;

/** Largest RDATA: RDLENGTH is a 16-bit field (RFC 1035 §3.2.1). */
export const MAX_RDATA_LENGTH = 65535;

/**
 * Largest offset a compression pointer can hold: 14 bits (RFC 1035 §4.1.4). Names written past
 * this offset are still written, they just cannot become compression targets.
 */
export const MAX_POINTER_OFFSET = 0x3fff;

/**
 * Pointer jumps allowed while reading one name. Our decoder already requires every pointer to go
 * strictly backwards (so loops are impossible); this is belt and braces. A legal name has at
 * most 127 labels, so it can never need more jumps than that.
 */
export const MAX_POINTER_JUMPS = 127;

/** Largest TTL: RFC 2181 §8 says values with the top bit set are treated as zero; we refuse them. */
export const MAX_TTL = 0x7fffffff;

/** How deeply `$INCLUDE` may nest (our policy; BIND and NSD use similar small limits). */
export const MAX_INCLUDE_DEPTH = 16;

/** Smallest UDP payload size an EDNS requester may advertise (RFC 6891 §6.2.5). */
export const MIN_EDNS_UDP_SIZE = 512;

/**
 * UDP payload size we advertise in our OPT record (RFC 6891 §6.2.5). 1232 is the DNS Flag Day 2020
 * value (fits the IPv6 minimum MTU of 1280 minus headers) and what NSD 4.x sends by default.
 */
export const EDNS_PAYLOAD_SIZE = 1232;

/** The only EDNS version we implement; anything higher gets BADVERS (RFC 6891 §6.1.3). */
export const EDNS_VERSION = 0;
