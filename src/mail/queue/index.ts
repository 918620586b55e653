/** The outbound queue: runner, MX resolution, backoff. */
export { QUEUE_LIMITS, retryDelay } from './limits.js';
export {
  DnsMxResolver,
  orderByPreference,
  type DnsMxResolverOptions,
  type MxHost,
  type MxResolver,
  type MxResult,
} from './mx-resolver.js';
export { QueueRunner, type QueueRunnerOptions, type QueueRunnerSettings } from './runner.js';
export { queueRunnerFromContext, queueSettingsFromContext } from './from-config.js';
