/**
 * The typed form of every IMAP command the server understands (RFC 9051 §6, RFC 3501 §6 and the
 * extensions the issue lists): what the parser (parser.ts) yields and what the session's
 * command table dispatches on. Mailbox names are already decoded (modified UTF-7 for rev1
 * clients, UTF-8 after ENABLE IMAP4rev2 / UTF8=ACCEPT), with INBOX in any case spelled `INBOX`.
 */
import type { SearchKey } from './search-key.js';
import type { SequenceSet } from './sequence-set.js';

/** `<offset.length>` of a partial FETCH (RFC 9051 §6.4.5). */
export interface Partial {
  readonly offset: number;
  readonly length: number;
}

/** A body section: part numbers then an optional text specifier (RFC 9051 §6.4.5). */
export interface Section {
  /** `[1, 2]` for `1.2`; empty for the whole message. */
  readonly part: readonly number[];
  readonly text: 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME' | null;
  /** Header names of HEADER.FIELDS / HEADER.FIELDS.NOT, upper-cased. */
  readonly fields: readonly string[];
}

/** Simple FETCH data items (FETCH macros are expanded into these). */
export type FetchSimpleName =
  | 'FLAGS'
  | 'INTERNALDATE'
  | 'RFC822.SIZE'
  | 'ENVELOPE'
  | 'BODYSTRUCTURE'
  | 'BODY'
  | 'UID'
  | 'MODSEQ'
  | 'RFC822'
  | 'RFC822.HEADER'
  | 'RFC822.TEXT';

/** One FETCH data item. */
export type FetchItem =
  | { readonly kind: FetchSimpleName }
  /** BODY[section]<partial> and BODY.PEEK[…] (peek: \Seen is not set). */
  | {
      readonly kind: 'BODY[]';
      readonly peek: boolean;
      readonly section: Section;
      readonly partial: Partial | null;
    }
  /** BINARY[part]<partial> and BINARY.PEEK (RFC 3516). */
  | {
      readonly kind: 'BINARY[]';
      readonly peek: boolean;
      readonly part: readonly number[];
      readonly partial: Partial | null;
    }
  /** BINARY.SIZE[part] (RFC 3516). */
  | { readonly kind: 'BINARY.SIZE'; readonly part: readonly number[] };

/** STATUS data items (RFC 9051 §6.3.11, RFC 3501 RECENT, RFC 7162 HIGHESTMODSEQ, RFC 7889). */
export type StatusItem =
  | 'MESSAGES'
  | 'UIDNEXT'
  | 'UIDVALIDITY'
  | 'UNSEEN'
  | 'DELETED'
  | 'SIZE'
  | 'RECENT'
  | 'HIGHESTMODSEQ'
  | 'APPENDLIMIT';

/** LIST selection options (RFC 5258 §3.1, RFC 6154 §5.1). */
export type ListSelectOption = 'SUBSCRIBED' | 'REMOTE' | 'RECURSIVEMATCH' | 'SPECIAL-USE';

/** LIST return options (RFC 5258 §3.2, RFC 5819 STATUS, RFC 6154 SPECIAL-USE). */
export interface ListReturn {
  readonly subscribed: boolean;
  readonly children: boolean;
  readonly specialUse: boolean;
  /** STATUS items to return with each mailbox, or null without RETURN (STATUS …). */
  readonly status: readonly StatusItem[] | null;
}

/** ESEARCH return options (RFC 4731, RFC 9051 §6.4.4, SAVE from RFC 5182). */
export type SearchReturnOption = 'MIN' | 'MAX' | 'ALL' | 'COUNT' | 'SAVE';

/** SELECT/EXAMINE QRESYNC parameter (RFC 7162 §3.2.5). */
export interface QresyncParams {
  readonly uidValidity: number;
  readonly modSeq: number;
  readonly knownUids: SequenceSet | null;
  /** Known sequence numbers and the UIDs they had. */
  readonly seqMatch: { readonly seqs: SequenceSet; readonly uids: SequenceSet } | null;
}

