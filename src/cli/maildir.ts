/**
 * Writing messages into a Maildir (the layout of qmail, Dovecot, mbsync, mutt): a message is
 * written whole in tmp/ and then renamed into new/ (not yet seen by a mail reader) or cur/ with
 * its flags in the info suffix `:2,FLAGS` (D draft, F flagged, R replied, S seen, T trashed, in
 * ASCII order). File names carry the IMAP UIDVALIDITY and UID (`.O<validity>_<uid>.`), so a
 * message already saved by an earlier run is recognised and skipped.
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** IMAP system flags and the Maildir letters they become. */
const LETTERS: Readonly<Record<string, string>> = {
  '\\DRAFT': 'D',
  '\\FLAGGED': 'F',
  '\\ANSWERED': 'R',
  '\\SEEN': 'S',
  '\\DELETED': 'T',
};

/** The info suffix's letters for IMAP flags, sorted; keywords have no letter and are dropped. */
export function maildirFlags(flags: readonly string[]): string {
  const letters = new Set<string>();
  for (const f of flags) {
    const l = LETTERS[f.toUpperCase()];
    if (l !== undefined) letters.add(l);
  }
  return [...letters].sort().join('');
}

/** A Maildir opened for delivery (cur/, new/, tmp/ created as needed). */
export class MaildirWriter {
  readonly #dir: string;
  readonly #host = hostname().replace(/[/:]/g, '_') || 'localhost';
  #known: Set<string> | null = null;

  constructor(dir: string) {
    this.#dir = dir;
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(dir, sub), { recursive: true, mode: 0o700 });
  }

  /** The `.O<validity>_<uid>.` markers of every message already in cur/ and new/. */
  #markers(): Set<string> {
    if (this.#known === null) {
      this.#known = new Set();
      for (const sub of ['cur', 'new'])
        for (const name of readdirSync(join(this.#dir, sub))) {
          const m = /\.O(\d+_\d+)\./.exec(name);
          if (m?.[1] !== undefined) this.#known.add(m[1]);
        }
    }
    return this.#known;
  }

  /** True when the message with this UIDVALIDITY and UID was saved before. */
  has(uidValidity: number, uid: number): boolean {
    return this.#markers().has(`${String(uidValidity)}_${String(uid)}`);
  }

  /** Writes one message (tmp/, fsync, rename); returns its path. */
  add(message: {
    uidValidity: number;
    uid: number;
    flags: readonly string[];
    date: Date;
    bytes: Buffer;
  }): string {
    const secs = Math.floor(message.date.getTime() / 1000);
    const base = `${String(secs)}.O${String(message.uidValidity)}_${String(message.uid)}.${this.#host}`;
    const letters = maildirFlags(message.flags);
    const tmp = join(this.#dir, 'tmp', base);
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, message.bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    utimesSync(tmp, message.date, message.date);
    const target =
      letters === '' ? join(this.#dir, 'new', base) : join(this.#dir, 'cur', `${base}:2,${letters}`);
    renameSync(tmp, target);
    this.#markers().add(`${String(message.uidValidity)}_${String(message.uid)}`);
    return target;
  }
}
