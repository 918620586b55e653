/**
 * What `outpost mail fetch` asks an IMAP server, as typed results over `ImapClient.command`:
 * the folders (LIST, names decoded from modified UTF-7 with the codec), their counts (STATUS),
 * opening one read-only (EXAMINE), and FETCH data by UID as a map of item names to values.
 */
import { decodeMailboxName, encodeMailboxName } from '../codec/mailbox-name.js';
import { astring, type ImapClient } from './imap-client.js';
import type { ImapValue } from './response.js';

/** A folder from LIST. */
export interface Folder {
  readonly name: string;
  readonly delimiter: string | null;
  /** Attributes as sent (`\HasNoChildren`, `\Noselect`, `\Sent`…). */
  readonly attributes: readonly string[];
}

/** A folder's counts from STATUS. */
export interface FolderStatus {
  readonly messages: number;
  readonly unseen: number;
}

/** One message's FETCH data, by upper-cased item name (`UID`, `FLAGS`, `BODY[]`…). */
export interface FetchedMessage {
  readonly seq: number;
  readonly items: ReadonlyMap<string, ImapValue>;
}

function text(value: ImapValue | undefined): string | null {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return null;
}

/** The wire form of a folder name (modified UTF-7, quoted or literal). */
function folderArg(name: string): ReturnType<typeof astring> {
  return astring(encodeMailboxName(name, false));
}

/** Every folder (`LIST "" "*"`), in the server's order. */
export async function listFolders(client: ImapClient): Promise<Folder[]> {
  const r = await client.command('LIST', ['""', '"*"']);
  const folders: Folder[] = [];
  for (const u of r.untagged) {
    if (u.kind !== 'data' || u.name !== 'LIST') continue;
    const [attributes, delimiter, wire] = u.data;
    const raw = text(wire);
    if (raw === null) continue;
    const decoded = decodeMailboxName(raw, false);
    folders.push({
      name: decoded.ok ? decoded.name : raw,
      delimiter: text(delimiter),
      attributes: Array.isArray(attributes) ? attributes.map((a) => String(a)) : [],
    });
  }
  return folders;
}

/** STATUS (MESSAGES UNSEEN) of one folder. */
export async function folderStatus(client: ImapClient, name: string): Promise<FolderStatus> {
  const r = await client.command('STATUS', [folderArg(name), '(MESSAGES UNSEEN)']);
  const data = r.untagged.find((u) => u.kind === 'data' && u.name === 'STATUS');
  const items = data?.kind === 'data' && Array.isArray(data.data[1]) ? data.data[1] : [];
  const get = (key: string): number => {
    const i = items.findIndex((v) => typeof v === 'string' && v.toUpperCase() === key);
    return i >= 0 ? Number(items[i + 1]) : 0;
  };
  return { messages: get('MESSAGES'), unseen: get('UNSEEN') };
}

/** EXAMINE (read-only SELECT): the message count and UIDVALIDITY. */
export async function examine(
  client: ImapClient,
  name: string,
): Promise<{ exists: number; uidValidity: number }> {
  const r = await client.command('EXAMINE', [folderArg(name)]);
  let exists = 0;
  let uidValidity = 0;
  for (const u of r.untagged) {
    if (u.kind === 'data' && u.name === 'EXISTS' && u.number !== null) exists = u.number;
    if (u.kind === 'status' && u.code !== null && /^UIDVALIDITY \d+$/i.test(u.code))
      uidValidity = Number(u.code.slice(12));
  }
  return { exists, uidValidity };
}

/** UID FETCH `set` `items` (e.g. `1:*`, `(UID FLAGS BODY.PEEK[])`), in the server's order. */
export async function fetchByUid(client: ImapClient, set: string, items: string): Promise<FetchedMessage[]> {
  const r = await client.command('UID FETCH', [set, items]);
  const out: FetchedMessage[] = [];
  for (const u of r.untagged) {
    if (u.kind !== 'data' || u.name !== 'FETCH' || u.number === null) continue;
    const list = u.data[0];
    if (!Array.isArray(list)) continue;
    const map = new Map<string, ImapValue>();
    for (let i = 0; i + 1 < list.length; i += 2) {
      const key = list[i];
      if (typeof key === 'string') map.set(key.toUpperCase().replace('.PEEK', ''), list[i + 1] ?? null);
    }
    out.push({ seq: u.number, items: map });
  }
  return out;
}
