/**
 * FETCH / UID FETCH (RFC 9051 §6.4.5): FLAGS, UID, INTERNALDATE, RFC822.SIZE, ENVELOPE, BODY,
 * BODYSTRUCTURE, MODSEQ, RFC822/RFC822.HEADER/RFC822.TEXT, and BODY[section]<partial> with
 * BODY.PEEK, from the data the store computed at delivery (readStructures) and byte ranges of
 * the stored message (readRange): nothing is parsed per FETCH except the header lines that
 * HEADER.FIELDS filters. A non-PEEK body fetch sets \Seen first and reports the new FLAGS
 * (with UID and MODSEQ once CONDSTORE is enabled). BINARY, BINARY.PEEK and BINARY.SIZE (RFC
 * 3516) decode a part (binary.ts). RFC 7162: `(CHANGEDSINCE n)` keeps only the messages whose
 * MODSEQ is above n, and UID FETCH's `VANISHED` adds `* VANISHED (EARLIER)` for the set's UIDs
 * expunged since n; MODSEQ and CHANGEDSINCE enable CONDSTORE (§3.1). Responses are streamed
 * message by message inside one `conn.response`.
 */
import type { BodyStructure, MailStore, MessageInfo, StoredStructure } from '../../../mail/index.js';
import { partAt } from '../../../mail/index.js';
import { FetchResponseBuilder, type FetchItem, type Section } from '../../codec/index.js';
import type { ImapSessionContext } from '../context.js';
import { bad, mailboxGone, no, ok, type ImapReply } from '../reply.js';
import { binaryContent, binarySize, unknownTransferEncoding } from './binary.js';
import type { KnownMessage } from '../selected-mailbox.js';
import type { SelectedState } from '../state.js';
import { uidRanges, vanishedEarlier } from './qresync.js';
import { BatchedWriter, type RawWriter } from '../batched-writer.js';
import type { CommandOf } from './types.js';

/** Messages whose structures are read from the store at once. */
const BATCH = 100;

type BodyItem = Extract<FetchItem, { kind: 'BODY[]' }>;

/** True for a BINARY item that names a part (it needs the stored structure). */
function binaryPart(item: FetchItem): item is Extract<FetchItem, { kind: 'BINARY[]' | 'BINARY.SIZE' }> {
  return (item.kind === 'BINARY[]' || item.kind === 'BINARY.SIZE') && item.part.length > 0;
}

/** The section item an RFC822* item stands for (RFC 9051 §6.4.5 / RFC 3501 §6.4.5). */
function asBodyItem(item: FetchItem): { item: BodyItem; sets: boolean } | null {
  const section = (text: Section['text']): Section => ({ part: [], text, fields: [] });
  switch (item.kind) {
    case 'BODY[]':
      return { item, sets: !item.peek };
    case 'RFC822':
      return { item: { kind: 'BODY[]', peek: false, section: section(null), partial: null }, sets: true };
    case 'RFC822.HEADER':
      return { item: { kind: 'BODY[]', peek: true, section: section('HEADER'), partial: null }, sets: false };
    case 'RFC822.TEXT':
      return { item: { kind: 'BODY[]', peek: false, section: section('TEXT'), partial: null }, sets: true };
    default:
      return null;
  }
}

/** [start, end) of a section in the stored message, or null when it does not exist. */
function sectionRange(root: BodyStructure, section: Section): { start: number; end: number } | null {
  const part = section.part.length ? partAt(root, section.part) : root;
  if (part === null) return null;
  if (section.text === 'MIME') {
    return section.part.length ? { start: part.range.headerStart, end: part.range.bodyStart } : null;
  }
  if (section.text === null) {
    return section.part.length
      ? { start: part.range.bodyStart, end: part.range.bodyEnd }
      : { start: 0, end: root.range.bodyEnd };
  }
  // HEADER, HEADER.FIELDS, TEXT: of the message itself, or of an encapsulated message/rfc822.
  const message = section.part.length ? (part.kind === 'message' ? part.body : null) : root;
  if (message === null) return null;
  return section.text === 'TEXT'
    ? { start: message.range.bodyStart, end: message.range.bodyEnd }
    : { start: message.range.headerStart, end: message.range.bodyStart };
}

