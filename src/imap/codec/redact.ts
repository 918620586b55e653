/**
 * What the transcript may show of a client line (LineConnectionOptions.redact): LOGIN's
 * password and AUTHENTICATE's initial response become `****`; everything else passes. Literal
 * octets never reach the transcript (the line layer notes their size); the lines after a
 * LOGIN's or AUTHENTICATE's literals (`a LOGIN {5}` … ` "secret"`) and SASL continuation lines
 * are hidden with `redactNextInput()` by the session.
 */

const LOGIN = /^(\S+ LOGIN )(.*)$/i;
const AUTHENTICATE = /^(\S+ AUTHENTICATE \S+ )\S+$/i;

/** The line as the transcript shows it. */
export function redactImapLine(line: string): string {
  const login = LOGIN.exec(line);
  if (login) return `${login[1] ?? ''}****`;
  const auth = AUTHENTICATE.exec(line);
  if (auth) return `${auth[1] ?? ''}****`;
  return line;
}

const SECRET_COMMAND = /^\S+ (?:LOGIN|AUTHENTICATE) /i;

/** True for a command line whose continuation lines (after its literals) may carry a secret. */
export function hasSecretContinuation(firstLine: Buffer): boolean {
  return SECRET_COMMAND.test(firstLine.toString('latin1', 0, Math.min(firstLine.length, 200)));
}

/** RFC 2177 §3 / RFC 9051 §6.3.13: the line that ends IDLE (`DONE`, any case). */
export function isIdleDone(line: Buffer): boolean {
  return line.length === 4 && line.toString('latin1').toUpperCase() === 'DONE';
}
