/**
 * The shared core as one import (`outpost/core`): errors, limits, config, accounts, the
 * line-protocol layer and TCP service, TLS, logging, transcripts and metrics.
 */
export * from './errors.js';
export * from './limits.js';
export * from './accounts/index.js';
export {
  configSchema,
  parseListenAddress,
  type ListenAddress,
  type OutpostConfig,
  type OutpostConfigInput,
} from './config/schema.js';
export {
  configFromObject,
  formatKeyPath,
  loadConfigFile,
  logConfigWarnings,
  type ConfigLoadOptions,
  type ConfigWarning,
  parseConfigText,
  validateConfig,
} from './config/load.js';
export { RENAMED_KEYS, type RenamedKey } from './config/renamed-keys.js';
export { DEFAULT_LOGIN_POLICY, passwordAllowed, type LoginPolicy } from './auth/login-policy.js';
export {
  SASL_MECHANISMS,
  runSaslExchange,
  type SaslOutcome,
  type SaslRead,
  type SaslTransport,
} from './sasl.js';
export { migrate, openDatabase, schemaVersion, type Database, type Migration } from './db.js';
export { LineBuffer, type LineItem } from './line/line-buffer.js';
export {
  LineConnection,
  type BytesResult,
  type LineConnectionOptions,
  type ReadResult,
} from './line/connection.js';
export {
  TcpService,
  type BoundListener,
  type ListenOptions,
  type TcpServiceOptions,
} from './server/tcp-service.js';
export { TlsProvider, ensureDevCertificate, generateSelfSigned, type CertificateFiles } from './tls.js';
export { createLogger, silentLogger, type Logger, type LoggerOptions } from './logger.js';
export {
  TRANSCRIPT_CHANNEL,
  formatTranscriptEntry,
  publishTranscript,
  subscribeTranscript,
  transcriptActive,
  type TranscriptEntry,
} from './transcript.js';
export { createMetrics, type ServiceMetrics } from './metrics.js';
