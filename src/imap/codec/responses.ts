/**
 * The untagged data responses other than FETCH (RFC 9051 §7.2–§7.5), as response lines
 * without CRLF: CAPABILITY, ENABLED, FLAGS, EXISTS, EXPUNGE, VANISHED (RFC 7162 §3.2.10), LIST
 * (with RFC 5258 extended data), STATUS, SEARCH, ESEARCH (RFC 4731), NAMESPACE and ID. Mailbox
 * names are encoded for the client (modified UTF-7 or UTF-8) and always quoted, so each response
 * is one line `LineConnection.writeLine` accepts.
 */
import type { SearchReturnOption, StatusItem } from './command.js';
import { quotedLine } from './encode.js';
import { encodeMailboxName } from './mailbox-name.js';
import { formatNumberSet, formatRanges, type NumberRange } from './sequence-set.js';

/** `* CAPABILITY …`. */
export function capabilityResponse(capabilities: readonly string[]): string {
  return `* CAPABILITY ${capabilities.join(' ')}`;
}

/** `* ENABLED …` (RFC 5161): the capabilities this ENABLE turned on (possibly none). */
export function enabledResponse(capabilities: readonly string[]): string {
  return capabilities.length ? `* ENABLED ${capabilities.join(' ')}` : '* ENABLED';
}

/** `* FLAGS (…)`. */
export function flagsResponse(flags: readonly string[]): string {
  return `* FLAGS (${flags.join(' ')})`;
}

/** `* n EXISTS`. */
export function existsResponse(count: number): string {
  return `* ${count} EXISTS`;
}

/** `* n EXPUNGE`. */
export function expungeResponse(seq: number): string {
  return `* ${seq} EXPUNGE`;
}

/** `* VANISHED [(EARLIER)] uids` (RFC 7162 §3.2.10); null when there is nothing to say. */
export function vanishedResponse(uids: readonly number[], earlier: boolean): string | null {
  if (uids.length === 0) return null;
  return `* VANISHED ${earlier ? '(EARLIER) ' : ''}${formatNumberSet(uids)}`;
}

/** `vanishedResponse` of resolved UID ranges (sorted, disjoint), never expanded. */
export function vanishedRangesResponse(ranges: readonly NumberRange[], earlier: boolean): string | null {
  if (ranges.length === 0) return null;
  return `* VANISHED ${earlier ? '(EARLIER) ' : ''}${formatRanges(ranges)}`;
}

/**
 * `* n FETCH (UID u FLAGS (…) [MODSEQ (m)])`: a flag change the client is told of (another
 * session's, or its own STORE), with MODSEQ once CONDSTORE is enabled (RFC 7162 §3.1); with
 * `flags` null only `UID` and `MODSEQ` (a `.SILENT` STORE of a CONDSTORE client, §3.1.3).
 */
export function flagsFetchResponse(
  seq: number,
  uid: number,
  flags: readonly string[] | null,
  modSeq: number | null,
): string {
  const items = [`UID ${uid}`];
  if (flags !== null) items.push(`FLAGS (${flags.join(' ')})`);
  if (modSeq !== null) items.push(`MODSEQ (${modSeq})`);
  return `* ${seq} FETCH (${items.join(' ')})`;
}

/** One mailbox of a LIST/LSUB answer. */
export interface ListEntry {
  /** Attributes with their backslash: `\HasNoChildren`, `\Subscribed`, `\Sent`… */
  readonly attributes: readonly string[];
  /** The hierarchy delimiter, or null for a flat namespace. */
  readonly delimiter: string | null;
  /** The store's (Unicode) name. */
  readonly name: string;
  /** RFC 5258 §3.5 CHILDINFO (`SUBSCRIBED`) for RECURSIVEMATCH; empty for none. */
  readonly childInfo?: readonly string[];
  /** RFC 9051 §7.3.1: the original name when encoding changed it (sent to UTF-8 clients only). */
  readonly oldName?: string;
}

