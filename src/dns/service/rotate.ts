/**
 * Round-robin answers (`rotate = true` on a zone): each RRset's records, consecutive in a section,
 * are rotated by the turn number, so successive answers start with a different record. Records
 * of an RRset have one owner, type and class (RFC 2181 §5); a run of such records is one RRset.
 */
import type { ResourceRecord } from '../types.js';

function sameSet(a: ResourceRecord, b: ResourceRecord): boolean {
  return a.type === b.type && a.class === b.class && a.name.toLowerCase() === b.name.toLowerCase();
}

/** `records` with every RRset rotated left by `turn` places (the same array when nothing moves). */
export function rotateRRsets(records: readonly ResourceRecord[], turn: number): readonly ResourceRecord[] {
  let out: ResourceRecord[] | undefined;
  let start = 0;
  while (start < records.length) {
    const first = records[start] as ResourceRecord;
    let end = start + 1;
    while (end < records.length && sameSet(first, records[end] as ResourceRecord)) end++;
    const size = end - start;
    const shift = turn % size;
    if (shift !== 0) {
      out ??= records.slice();
      for (let i = 0; i < size; i++) out[start + i] = records[start + ((i + shift) % size)] as ResourceRecord;
    }
    start = end;
  }
  return out ?? records;
}
