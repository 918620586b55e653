/**
 * The refresh check's question to the primary: "what is your SOA serial?" (RFC 1035 §4.3.5, and
 * RFC 1996 §4.7 after a NOTIFY). Asked with the stub client (UDP, TCP on truncation), RD clear;
 * the answer must be authoritative and carry the zone's SOA, else the check failed.
 */
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { queryDns } from '../client/query.js';
import type { DnsServerAddress } from '../client/server-address.js';
import { Rcode, RRType } from '../constants.js';
import { namesEqual } from '../name.js';
import { DnsRcodeError } from './errors.js';

/**
 * The primary's current serial for `apex`. Rejects with the stub client's codes (ERR_TIMEOUT,
 * ERR_CONNECTION_CLOSED, ERR_PARSE), ERR_DNS_RCODE for an error rcode, and ERR_PARSE for a
 * non-authoritative answer or one without the SOA.
 */
export async function querySoaSerial(
  server: DnsServerAddress,
  apex: string,
  timeoutMs: number,
): Promise<number> {
  const result = await queryDns({
    server,
    name: apex,
    type: RRType.SOA,
    recursionDesired: false,
    timeoutMs,
    retries: 1,
  });
  const m = result.message;
  if (m.header.rcode !== Rcode.NOERROR) throw new DnsRcodeError(m.header.rcode, `SOA query for ${apex}`);
  if (!m.header.aa) throw new OutpostError(ErrorCodes.PARSE, `SOA answer for ${apex} is not authoritative`);
  for (const rr of m.answers) {
    if (rr.data.type === 'SOA' && namesEqual(rr.name, apex)) return rr.data.serial;
  }
  throw new OutpostError(ErrorCodes.PARSE, `SOA answer for ${apex} has no SOA record`);
}
