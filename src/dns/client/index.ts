/**
 * Public surface of the DNS stub client: `queryDns` (one question, UDP with TCP fallback), the
 * lower-level `exchangeUdp`/`exchangeTcp`, reply matching, `/etc/resolv.conf` reading and the
 * dig-style formatter used by `outpost dig`.
 */
export * from './defaults.js';
export * from './query.js';
export { randomizeCase, replyMismatch, type MatchOptions } from './match.js';
export { resolveServer, serverLabel } from './server-address.js';
export { readResolvConf, parseResolvConf, type ResolvConf } from './resolv-conf.js';
export { digRecordLine, formatDig, formatShort, formatWhen, type DigFormatContext } from './dig-format.js';
