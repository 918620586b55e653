/**
 * The POP3 family's public surface (`outpost/pop3` once the package exports it): the server, its
 * suite service, the codec (shared with a future client) and the limits.
 */
export { createPop3Server, Pop3Server, type Pop3ServerOptions } from './server.js';
export { Pop3Service, pop3ServiceDefinition } from './service.js';
export { parseCommand, parseMessageNumber, type ParsedCommand } from './codec/command.js';
export { errLine, multiLine, okLine, type Pop3Reply, type Pop3ResponseCode } from './codec/reply.js';
export { dotStuffBody, topOfMessage, uniqueId } from './codec/message.js';
export { POP3_LIMITS } from './limits.js';
export { MaildropLocks } from './maildrop.js';
export { COMMANDS, STATIC_CAPABILITIES, type Pop3Command } from './commands/table.js';
