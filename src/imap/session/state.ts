/**
 * The IMAP session state (RFC 9051 §3): one discriminated union, each state carrying exactly the
 * data that exists in it, so "a selected mailbox without a login" cannot be represented. The
 * command table lists, per command, the states it is valid in; the gate checks it before any
 * handler runs.
 */
import type { SelectedMailbox } from './selected-mailbox.js';

/** Not Authenticated: before LOGIN/AUTHENTICATE succeeds (RFC 9051 §3.1). */
export interface NotAuthenticatedState {
  readonly kind: 'not-authenticated';
}

/** Authenticated: logged in, no mailbox selected (RFC 9051 §3.2). */
export interface AuthenticatedState {
  readonly kind: 'authenticated';
  /** Canonical address of the logged-in user. */
  readonly user: string;
}

/** Selected: a mailbox is selected (RFC 9051 §3.3). */
export interface SelectedState {
  readonly kind: 'selected';
  readonly user: string;
  readonly mailbox: SelectedMailbox;
}

/** Logout: LOGOUT was given, or the server is ending the session (RFC 9051 §3.4). */
export interface LogoutState {
  readonly kind: 'logout';
}

export type ImapState = NotAuthenticatedState | AuthenticatedState | SelectedState | LogoutState;

/** The name of a state, as the command table lists them. */
export type ImapStateKind = ImapState['kind'];

/** The RFC's spelling of a state, for replies and docs. */
export function stateName(kind: ImapStateKind): string {
  return kind.replace('-', ' ');
}
