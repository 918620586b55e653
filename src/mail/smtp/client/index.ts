/** The SMTP client as one import: session, capabilities, envelope helpers and limits. */
export { Capabilities } from './capabilities.js';
export { canonicalBody, dotStuffed, encodeXtext, toCrlfLines, type EnvelopeRecipient } from './envelope.js';
export { SMTP_CLIENT_LIMITS, type SmtpClientTimeouts } from './limits.js';
export {
  connectSmtp,
  SmtpClient,
  SmtpClientError,
  type RecipientResult,
  type SendRequest,
  type SendResult,
  type SmtpClientOptions,
  type SmtpSecurity,
} from './smtp-client.js';
