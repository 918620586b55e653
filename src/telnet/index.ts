/**
 * Outpost's Telnet (`outpost/telnet`): the pure NVT codec (RFC 854 stream, RFC 1143 option
 * negotiation, the sub-negotiations of TERMINAL-TYPE, NAWS and NEW-ENVIRON) and its limits.
 * See docs/telnet.md.
 */
export * from './codec/index.js';
export * from './limits.js';
