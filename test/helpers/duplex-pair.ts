/**
 * Two connected in-memory duplexes: what one end writes, the other reads. Sessions and the line
 * layer are tested over these without sockets (tier 2).
 */
import { Duplex, PassThrough } from 'node:stream';

/** Two connected in-memory duplexes. */
export function duplexPair(): [Duplex, Duplex] {
  const aToB = new PassThrough();
  const bToA = new PassThrough();
  return [Duplex.from({ readable: bToA, writable: aToB }), Duplex.from({ readable: aToB, writable: bToA })];
}