/** The header lines of `header` whose field names are (or, with `not`, are not) in `fields`. */
function filterHeader(header: Buffer, fields: readonly string[], not: boolean): Buffer {
  const wanted = new Set(fields.map((f) => f.toLowerCase()));
  const lines = header.toString('latin1').split('\r\n');
  const out: string[] = [];
  let keep = false;
  for (const line of lines) {
    if (line === '') continue;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (keep) out.push(line);
      continue;
    }
    const name = line
      .slice(0, Math.max(0, line.indexOf(':')))
      .trim()
      .toLowerCase();
    keep = wanted.has(name) !== not;
    if (keep) out.push(line);
  }
  // RFC 9051 §6.4.5: the blank line that ends the header is included.
  return Buffer.from(`${out.map((l) => `${l}\r\n`).join('')}\r\n`, 'latin1');
}

/** The octets of one section of a message (partial applied), or null. */
async function sectionData(
  store: MailStore,
  mailboxId: number,
  uid: number,
  size: number,
  structure: BodyStructure | undefined,
  item: BodyItem,
): Promise<Buffer | null> {
  const { section, partial } = item;
  let data: Buffer | null;
  if (section.part.length === 0 && section.text === null) {
    data = partial
      ? await store.readRange(mailboxId, uid, partial.offset, partial.length)
      : await store.readRange(mailboxId, uid, 0, size);
    return data;
  }
  if (structure === undefined) return null;
  const range = sectionRange(structure, section);
  if (range === null) return Buffer.alloc(0);
  if (section.text === 'HEADER.FIELDS' || section.text === 'HEADER.FIELDS.NOT') {
    const header = await store.readRange(mailboxId, uid, range.start, range.end - range.start);
    if (header === null) return null;
    data = filterHeader(header, section.fields, section.text === 'HEADER.FIELDS.NOT');
    return partial ? data.subarray(partial.offset, partial.offset + partial.length) : data;
  }
  if (partial) {
    const start = range.start + Math.min(partial.offset, range.end - range.start);
    const length = Math.max(0, Math.min(partial.length, range.end - start));
    return store.readRange(mailboxId, uid, start, length);
  }
  return store.readRange(mailboxId, uid, range.start, range.end - range.start);
}

