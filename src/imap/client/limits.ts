/**
 * What `ImapClient` accepts from a server, in one place: a server is as untrusted as a client,
 * so response lines, literals, lists and whole responses are bounded before they are buffered.
 */
export const IMAP_CLIENT_LIMITS = {
  /** Longest response line in octets (a SEARCH or LIST line of a large account fits). */
  maxLineOctets: 1024 * 1024,
  /** Largest literal in octets (a message): larger ones end the session with an error. */
  maxLiteralOctets: 64 * 1024 * 1024,
  /** Literals in one response line (a FETCH of a few sections, an ENVELOPE of long strings). */
  maxLiteralsPerResponse: 64,
  /** Nesting depth of parenthesised lists (BODYSTRUCTURE nests deepest). */
  maxNestingDepth: 64,
  /** Untagged responses kept for one command (a LIST of a huge account, a FETCH of a mailbox). */
  maxUntaggedPerCommand: 1_000_000,
  /** Connect, greeting and each response's silence, in milliseconds. */
  timeoutMs: 60_000,
} as const;
