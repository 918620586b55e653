/**
 * Decoding what a server sent back, shared by the UDP and TCP transports. Trailing octets after
 * the last record are tolerated (dig accepts them too). A truncated reply (TC=1) may legally end
 * in the middle of a record (RFC 2181 §9 asks servers not to, but some do): when such a reply
 * does not decode we still take its header and question, which is all the caller needs to retry
 * over TCP.
 */
import { decodeHeader, decodeMessage } from '../decode.js';
import { HEADER_SIZE } from '../limits.js';
import type { Message } from '../types.js';

/** A reply as the transports return it: the decoded message and the octets it came from. */
export interface DnsReply {
  readonly message: Message;
  /** The reply exactly as received (without the TCP length prefix). */
  readonly bytes: Buffer;
}

/**
 * Decode a reply. Throws ERR_PARSE when it is malformed, except for a truncated reply whose
 * header and question still decode: that one comes back with empty sections and TC set.
 */
export function decodeReply(bytes: Buffer): Message {
  try {
    return decodeMessage(bytes, { trailing: 'ignore' });
  } catch (err) {
    if (bytes.length < HEADER_SIZE || !decodeHeader(bytes).tc) throw err;
    const headOnly = Buffer.from(bytes);
    headOnly.fill(0, 6, HEADER_SIZE); // ANCOUNT, NSCOUNT, ARCOUNT := 0
    try {
      return decodeMessage(headOnly, { trailing: 'ignore' });
    } catch {
      throw err;
    }
  }
}
