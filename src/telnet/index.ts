/**
 * Outpost's Telnet (`outpost/telnet`): the pure NVT codec (RFC 854 stream, RFC 1143 option
 * negotiation, the sub-negotiations of TERMINAL-TYPE, NAWS and NEW-ENVIRON), its limits, and the
 * client on top (TelnetClient over any connected stream; name resolution, TCP and TLS connection,
 * the STARTTLS exchanges of SMTP, POP3, IMAP and FTP). See docs/telnet.md.
 */
export * from './codec/index.js';
export * from './limits.js';
export {
  TelnetClient,
  type TelnetClientOptions,
  type TelnetClientEvents,
  type WindowSize,
} from './client/telnet-client.js';
export { agrees, type OptionOffer } from './client/policy.js';
export { resolveHost, bareHost, type HostAddress } from './client/resolve.js';
export { connectTcp, startTls, CONNECT_TIMEOUT_MS, type TlsTrust } from './client/connect.js';
export { negotiateStartTls, STARTTLS_PROTOCOLS, type StartTlsProtocol } from './client/starttls.js';
