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

/** 550 for most filesystem refusals; 553 when a name is not allowed; 451 for I/O errors. */
export function fsReplyCode(err: FsError): number {
  return err.kind === 'io' ? 451 : 550;
}
