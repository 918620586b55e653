/**
 * SEARCH / UID SEARCH (RFC 9051 §6.4.4) with ESEARCH RETURN (MIN MAX COUNT ALL, RFC 4731). The
 * program is evaluated over the selected mailbox's index (`listMessages`: flags, dates, sizes,
 * MODSEQ, sets, OR/NOT) and the text the store kept at delivery (`searchText`, one call per text
 * key, on decoded MIME text); sent dates come from the stored ENVELOPE. Only UTF-8 and US-ASCII
 * are accepted as CHARSET (`NO [BADCHARSET (UTF-8)]`). SEARCHRES (RFC 5182): RETURN (SAVE)
 * keeps the result in the selected mailbox (all matches, or only the MIN/MAX ones when those are
 * the only other options), a NO with SAVE empties it, and `$` as a key names it. A program with
 * MODSEQ enables CONDSTORE and its answer ends with the highest MODSEQ of the matches (RFC 7162
 * §3.1.5: `(MODSEQ n)`, ESEARCH `MODSEQ n`).
 */
import type { MailStore, MessageInfo } from '../../../mail/index.js';
import {
  esearchResponse,
  inRanges,
  resolveRanges,
  searchResponse,
  type ImapDate,
  type SearchKey,
  type SearchReturnOption,
} from '../../codec/index.js';
import type { ImapSessionContext } from '../context.js';
import { mailboxGone, no, ok, type ImapReply } from '../reply.js';
import type { SelectedState } from '../state.js';
import type { CommandOf } from './types.js';

/** A message a program is evaluated on. */
interface Candidate {
  readonly seq: number;
  readonly info: MessageInfo;
}

/** Days since the epoch of a calendar date, and of an instant in UTC (RFC 9051: dates disregard time). */
function dayOf(date: ImapDate): number {
  return Date.UTC(date.year, date.month - 1, date.day) / 86_400_000;
}
function dayOfInstant(d: Date): number {
  return Math.floor(d.getTime() / 86_400_000);
}

function compareDay(day: number, op: 'before' | 'on' | 'since', target: number): boolean {
  return op === 'before' ? day < target : op === 'on' ? day === target : day >= target;
}

/** Evaluates one key to the UIDs among `among` that match. */
async function evaluate(
  store: MailStore,
  mailboxId: number,
  key: SearchKey,
  among: readonly Candidate[],
  maxSeq: number,
  maxUid: number,
  saved: ReadonlySet<number>,
): Promise<Set<number>> {
  const where = (test: (c: Candidate) => boolean): Set<number> =>
    new Set(among.filter(test).map((c) => c.info.uid));
  switch (key.kind) {
    case 'all':
      return where(() => true);
    case 'and': {
      let current = among;
      for (const k of key.keys) {
        const hit = await evaluate(store, mailboxId, k, current, maxSeq, maxUid, saved);
        current = current.filter((c) => hit.has(c.info.uid));
      }
      return new Set(current.map((c) => c.info.uid));
    }
    case 'or': {
      const left = await evaluate(store, mailboxId, key.left, among, maxSeq, maxUid, saved);
      const rest = among.filter((c) => !left.has(c.info.uid));
      for (const uid of await evaluate(store, mailboxId, key.right, rest, maxSeq, maxUid, saved))
        left.add(uid);
      return left;
    }
    case 'not': {
      const hit = await evaluate(store, mailboxId, key.key, among, maxSeq, maxUid, saved);
      return where((c) => !hit.has(c.info.uid));
    }
    case 'flag': {
      const flag = key.flag.toLowerCase();
      // Outpost keeps no \Recent: nothing is recent.
      return where((c) => c.info.flags.some((f) => f.toLowerCase() === flag) === key.set);
    }
    case 'size':
      return where((c) => (key.op === 'larger' ? c.info.size > key.octets : c.info.size < key.octets));
    case 'age': {
      const now = Date.now();
      return where((c) => {
        const age = (now - c.info.internalDate.getTime()) / 1000;
        return key.op === 'older' ? age >= key.seconds : age <= key.seconds;
      });
    }
    case 'modseq':
      return where((c) => c.info.modSeq >= key.modSeq);
    case 'sequence':
    case 'uid': {
      // `$` (RFC 5182): the saved messages, whether the key is by number or by UID.
      if (key.set.kind === 'saved') return where((c) => saved.has(c.info.uid));
      const ranges = resolveRanges(key.set.ranges, key.kind === 'uid' ? maxUid : maxSeq);
      return where((c) => inRanges(ranges, key.kind === 'uid' ? c.info.uid : c.seq));
    }
    case 'date': {
      const target = dayOf(key.date);
      if (key.field === 'internal') {
        return where((c) => compareDay(dayOfInstant(c.info.internalDate), key.op, target));
      }
      const uids = among.map((c) => c.info.uid);
      const out = new Set<number>();
      for (const s of await store.readStructures(mailboxId, uids, { envelope: true })) {
        const sent = s.envelope?.date ? new Date(s.envelope.date) : null;
        if (sent && !Number.isNaN(sent.getTime()) && compareDay(dayOfInstant(sent), key.op, target)) {
          out.add(s.uid);
        }
      }
      return out;
    }
    case 'header':
    case 'body':
    case 'text': {
      const uids = among.map((c) => c.info.uid);
      if (uids.length === 0) return new Set();
      const criterion =
        key.kind === 'header'
          ? { in: 'header' as const, field: key.field, needle: key.value }
          : { in: key.kind, needle: key.value };
      return new Set(await store.searchText(mailboxId, criterion, uids));
    }
  }
}

