/**
 * `outpost/imap`: the IMAP server (createImapServer) and its codec.
 */
export { createImapServer, ImapServer, type ImapServerOptions } from './server.js';
export { ImapSession, type ImapSessionLimits } from './session/session.js';
export * from './codec/index.js';
export { IMAP_LIMITS } from './limits.js';
