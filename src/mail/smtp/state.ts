/**
 * The SMTP session's state: ONE discriminated union, so an impossible combination (a transaction
 * before EHLO, BDAT chunks without a transaction, credentials surviving STARTTLS) cannot be
 * represented. `fresh` is before HELO/EHLO (and again after STARTTLS, RFC 3207 §4.2); `ready` has
 * a greeting; `mail` has a sender and collects recipients; `chunking` is inside a BDAT sequence.
 */
import type { MailParams, RcptParams } from './codec/command.js';

/** What HELO/EHLO told us. */
export interface Greeting {
  readonly name: string;
  readonly esmtp: boolean;
}

/** One accepted recipient. */
export interface AcceptedRecipient {
  readonly address: string;
  readonly route: 'local' | 'remote';
  readonly params: RcptParams;
}

/** The envelope of the transaction in progress. */
export interface Envelope {
  /** '' for the null reverse-path. */
  readonly mailFrom: string;
  readonly params: MailParams;
  readonly recipients: readonly AcceptedRecipient[];
}

/** BDAT progress (RFC 3030). */
export interface Chunking {
  readonly parts: readonly Buffer[];
  readonly octets: number;
  /** Set once the body is known to be too big; later chunks are read and dropped. */
  readonly problem: 'too-big' | null;
}

/** The session state (see the file comment). `user` is the authenticated address, if any. */
export type SessionState =
  | { readonly phase: 'fresh'; readonly user: null }
  | { readonly phase: 'ready'; readonly greeting: Greeting; readonly user: string | null }
  | {
      readonly phase: 'mail';
      readonly greeting: Greeting;
      readonly user: string | null;
      readonly envelope: Envelope;
    }
  | {
      readonly phase: 'chunking';
      readonly greeting: Greeting;
      readonly user: string | null;
      readonly envelope: Envelope;
      readonly chunking: Chunking;
    };

/** A phase name. */
export type Phase = SessionState['phase'];

/** The state after RSET (or after a finished transaction): greeted, no transaction. */
export function withoutTransaction(state: SessionState): SessionState {
  return state.phase === 'fresh' ? state : { phase: 'ready', greeting: state.greeting, user: state.user };
}
