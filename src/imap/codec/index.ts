/**
 * The IMAP codec's surface (pure: no sockets, no timers): the command parser and its typed
 * commands, the response encoders, sequence sets, dates and mailbox-name encodings. The
 * session imports from here.
 */
export * from './body-structure.js';
export * from './command.js';
export * from './date.js';
export * from './encode.js';
export * from './envelope.js';
export * from './fetch-response.js';
export * from './mailbox-name.js';
export * from './parser.js';
export * from './redact.js';
export * from './responses.js';
export * from './search-key.js';
export * from './sequence-set.js';
export * from './transcript.js';
