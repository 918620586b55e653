/**
 * Message bytes in the mail store's database, stored once and counted by their referrers
 * (mailbox entries and queue entries), deleted with the last reference. A message up to
 * BLOB_CHUNK_OCTETS is one `mail_blobs` row; a larger one is split into `mail_blob_chunks` rows
 * of that size (its `mail_blobs.bytes` left empty), so that a byte range (IMAP partial FETCH,
 * one MIME part) reads only the chunks it covers: SQLite reads a BLOB value whole, walking all
 * its overflow pages, even for substr() (measured in docs/mail.md: 4 KiB out of a 20 MiB
 * message took as long as reading all of it). Every write runs inside the caller's transaction.
 */
import type { Database } from '../../core/db.js';
import { ErrorCodes, OutpostError } from '../../core/errors.js';

/** Octets per chunk, and the size above which a message is chunked (256 KiB). */
export const BLOB_CHUNK_OCTETS = 256 * 1024;

/** The blob table (see the file comment). */
export class BlobTable {
  readonly #s;

  constructor(db: Database) {
    this.#s = {
      insert: db.prepare<[Buffer, number], { id: number }>(
        'INSERT INTO mail_blobs (bytes, refs) VALUES (?, ?) RETURNING id',
      ),
      insertChunk: db.prepare<[number, number, Buffer], never>(
        'INSERT INTO mail_blob_chunks (blob_id, seq, bytes) VALUES (?, ?, ?)',
      ),
      retain: db.prepare<[number], never>('UPDATE mail_blobs SET refs = refs + 1 WHERE id = ?'),
      release: db.prepare<[number], { refs: number }>(
        'UPDATE mail_blobs SET refs = refs - 1 WHERE id = ? RETURNING refs',
      ),
      // The chunks go with it (ON DELETE CASCADE).
      drop: db.prepare<[number], never>('DELETE FROM mail_blobs WHERE id = ?'),
      read: db.prepare<[number], { bytes: Buffer }>('SELECT bytes FROM mail_blobs WHERE id = ?'),
      slice: db.prepare<[number, number, number], { part: Buffer }>(
        'SELECT substr(bytes, ?, ?) AS part FROM mail_blobs WHERE id = ?',
      ),
      chunked: db.prepare<[number], { n: number }>(
        'SELECT EXISTS (SELECT 1 FROM mail_blob_chunks WHERE blob_id = ?) AS n',
      ),
      chunks: db.prepare<[number, number, number], { bytes: Buffer }>(
        'SELECT bytes FROM mail_blob_chunks WHERE blob_id = ? AND seq BETWEEN ? AND ? ORDER BY seq',
      ),
    };
  }

  /** Stores bytes with `refs` references; returns the blob id. */
  insert(bytes: Buffer, refs: number): number {
    const chunked = bytes.length > BLOB_CHUNK_OCTETS;
    const row = this.#s.insert.get(chunked ? Buffer.alloc(0) : bytes, refs);
    if (row === undefined) throw new OutpostError(ErrorCodes.STORAGE, 'blob insert returned nothing');
    if (chunked) {
      for (let seq = 0; seq * BLOB_CHUNK_OCTETS < bytes.length; seq++) {
        const at = seq * BLOB_CHUNK_OCTETS;
        this.#s.insertChunk.run(row.id, seq, bytes.subarray(at, at + BLOB_CHUNK_OCTETS));
      }
    }
    return row.id;
  }

  retain(id: number): void {
    this.#s.retain.run(id);
  }

  /** Drops one reference; deletes the bytes with the last one. */
  release(id: number): void {
    const row = this.#s.release.get(id);
    if (row !== undefined && row.refs <= 0) this.#s.drop.run(id);
  }

  /** The whole message; null when there is no such blob. */
  read(id: number): Buffer | null {
    const bytes = this.#s.read.get(id)?.bytes;
    if (bytes === undefined) return null;
    if (bytes.length > 0) return bytes;
    const chunks = this.#s.chunks.all(id, 0, Number.MAX_SAFE_INTEGER);
    return chunks.length === 0 ? bytes : Buffer.concat(chunks.map((c) => c.bytes));
  }

  /**
   * Octets `[start, start + length)` of a blob of `size` octets, clipped to it; only the chunks
   * covering the range are read, and of an unchunked blob only the slice is copied out.
   */
  readRange(id: number, size: number, start: number, length: number): Buffer {
    const from = Math.min(Math.max(0, start), size);
    const to = Math.min(size, from + Math.max(0, length));
    if (to <= from) return Buffer.alloc(0);
    if ((this.#s.chunked.get(id)?.n ?? 0) === 0) {
      // substr() positions are 1-based.
      return this.#s.slice.get(from + 1, to - from, id)?.part ?? Buffer.alloc(0);
    }
    const first = Math.floor(from / BLOB_CHUNK_OCTETS);
    const last = Math.floor((to - 1) / BLOB_CHUNK_OCTETS);
    const joined = Buffer.concat(this.#s.chunks.all(id, first, last).map((c) => c.bytes));
    const offset = first * BLOB_CHUNK_OCTETS;
    return joined.subarray(from - offset, to - offset);
  }
}