/** Every command, by name. */
export type CommandBody =
  | { readonly name: 'CAPABILITY' }
  | { readonly name: 'NOOP' }
  | { readonly name: 'LOGOUT' }
  | { readonly name: 'STARTTLS' }
  /** `initialResponse` (RFC 4959 SASL-IR) is the base64 text, `''` for `=`, null when absent. */
  | { readonly name: 'AUTHENTICATE'; readonly mechanism: string; readonly initialResponse: string | null }
  | { readonly name: 'LOGIN'; readonly user: string; readonly password: string }
  /** Capability names upper-cased (RFC 5161). */
  | { readonly name: 'ENABLE'; readonly capabilities: readonly string[] }
  | {
      readonly name: 'SELECT' | 'EXAMINE';
      readonly mailbox: string;
      readonly condstore: boolean;
      readonly qresync: QresyncParams | null;
    }
  /** `use`: RFC 6154 §3 CREATE-SPECIAL-USE attributes, null when absent. */
  | { readonly name: 'CREATE'; readonly mailbox: string; readonly use: readonly string[] | null }
  | { readonly name: 'DELETE' | 'SUBSCRIBE' | 'UNSUBSCRIBE'; readonly mailbox: string }
  | { readonly name: 'RENAME'; readonly from: string; readonly to: string }
  | {
      readonly name: 'LIST';
      readonly reference: string;
      readonly patterns: readonly string[];
      readonly select: readonly ListSelectOption[];
      readonly returns: ListReturn;
      /** True when the client used any RFC 5258 syntax (selection/return options, pattern list). */
      readonly extended: boolean;
    }
  | { readonly name: 'LSUB'; readonly reference: string; readonly pattern: string }
  | { readonly name: 'NAMESPACE' }
  | { readonly name: 'STATUS'; readonly mailbox: string; readonly items: readonly StatusItem[] }
  | {
      readonly name: 'APPEND';
      readonly mailbox: string;
      /** Flags as written (system flags with their backslash). */
      readonly flags: readonly string[];
      readonly date: Date | null;
      readonly message: Buffer;
      /** Sent as literal8 (`~{n}`, RFC 3516): may contain NUL. */
      readonly binary: boolean;
    }
  | { readonly name: 'IDLE' }
  | { readonly name: 'CLOSE' }
  /** RFC 3501 §6.4.1 (rev1 only; RFC 9051 dropped it): a NOOP for rev2 servers. */
  | { readonly name: 'CHECK' }
  | { readonly name: 'UNSELECT' }
  /** EXPUNGE, or UID EXPUNGE (RFC 4315) with its UID set. */
  | { readonly name: 'EXPUNGE'; readonly uids: SequenceSet | null }
  | {
      readonly name: 'SEARCH';
      readonly uid: boolean;
      /** Upper-cased, null when absent. */
      readonly charset: string | null;
      /** The keys, ANDed (a single key when there was one). */
      readonly criteria: SearchKey;
      /** ESEARCH RETURN options; null without RETURN (a plain SEARCH reply); `[]` means ALL. */
      readonly returns: readonly SearchReturnOption[] | null;
    }
  | {
      readonly name: 'FETCH';
      readonly uid: boolean;
      readonly set: SequenceSet;
      readonly items: readonly FetchItem[];
      /** RFC 7162 §3.1.4 CHANGEDSINCE modifier. */
      readonly changedSince: number | null;
      /** RFC 7162 §3.2.6 VANISHED modifier (UID FETCH with CHANGEDSINCE only). */
      readonly vanished: boolean;
    }
  | {
      readonly name: 'STORE';
      readonly uid: boolean;
      readonly set: SequenceSet;
      /** RFC 7162 §3.1.3 UNCHANGEDSINCE modifier. */
      readonly unchangedSince: number | null;
      readonly operation: 'replace' | 'add' | 'remove';
      readonly silent: boolean;
      readonly flags: readonly string[];
    }
  | {
      readonly name: 'COPY' | 'MOVE';
      readonly uid: boolean;
      readonly set: SequenceSet;
      readonly mailbox: string;
    }
  /** RFC 2971: field-value pairs, or null for `ID NIL`. */
  | { readonly name: 'ID'; readonly params: readonly (readonly [string, string | null])[] | null }
  /** RFC 4978: the mechanism, upper-cased. */
  | { readonly name: 'COMPRESS'; readonly mechanism: string }
  | { readonly name: 'UNAUTHENTICATE' };

/** A parsed command with its tag. */
export type Command = CommandBody & { readonly tag: string };

/** The command names, as the command table lists them. */
export type CommandName = CommandBody['name'];