/** `* LIST (attrs) "/" name [extended data]` (or LSUB). */
export function listResponse(entry: ListEntry, utf8: boolean, kind: 'LIST' | 'LSUB' = 'LIST'): string {
  const delimiter = entry.delimiter === null ? 'NIL' : quotedLine(entry.delimiter, false);
  let line = `* ${kind} (${entry.attributes.join(' ')}) ${delimiter} ${quotedLine(encodeMailboxName(entry.name, utf8), utf8)}`;
  const ext: string[] = [];
  if (entry.childInfo?.length) ext.push(`"CHILDINFO" (${entry.childInfo.map((c) => `"${c}"`).join(' ')})`);
  if (entry.oldName !== undefined)
    ext.push(`"OLDNAME" (${quotedLine(encodeMailboxName(entry.oldName, utf8), utf8)})`);
  if (ext.length) line += ` (${ext.join(' ')})`;
  return line;
}

/** `* STATUS name (ITEM n …)`. */
export function statusResponse(
  name: string,
  values: readonly (readonly [StatusItem, number])[],
  utf8: boolean,
): string {
  const items = values.map(([k, v]) => `${k} ${v}`).join(' ');
  return `* STATUS ${quotedLine(encodeMailboxName(name, utf8), utf8)} (${items})`;
}

/** `* SEARCH n…` (rev1 and plain SEARCH), with `(MODSEQ n)` when the search used MODSEQ (RFC 7162 §3.1.5). */
export function searchResponse(numbers: readonly number[], modSeq: number | null = null): string {
  const list = numbers.length ? ` ${numbers.join(' ')}` : '';
  return `* SEARCH${list}${modSeq !== null && numbers.length ? ` (MODSEQ ${modSeq})` : ''}`;
}

/** What an ESEARCH answer reports (RFC 4731 §3.1); only the requested options are written. */
export interface EsearchResult {
  readonly tag: string;
  readonly uid: boolean;
  readonly options: readonly SearchReturnOption[];
  readonly matches: readonly number[];
  /** RFC 7162 §3.1.5: the highest MODSEQ of the matches, when the search used MODSEQ. */
  readonly modSeq?: number | null;
}

/** `* ESEARCH (TAG "a1") [UID] MIN 1 MAX 9 COUNT 4 ALL 1:3,9`. */
export function esearchResponse(r: EsearchResult): string {
  let line = `* ESEARCH (TAG ${quotedLine(r.tag, false)})${r.uid ? ' UID' : ''}`;
  // RFC 4731 §3.1: RETURN () means ALL.
  const opts = r.options.length === 0 ? (['ALL'] as const) : r.options;
  const n = r.matches;
  if (n.length > 0) {
    let min = Infinity;
    let max = -Infinity;
    for (const x of n) {
      if (x < min) min = x;
      if (x > max) max = x;
    }
    if (opts.includes('MIN')) line += ` MIN ${min}`;
    if (opts.includes('MAX')) line += ` MAX ${max}`;
  }
  if (opts.includes('COUNT')) line += ` COUNT ${n.length}`;
  if (opts.includes('ALL') && n.length > 0) line += ` ALL ${formatNumberSet(n)}`;
  if (r.modSeq !== undefined && r.modSeq !== null && n.length > 0) line += ` MODSEQ ${r.modSeq}`;
  return line;
}

/** `* NAMESPACE (("" "/")) NIL NIL`: one personal namespace with `/`, as Outpost has. */
export function namespaceResponse(prefix = '', delimiter = '/'): string {
  return `* NAMESPACE ((${quotedLine(prefix, false)} ${quotedLine(delimiter, false)})) NIL NIL`;
}

/** `* ID ("name" "Outpost" …)` or `* ID NIL` (RFC 2971). */
export function idResponse(params: readonly (readonly [string, string | null])[] | null): string {
  if (params === null || params.length === 0) return '* ID NIL';
  return `* ID (${params.map(([k, v]) => `${quotedLine(k, false)} ${v === null ? 'NIL' : quotedLine(v, false)}`).join(' ')})`;
}
