/**
 * Stored messages on the POP3 wire (RFC 1939 §3, §7): a message turned into a dot-stuffed,
 * CRLF-terminated body without per-line string work (Buffers only, zero-copy when the message has
 * no line starting with a dot), the part TOP sends, and unique-ids. Pure: no sockets, no timers.
 */

const CRLF = Buffer.from('\r\n');
const DOT = Buffer.from('.');
const LF_DOT = Buffer.from('\n.');
const TERMINATOR = Buffer.from('.\r\n');
const CRLF_TERMINATOR = Buffer.from('\r\n.\r\n');

/**
 * The wire form of a message body inside a multi-line response: every line that starts with `.`
 * gets another `.` in front, a final CRLF is added when the message does not end with one, and the
 * terminating `.` CRLF follows (RFC 1939 §3). Returns the pieces to write, in order; pieces are
 * slices of `body` (no copy) except for the inserted dots and the terminator. Only `\n.` is
 * searched for (a native scan), so a large message costs no per-line JavaScript work. Stored
 * messages already have CRLF line endings (the store's contract); a bare LF is passed through and
 * still treated as a line end for stuffing, so no client can see a premature terminator.
 */
export function dotStuffBody(body: Buffer): Buffer[] {
  const pieces: Buffer[] = [];
  let start = 0;
  if (body.length > 0 && body[0] === 0x2e) pieces.push(DOT);
  let i = body.indexOf(LF_DOT);
  while (i !== -1) {
    pieces.push(body.subarray(start, i + 1), DOT);
    start = i + 1;
    i = body.indexOf(LF_DOT, start);
  }
  if (start === 0 && pieces.length === 0) pieces.push(body);
  else if (start < body.length) pieces.push(body.subarray(start));
  const endsWithCrlf = body.length >= 2 && body[body.length - 2] === 0x0d && body[body.length - 1] === 0x0a;
  pieces.push(endsWithCrlf || body.length === 0 ? TERMINATOR : CRLF_TERMINATOR);
  return pieces;
}

/** One buffer: the status line with CRLF, then `dotStuffBody(body)`. */
export function multiLineMessage(status: string, body: Buffer): Buffer {
  const pieces = dotStuffBody(body);
  let length = status.length + 2;
  for (const p of pieces) length += p.length;
  return Buffer.concat([Buffer.from(status, 'latin1'), CRLF, ...pieces], length);
}

/**
 * The part of a message TOP sends (RFC 1939 §7): the header, the blank line after it, and the
 * first `lines` lines of the body. A message without a blank line is all header.
 */
export function topOfMessage(message: Buffer, lines: number): Buffer {
  let bodyStart: number;
  if (message.length >= 2 && message[0] === 0x0d && message[1] === 0x0a) bodyStart = 2;
  else {
    const blank = message.indexOf('\r\n\r\n');
    if (blank === -1) return message;
    bodyStart = blank + 4;
  }
  let end = bodyStart;
  for (let n = 0; n < lines && end < message.length; n++) {
    const lf = message.indexOf(0x0a, end);
    end = lf === -1 ? message.length : lf + 1;
  }
  return message.subarray(0, end);
}

/** RFC 1939 §7: a unique-id is 1-70 characters in 0x21-0x7E. Ours is `<uidvalidity>.<uid>`. */
export function uniqueId(uidValidity: number, uid: number): string {
  return `${String(uidValidity)}.${String(uid)}`;
}
