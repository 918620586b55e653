/**
 * Small values shared by the session and its handlers: the Reply a handler returns and the
 * FsError -> reply code mapping.
 */
import type { FsError } from '../server/user-fs.js';

/** A reply the session sends: code and one or more text lines. */
export class Reply {
  readonly code: number;
  readonly text: string | readonly string[];

  constructor(code: number, text: string | readonly string[]) {
    this.code = code;
    this.text = text;
  }
}

/**
 * RFC 959 §4.2.2: 553 when a name is not allowed, 452 when the disk is full, 451 for other I/O
 * errors, 550 for every other refusal.
 */
export function fsReplyCode(err: FsError): number {
  switch (err.kind) {
    case 'bad-name':
      return 553;
    case 'no-space':
      return 452;
    case 'io':
      return 451;
    default:
      return 550;
  }
}
