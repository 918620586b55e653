/**
 * `--starttls PROTOCOL`: the plaintext exchange that turns a text-protocol session into TLS
 * before the user types, so secured ports can be talked to by hand too. SMTP (RFC 3207: greeting,
 * EHLO, STARTTLS → 220), POP3 (RFC 2595: greeting, STLS → +OK), IMAP (RFC 3501: greeting,
 * `a001 STARTTLS` → tagged OK) and FTP (RFC 4217: greeting, AUTH TLS → 234). Every line either
 * way goes to `show` (the user sees the greeting) and to the transcript. Replies are read with
 * the core line buffer, bounded; bytes the server sends after its go-ahead are dropped, never
 * read as if they came over TLS (RFC 3207 §4.2's rule, from the client's side).
 */
import { hostname } from 'node:os';
import type { Socket } from 'node:net';
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { LineBuffer } from '../../core/line/line-buffer.js';
import type { TranscriptTap } from '../../core/transcript.js';

/** The protocols `--starttls` knows. */
export const STARTTLS_PROTOCOLS = ['smtp', 'imap', 'pop3', 'ftp'] as const;
export type StartTlsProtocol = (typeof STARTTLS_PROTOCOLS)[number];

/** Longest reply line read during the exchange (RFC 5321 §4.5.3.1.5's 512, with room). */
const MAX_REPLY_LINE = 4096;
/** Most lines in one reply (an EHLO lists a few dozen extensions at most). */
const MAX_REPLY_LINES = 100;
/** How long the server may take to answer one step, in milliseconds. */
const STEP_TIMEOUT_MS = 30_000;

/** A reply is complete when `done` says so; `ok` judges the complete reply. */
interface Step {
  readonly send?: string;
  readonly done: (line: string, first: string) => boolean;
  readonly ok: (lines: readonly string[]) => boolean;
}

const TAG = 'a001';
/** SMTP and FTP: `NNN-` continues, `NNN ` (or `NNN` alone) ends; FTP's end repeats the first code. */
const codeEnd = (line: string, first: string): boolean =>
  /^\d{3}( |$)/.test(line) && line.slice(0, 3) === first.slice(0, 3);
const code =
  (want: string) =>
  (lines: readonly string[]): boolean =>
    lines.at(-1)?.startsWith(want) === true;
const single = (): boolean => true;

function steps(protocol: StartTlsProtocol): Step[] {
  switch (protocol) {
    case 'smtp':
      return [
        { done: codeEnd, ok: code('220') },
        { send: `EHLO ${hostname() || 'localhost'}`, done: codeEnd, ok: code('250') },
        { send: 'STARTTLS', done: codeEnd, ok: code('220') },
      ];
    case 'pop3':
      return [
        { done: single, ok: code('+OK') },
        { send: 'STLS', done: single, ok: code('+OK') },
      ];
    case 'imap':
      return [
        { done: single, ok: code('* OK') },
        { send: `${TAG} STARTTLS`, done: (line) => line.startsWith(`${TAG} `), ok: code(`${TAG} OK`) },
      ];
    case 'ftp':
      return [
        { done: codeEnd, ok: code('220') },
        { send: 'AUTH TLS', done: codeEnd, ok: code('234') },
      ];
  }
}

/** Reads one reply (its lines) from `socket` through `buffer`. */
function readReply(socket: Socket, buffer: LineBuffer, done: Step['done']): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.pause();
    };
    const fail = (message: string): void => {
      cleanup();
      reject(new OutpostError(ErrorCodes.STARTTLS_FAILED, message));
    };
    const drain = (): boolean => {
      for (
        let item = buffer.takeLine(MAX_REPLY_LINE);
        item !== null;
        item = buffer.takeLine(MAX_REPLY_LINE)
      ) {
        if (item.kind === 'overflow') {
          fail(`the server sent a reply line over ${MAX_REPLY_LINE} bytes`);
          return true;
        }
        const line = item.line.toString('utf8');
        lines.push(line);
        if (done(line, lines[0] ?? line)) {
          cleanup();
          resolve(lines);
          return true;
        }
        if (lines.length >= MAX_REPLY_LINES) {
          fail(`the server's reply ran over ${MAX_REPLY_LINES} lines`);
          return true;
        }
      }
      return false;
    };
    const onData = (chunk: Buffer): void => {
      buffer.push(chunk);
      drain();
    };
    const onClose = (): void => {
      fail('the server closed the connection before TLS started');
    };
    const timer = setTimeout(() => {
      fail(`no reply from the server in ${STEP_TIMEOUT_MS / 1000} seconds`);
    }, STEP_TIMEOUT_MS);
    if (drain()) return;
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.resume();
  });
}

/**
 * Runs the plaintext part of `protocol`'s STARTTLS on a fresh connection; resolves when the
 * server has said go ahead (the caller then starts TLS), rejects with ERR_STARTTLS_FAILED
 * quoting the server's refusal.
 */
export async function negotiateStartTls(
  socket: Socket,
  protocol: StartTlsProtocol,
  show: (line: string) => void,
  transcript?: TranscriptTap,
): Promise<void> {
  const buffer = new LineBuffer();
  for (const step of steps(protocol)) {
    if (step.send !== undefined) {
      show(step.send);
      transcript?.('C', step.send);
      socket.write(`${step.send}\r\n`);
    }
    const lines = await readReply(socket, buffer, step.done);
    for (const line of lines) {
      show(line);
      transcript?.('S', line);
    }
    if (!step.ok(lines)) {
      const what = step.send === undefined ? 'greeting' : `answer to ${step.send.replace(`${TAG} `, '')}`;
      throw new OutpostError(
        ErrorCodes.STARTTLS_FAILED,
        `STARTTLS refused: the server's ${what} was "${lines.at(-1) ?? ''}"`,
      );
    }
  }
  const dropped = buffer.clear();
  if (dropped > 0) transcript?.('*', `dropped ${dropped} bytes sent before TLS started`);
}
