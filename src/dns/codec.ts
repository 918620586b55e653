/**
 * Public surface of the DNS codec: constants, types, name helpers, the decoder and encoder and the
 * presentation-format helpers. Pure code: no sockets, timers or global state. The zone-file parser
 * lives in ./zone/ and is exported from there; the whole family's surface (`outpost/dns`) is
 * index.ts, which re-exports this.
 */
export * from './constants.js';
export * from './limits.js';
export type * from './types.js';
export {
  canonicalName,
  formatLabels,
  isSubdomain,
  joinName,
  labelCount,
  nameKey,
  namesEqual,
  nameToWire,
  parseName,
  type ParsedName,
} from './name.js';
export { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from './ip.js';
export { decodeHeader, decodeMessage, type DecodeOptions } from './decode.js';
export { decodeRdataBytes } from './rdata-decode.js';
export { encodeMessage, MessageEncoder, type EncodeOptions } from './encode.js';
export { genericRdataToText, quoteString, rdataToText, recordToText, toHex } from './presentation.js';
export { requestHeader } from './header.js';