/** FETCH / UID FETCH set items. */
export async function fetchCommand(
  ctx: ImapSessionContext,
  cmd: CommandOf<'FETCH'>,
  state: SelectedState,
): Promise<ImapReply> {
  const { mailbox } = state;
  if (mailbox.gone) return mailboxGone(cmd.tag, !cmd.uid);
  const { store } = ctx.deps;
  // RFC 7162 §3.2.6: VANISHED is for QRESYNC clients only.
  if (cmd.vanished && !ctx.enabled.has('QRESYNC')) return bad(cmd.tag, 'VANISHED needs ENABLE QRESYNC first');
  let picked = mailbox.pick(cmd.set, cmd.uid);
  const binaryParts = cmd.items.filter(binaryPart).map((i) => i.part);
  if (binaryParts.length > 0 && (await anyUnknownEncoding(store, mailbox.id, picked, binaryParts))) {
    // RFC 3516 §4.3: the whole FETCH fails, before anything is sent or \Seen is set.
    return no(cmd.tag, 'Unknown Content-Transfer-Encoding', { code: 'UNKNOWN-CTE' });
  }
  // RFC 7162 §3.1: MODSEQ (which CHANGEDSINCE adds) is a CONDSTORE enabling command.
  if (cmd.items.some((i) => i.kind === 'MODSEQ')) ctx.enable('CONDSTORE');
  const bodies = cmd.items.map(asBodyItem);
  const setsSeen =
    !mailbox.readOnly &&
    (bodies.some((b) => b?.sets === true) || cmd.items.some((i) => i.kind === 'BINARY[]' && !i.peek));
  const flagsAsked = cmd.items.some((i) => i.kind === 'FLAGS');
  const untagged: string[] = [];
  // The known messages are immutable: after `learn`, pick the same ones again for their new flags.
  const repick = (): void => {
    const chosen = new Set(picked.map((p) => p.message.uid));
    picked = mailbox.pick(cmd.set, cmd.uid).filter((p) => chosen.has(p.message.uid));
  };
  /** The current MODSEQ of messages CHANGEDSINCE picked (the session's may be older). */
  const changed = new Map<number, number>();
  if (cmd.changedSince !== null) {
    if (cmd.vanished) {
      const ranges = uidRanges(cmd.set, mailbox);
      const line = await vanishedEarlier(store, mailbox, cmd.changedSince, ranges);
      if (line !== null) untagged.push(line);
    }
    const since = new Map<number, MessageInfo>();
    for (const m of await store.changedSince(mailbox.id, cmd.changedSince)) since.set(m.uid, m);
    picked = picked.filter((p) => since.has(p.message.uid));
    const current = picked.flatMap((p) => since.get(p.message.uid) ?? []);
    // Reported with their FLAGS, the session knows them now; without, their MODSEQ only.
    if (flagsAsked && current.length > 0) {
      mailbox.learn(current);
      repick();
    }
    for (const m of current) changed.set(m.uid, m.modSeq);
  }
  let seenSet = new Set<number>();
  if (setsSeen) {
    const unseen = picked.filter((p) => !p.message.flags.includes('\\Seen')).map((p) => p.message.uid);
    if (unseen.length) {
      const changed = await store.setFlags(mailbox.id, unseen, ['\\Seen'], 'add', { origin: ctx.origin });
      mailbox.learn(changed);
      seenSet = new Set(unseen);
      repick();
    }
  }
  const wantEnvelope = cmd.items.some((i) => i.kind === 'ENVELOPE');
  const wantBody =
    cmd.items.some((i) => i.kind === 'BODY' || i.kind === 'BODYSTRUCTURE' || binaryPart(i)) ||
    bodies.some((b) => b !== null && (b.item.section.part.length > 0 || b.item.section.text !== null));
  const needsInfo =
    cmd.items.some(
      (i) =>
        i.kind === 'INTERNALDATE' ||
        i.kind === 'RFC822.SIZE' ||
        i.kind === 'BINARY[]' ||
        i.kind === 'BINARY.SIZE',
    ) || bodies.some((b) => b !== null);
  const write = async (w: RawWriter): Promise<void> => {
    const out = new BatchedWriter(w);
    // One index read per command (listMessages is from the index, never the bytes).
    const infos = new Map<number, { internalDate: Date; size: number }>();
    if (needsInfo && picked.length > 0) {
      const wanted = new Set(picked.map((p) => p.message.uid));
      for (const m of await store.listMessages(mailbox.id)) if (wanted.has(m.uid)) infos.set(m.uid, m);
    }
    for (let i = 0; i < picked.length; i += BATCH) {
      const batch = picked.slice(i, i + BATCH);
      const uids = batch.map((p) => p.message.uid);
      const structures = new Map<number, StoredStructure>();
      if (wantEnvelope || wantBody) {
        for (const s of await store.readStructures(mailbox.id, uids, {
          envelope: wantEnvelope,
          body: wantBody,
        })) {
          structures.set(s.uid, s);
        }
      }
      for (const { seq, message } of batch) {
        const chunks = await responseFor(
          ctx,
          mailbox.id,
          seq,
          message,
          cmd,
          structures.get(message.uid),
          infos.get(message.uid),
          seenSet.has(message.uid) && !flagsAsked,
          Math.max(message.modSeq, changed.get(message.uid) ?? 0),
        );
        if (chunks !== null) await out.write(chunks);
      }
    }
    await out.flush();
  };
  return { ...ok(cmd.tag, 'FETCH completed', null, untagged), write, noExpunge: !cmd.uid };
}

