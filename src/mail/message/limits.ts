/**
 * Limits of the message codec (RFC 5322 headers, MIME), in one place so that the header parser,
 * the MIME walker and the DSN builder cannot disagree. Every parser of untrusted message bytes
 * reads its caps from here; callers may pass tighter or looser values.
 */

/** Caps for parsing one message's header section and MIME structure. */
export const MESSAGE_LIMITS = {
  /** Header fields in one header section. RFC 5322 sets no limit; Postfix's
   *  header_address_token_limit/hopcount and most MTAs stop near a few hundred to 1000. */
  maxHeaderFields: 1000,
  /** Octets of one header section (all fields with their folding), 1 MiB. */
  maxHeaderSectionOctets: 1024 * 1024,
  /** Octets of one (folded) header field. RFC 5322 §2.1.1 caps a line at 998 octets but a field
   *  may be folded over many lines. */
  maxFieldOctets: 64 * 1024,
  /** Nesting depth of multiparts and message/rfc822 parts walked by the MIME parser. */
  maxMimeDepth: 20,
  /** Parts (leaves and containers) walked in one message by the MIME parser. */
  maxMimeParts: 1000,
  /** Addresses parsed from one header field (To:, Cc:…). */
  maxAddresses: 1000,
  /** Nesting depth of comments `(a (b (c)))` in structured fields (RFC 5322 §3.2.2). */
  maxCommentDepth: 10,
  /** RFC 2045 §6.7 (5) / §6.8: encoded lines are at most 76 characters, CRLF excluded. */
  encodedLineChars: 76,
  /** RFC 2047 §2: an encoded word is at most 75 characters. */
  encodedWordChars: 75,
  /** RFC 5322 §2.1.1: lines SHOULD be at most 78 characters (CRLF excluded) when we fold. */
  foldLineChars: 78,
} as const;

/** The caps a parser accepts, each optional (defaults from MESSAGE_LIMITS). */
export type MessageLimits = { -readonly [K in keyof typeof MESSAGE_LIMITS]?: number };
