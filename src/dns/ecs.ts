/**
 * EDNS Client Subnet (RFC 7871 §6), the option's wire form both ways. `parseClientSubnet` is
 * strict like an authoritative server must be (§7.2.1: a wrongly formatted option is FORMERR):
 * FAMILY 1 (IPv4) or 2 (IPv6) only, SOURCE PREFIX-LENGTH within the address, exactly
 * ceil(SOURCE/8) ADDRESS octets, no bits set beyond SOURCE, and SCOPE 0 in a query (§6).
 */
import { EdnsOption } from './constants.js';
import type { EdnsOptionData } from './types.js';

/** A parsed ECS option. `address` is the whole address (4 or 16 octets), zero beyond the prefix. */
export interface ClientSubnet {
  readonly family: 1 | 2;
  readonly sourcePrefix: number;
  readonly scopePrefix: number;
  readonly address: Uint8Array;
}

/** Parses an ECS option's data; returns a reason string when it is malformed. */
export function parseClientSubnet(data: Uint8Array, { query = true } = {}): ClientSubnet | string {
  if (data.length < 4) return `client subnet option of ${data.length} octets (at least 4)`;
  const family = ((data[0] ?? 0) << 8) | (data[1] ?? 0);
  if (family !== 1 && family !== 2) return `client subnet family ${family} (only 1 and 2)`;
  const bits = family === 1 ? 32 : 128;
  const sourcePrefix = data[2] ?? 0;
  const scopePrefix = data[3] ?? 0;
  if (sourcePrefix > bits) return `client subnet source prefix /${sourcePrefix} beyond ${bits} bits`;
  if (scopePrefix > bits) return `client subnet scope prefix /${scopePrefix} beyond ${bits} bits`;
  if (query && scopePrefix !== 0) return 'client subnet scope prefix not 0 in a query';
  const octets = Math.ceil(sourcePrefix / 8);
  if (data.length - 4 !== octets) {
    return `client subnet address of ${data.length - 4} octets for /${sourcePrefix} (${octets})`;
  }
  const address = new Uint8Array(bits / 8);
  address.set(data.subarray(4));
  const rest = sourcePrefix & 7;
  if (rest !== 0 && ((address[octets - 1] ?? 0) & (0xff >> rest)) !== 0) {
    return `client subnet address has bits set beyond /${sourcePrefix}`;
  }
  return { family, sourcePrefix, scopePrefix, address };
}

/** The ECS option of a reply: the query's family, source prefix and address, our scope (§7.2.1). */
export function clientSubnetReply(query: ClientSubnet, scopePrefix: number): EdnsOptionData {
  const octets = Math.ceil(query.sourcePrefix / 8);
  const data = new Uint8Array(4 + octets);
  data[1] = query.family;
  data[2] = query.sourcePrefix;
  data[3] = scopePrefix;
  data.set(query.address.subarray(0, octets), 4);
  return { code: EdnsOption.CLIENT_SUBNET, data };
}
