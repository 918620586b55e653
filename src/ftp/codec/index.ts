/**
 * The FTP codec: pure functions and small incremental converters shared by the server, the client
 * and the CLI. No sockets, no timers.
 */
export * from './reply.js';
export * from './command.js';
export * from './address.js';
export * from './listing.js';
export * from './ascii.js';
export * from './path.js';
export * from './host.js';
