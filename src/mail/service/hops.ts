/**
 * Mail-loop detection (RFC 5321 §6.3): counting the `Received:` fields of a message's header
 * section without parsing the whole message.
 */

/** More `Received:` fields than this and the message is refused as looping (Postfix uses 50). */
export const MAX_HOPS = 50;

const CRLF_CRLF = Buffer.from('\r\n\r\n');

/** The number of `Received:` fields in the header section of `bytes` (CRLF lines). */
export function countReceived(bytes: Buffer): number {
  const end = bytes.indexOf(CRLF_CRLF);
  const header = (end === -1 ? bytes : bytes.subarray(0, end + 2)).toString('latin1');
  const m = header.match(/^received:/gim);
  return m === null ? 0 : m.length;
}
