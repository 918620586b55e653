/**
 * The POP3 session state (RFC 1939 §3): one discriminated union, each state carrying exactly the
 * data that exists in it, so "a maildrop without a login" or "a lock in AUTHORIZATION" cannot be
 * represented. UPDATE is entered only by QUIT from TRANSACTION; a dropped connection, a timeout or
 * a server shutdown leaves TRANSACTION without ever reaching it.
 */
import type { Maildrop } from './maildrop.js';
import type { MessageReadAhead } from './read-ahead.js';

/** AUTHORIZATION: `user` is the name given by USER, waiting for PASS. */
export interface AuthorizationState {
  readonly kind: 'authorization';
  readonly user: string | null;
}

/** TRANSACTION: logged in, maildrop locked and snapshotted. */
export interface TransactionState {
  readonly kind: 'transaction';
  /** Canonical address of the logged-in user. */
  readonly user: string;
  readonly maildrop: Maildrop;
  /** RETR's one-message read-ahead; cancelled when the state is left. */
  readonly reader: MessageReadAhead;
  /** Releases the maildrop lock (idempotent). */
  readonly release: () => void;
}

/** UPDATE: QUIT from TRANSACTION; deletions are being applied, then the connection closes. */
export interface UpdateState {
  readonly kind: 'update';
  readonly user: string;
}

export type Pop3State = AuthorizationState | TransactionState | UpdateState;

/** The name of a state, as the command table lists them. */
export type Pop3StateKind = Pop3State['kind'];

/** The RFC's spelling of a state, for replies and docs. */
export function stateName(kind: Pop3StateKind): string {
  return kind.toUpperCase();
}
