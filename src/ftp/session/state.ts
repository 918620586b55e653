/**
 * The FTP session's one state, a discriminated union: before USER, waiting for PASS, logged in
 * (carrying everything that only exists for a logged-in user: the confined filesystem, the
 * current directory, a pending RNFR, a REST offset and the running transfer), and closing. The
 * prepared data connection lives in the session's DataChannel. Transfer parameters that RFC 959 lets a client set at any time (TYPE,
 * PROT…) live in `TransferSettings`.
 */
import type { MlsxFact } from '../codec/listing.js';
import type { UserFs } from '../server/user-fs.js';

/** A logged-in user, as the authenticator describes them. */
export interface FtpUser {
  /** Login name shown in logs (`alice@example.test`, `anonymous`). */
  readonly name: string;
  readonly anonymous: boolean;
}

/**
 * A virtual host selected by HOST (RFC 7151): the suite domain whose accounts may log in, and an
 * anonymous tree of its own.
 */
export interface VirtualHost {
  /** The name as the client gave it (lower case), or `[address]`. */
  readonly name: string;
  /** The account domain bare login names belong to; undefined = the server's default. */
  readonly domain?: string | undefined;
  /** Anonymous tree of this host; undefined = the server's `anonymousRoot`. */
  readonly anonymousRoot?: string | undefined;
}

/** A transfer in progress (for ABOR and STAT). */
export interface RunningTransfer {
  readonly verb: string;
  readonly path: string;
  readonly controller: AbortController;
  bytes: number;
  readonly startedAt: number;
  /** Settles when the final reply (226/426/451…) has been written. */
  readonly done: Promise<void>;
}

export type SessionState =
  | { readonly kind: 'login'; readonly host: VirtualHost | null }
  | { readonly kind: 'password'; readonly host: VirtualHost | null; readonly user: string }
  | {
      readonly kind: 'ready';
      readonly user: FtpUser;
      readonly host: VirtualHost | null;
      readonly fs: UserFs;
      cwd: string;
      renameFrom: string | null;
      restart: number;
      transfer: RunningTransfer | null;
    }
  | { readonly kind: 'closing' };

export type StateKind = SessionState['kind'];

/** The logged-in state, the one the handlers of most commands run in. */
export type ReadyState = Extract<SessionState, { kind: 'ready' }>;

/** TYPE/MODE/STRU/PROT and friends. */
export interface TransferSettings {
  type: 'A' | 'I';
  prot: 'C' | 'P';
  pbsz: boolean;
  epsvAll: boolean;
  utf8: boolean;
  mlstFacts: Set<MlsxFact>;
}
