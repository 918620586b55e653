/**
 * Building message headers: every flag cleared, opcode QUERY and rcode NOERROR unless the caller
 * says otherwise, so code that sends queries (the stub client, zone transfers, NOTIFY) states
 * only what differs instead of spelling out all eleven fields.
 */
import { Opcode } from './constants.js';
import type { Header } from './types.js';

/** A request header with `id`; `changes` sets the fields that differ from the defaults. */
export function requestHeader(id: number, changes: Partial<Omit<Header, 'id'>> = {}): Header {
  return {
    id,
    qr: false,
    opcode: Opcode.QUERY,
    aa: false,
    tc: false,
    rd: false,
    ra: false,
    z: false,
    ad: false,
    cd: false,
    rcode: 0,
    ...changes,
  };
}
