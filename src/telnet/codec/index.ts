/**
 * The Telnet codec's surface (pure: no sockets, no timers): the NVT stream's parser and encoder,
 * the RFC 1143 option table, the sub-negotiation payloads and their descriptions.
 */
export * from './constants.js';
export * from './parser.js';
export * from './encode.js';
export * from './q-method.js';
export * from './subnegotiation.js';
export * from './describe.js';
