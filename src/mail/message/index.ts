/**
 * The message codec (RFC 5322, MIME, RFC 2047, RFC 2231, RFC 3464) as one import: what SMTP,
 * POP3, IMAP, webmail and the CLI share. Pure: no sockets, no timers.
 */
export * from './address.js';
export * from './body-structure.js';
export * from './content-type.js';
export * from './date.js';
export * from './dsn.js';
export * from './encoded-word.js';
export * from './envelope.js';
export * from './headers.js';
export * from './limits.js';
export * from './message-id.js';
export * from './mime-build.js';
export * from './mime-parse.js';
export * from './structure-of.js';
export * from './submission.js';
export * from './transfer-encoding.js';