/** True when a BINARY part of one of `picked` has a transfer encoding we cannot decode. */
async function anyUnknownEncoding(
  store: MailStore,
  mailboxId: number,
  picked: readonly { message: KnownMessage }[],
  parts: readonly (readonly number[])[],
): Promise<boolean> {
  for (let i = 0; i < picked.length; i += BATCH) {
    const uids = picked.slice(i, i + BATCH).map((p) => p.message.uid);
    for (const s of await store.readStructures(mailboxId, uids, { body: true })) {
      if (parts.some((part) => unknownTransferEncoding(s.body, part))) return true;
    }
  }
  return false;
}

/** One message's `* n FETCH (…)`, or null when it is gone (RFC 9051 §7.5.1: left out). */
async function responseFor(
  ctx: ImapSessionContext,
  mailboxId: number,
  seq: number,
  message: KnownMessage,
  cmd: CommandOf<'FETCH'>,
  structure: StoredStructure | undefined,
  info: { internalDate: Date; size: number } | undefined,
  addFlags: boolean,
  modSeq: number,
) {
  const b = new FetchResponseBuilder(seq, ctx.utf8);
  // RFC 9051 §6.4.8: UID FETCH always returns the UID.
  if (cmd.uid && !cmd.items.some((i) => i.kind === 'UID')) b.uid(message.uid);
  for (const item of cmd.items) {
    switch (item.kind) {
      case 'UID':
        b.uid(message.uid);
        break;
      case 'FLAGS':
        b.flags(message.flags);
        break;
      case 'MODSEQ':
        b.modSeq(modSeq);
        break;
      case 'INTERNALDATE':
        if (info === undefined) return null;
        b.internalDate(info.internalDate);
        break;
      case 'RFC822.SIZE':
        if (info === undefined) return null;
        b.rfc822Size(info.size);
        break;
      case 'ENVELOPE':
        if (structure?.envelope === undefined) return null;
        b.envelope(structure.envelope);
        break;
      case 'BODY':
      case 'BODYSTRUCTURE':
        if (structure?.body === undefined) return null;
        b.bodyStructure(structure.body, item.kind === 'BODYSTRUCTURE');
        break;
      case 'BINARY[]': {
        if (info === undefined) return null;
        const data = await binaryContent(
          { store: ctx.deps.store, mailboxId, uid: message.uid, size: info.size, root: structure?.body },
          item.part,
          item.partial,
        );
        if (data === null) return null;
        b.section(item, data);
        break;
      }
      case 'BINARY.SIZE': {
        if (info === undefined) return null;
        const octets = await binarySize(
          { store: ctx.deps.store, mailboxId, uid: message.uid, size: info.size, root: structure?.body },
          item.part,
        );
        if (octets === null) return null;
        b.binarySize(item, octets);
        break;
      }
      default: {
        const body = asBodyItem(item);
        if (body === null || info === undefined) return null;
        const data = await sectionData(
          ctx.deps.store,
          mailboxId,
          message.uid,
          info.size,
          structure?.body,
          body.item,
        );
        if (data === null) return null;
        b.section(item, data);
      }
    }
  }
  if (addFlags) {
    b.flags(message.flags);
    // RFC 7162 §3.1: a flag change the client is told of carries UID and MODSEQ.
    if (ctx.enabled.has('CONDSTORE')) {
      if (!cmd.uid && !cmd.items.some((i) => i.kind === 'UID')) b.uid(message.uid);
      if (!cmd.items.some((i) => i.kind === 'MODSEQ')) b.modSeq(modSeq);
    }
  }
  return b.finish();
}
