/**
 * `outpost/mail`: the mail family for embedding — the SMTP server (`createSmtpServer`), the
 * store (the `MailStore` contract, `openSqliteMailStore`, `openMemoryMailStore`), the RFC 5322/MIME codec, the SMTP
 * client (`connectSmtp`) and the outbound queue runner.
 */
export * from './store/index.js';
export * from './message/index.js';
export * from './smtp/client/index.js';
export * from './queue/index.js';
export {
  createSmtpServer,
  SmtpServer,
  type SmtpServerOptions,
  type SmtpListenOptions,
} from './smtp/server.js';
export { formatReply, parseReplyLine, ReplyAssembler, reply, type SmtpReply } from './smtp/codec/reply.js';
export { SMTP_LIMITS } from './smtp/limits.js';
export { smtpServiceDefinition } from './service/smtp-service.js';
export { MAIL_STORE, mailDatabasePath, sharedMailStore } from './service/mail-store.js';