/** Whether the program has a MODSEQ key anywhere (without recursion: depth is the parser's). */
function usesModSeq(root: SearchKey): boolean {
  const stack = [root];
  for (let key = stack.pop(); key !== undefined; key = stack.pop()) {
    switch (key.kind) {
      case 'modseq':
        return true;
      case 'and':
        stack.push(...key.keys);
        break;
      case 'or':
        stack.push(key.left, key.right);
        break;
      case 'not':
        stack.push(key.key);
        break;
      default:
        break;
    }
  }
  return false;
}

/** SEARCH / UID SEARCH [RETURN (…)] [CHARSET c] program. */
export async function searchCommand(
  ctx: ImapSessionContext,
  cmd: CommandOf<'SEARCH'>,
  state: SelectedState,
): Promise<ImapReply> {
  const { mailbox } = state;
  if (mailbox.gone) return mailboxGone(cmd.tag, !cmd.uid);
  const save = cmd.returns?.includes('SAVE') === true;
  if (cmd.charset !== null && cmd.charset !== 'UTF-8' && cmd.charset !== 'US-ASCII') {
    // RFC 5182 §2.1: a SEARCH with SAVE that fails with NO empties the saved result.
    if (save) mailbox.saveResult([]);
    return no(cmd.tag, 'Unsupported charset', { code: 'BADCHARSET', charsets: ['UTF-8'] });
  }
  const now = await ctx.deps.store.listMessages(mailbox.id);
  const byUid = new Map(now.map((m) => [m.uid, m]));
  const candidates: Candidate[] = [];
  mailbox.messages.forEach((m, i) => {
    const info = byUid.get(m.uid);
    if (info) candidates.push({ seq: i + 1, info });
  });
  const maxUid = mailbox.messages[mailbox.messages.length - 1]?.uid ?? 0;
  let hits: Set<number>;
  try {
    hits = await evaluate(
      ctx.deps.store,
      mailbox.id,
      cmd.criteria,
      candidates,
      mailbox.exists,
      maxUid,
      mailbox.saved,
    );
  } catch (err) {
    if (save) mailbox.saveResult([]);
    throw err;
  }
  const found = candidates.filter((c) => hits.has(c.info.uid));
  const numbers = found.map((c) => (cmd.uid ? c.info.uid : c.seq));
  let modSeq: number | null = null;
  if (usesModSeq(cmd.criteria)) {
    // RFC 7162 §3.1: a CONDSTORE enabling command.
    ctx.enable('CONDSTORE');
    for (const c of found) modSeq = Math.max(modSeq ?? 0, c.info.modSeq);
  }
  const untagged: string[] = [];
  if (cmd.returns === null) untagged.push(searchResponse(numbers, modSeq));
  else {
    const options = cmd.returns.filter((o) => o !== 'SAVE');
    if (save) mailbox.saveResult(savedUids(found, options));
    // RFC 5182 §1: SAVE alone suppresses the ESEARCH response; RETURN () still means ALL.
    if (!save || options.length > 0) {
      untagged.push(esearchResponse({ tag: cmd.tag, uid: cmd.uid, options, matches: numbers, modSeq }));
    }
  }
  return {
    ...ok(cmd.tag, save ? 'SEARCH completed, result saved' : 'SEARCH completed', null, untagged),
    noExpunge: !cmd.uid,
  };
}

/**
 * What SAVE keeps (RFC 5182 §2.4): every match, except with only MIN and/or MAX beside it,
 * where `$` holds just those messages. `found` is in mailbox order.
 */
function savedUids(found: readonly Candidate[], options: readonly SearchReturnOption[]): number[] {
  const all = found.map((c) => c.info.uid);
  if (options.length === 0 || options.some((o) => o === 'ALL' || o === 'COUNT')) return all;
  const out: number[] = [];
  const first = all[0];
  const last = all[all.length - 1];
  if (options.includes('MIN') && first !== undefined) out.push(first);
  if (options.includes('MAX') && last !== undefined) out.push(last);
  return out;
}
