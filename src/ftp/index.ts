/**
 * Outpost's FTP: the codec, the server (createFtpServer), the suite service and the client
 * (FtpClient). See docs/ftp.md.
 */
export * from './codec/index.js';
export { FTP_LIMITS } from './limits.js';
export { createFtpServer, FtpServer, redactFtpLine, type FtpServerOptions } from './server/ftp-server.js';
export { UserFs, FsError, type FtpPermissions } from './server/user-fs.js';
export type { FtpSessionOptions, LoginOutcome } from './session/context.js';
export type { DataChannel, DataConnection, BulkReceiver } from './session/data-channel.js';
export type { FtpUser, VirtualHost } from './session/state.js';
export { FtpService, ftpServiceDefinition } from './service/ftp-service.js';
export {
  FtpClient,
  FtpReplyError,
  type FtpClientOptions,
  type RemoteEntry,
  type ProgressCallback,
} from './client/ftp-client.js';
