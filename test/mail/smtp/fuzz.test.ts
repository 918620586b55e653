// Hostile input, generated: the MX listener and the submission listener (after AUTH PLAIN) each
// get ~1,500 seeded random command lines (every verb of the command table but STARTTLS, junk and
// lower-case verbs; arguments from a corpus of paths, ESMTP parameters, control characters, bare
// CR/LF, overlong and UTF-8 pieces, SASL garbage), pipelined whenever a piece holds a newline.
// About one iteration in twenty is a DATA or BDAT transaction with a hostile body (lone ".",
// bare CR/LF, 10 KB lines, NUL, chunk sizes that do not match the bytes sent). A small model of
// the server's reader (one reply per line, AUTH continuations, the dot-terminated body, BDAT's
// counted octets) keeps the client in step, so a missing reply is a hang, not a guess. Every
// reply must be well formed; the server may only hang up after saying why (221/421/554/501);
// a body with a bare CR or LF is never accepted; every message acknowledged with 250 is in the
// store afterwards; the MX listener never queued anything for a foreign domain.
// Replies must be printable US-ASCII (RFC 5321 §4.2): HELP and two refusals used to say "§".
// A client that pipelines without reading its replies must stop being read (the session used to
// buffer every reply: 1.2 GB of heap for 6 MB of HELP).
// The codec (command/path/parameter parsers, reply parser and assembler, the client's EHLO,
// xtext and dot-stuffing helpers, the body readers) gets 20,000 random strings each.
// STARTTLS with pipelined plaintext is covered by submission-auth.test.ts.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS } from '../../../src/mail/smtp/commands/table.js';
import { SMTP_LIMITS } from '../../../src/mail/smtp/limits.js';
import {
  parseBdatArgs,
  parseMailArgs,
  parseMailbox,
  parsePath,
  parseRcptArgs,
  splitCommand,
} from '../../../src/mail/smtp/codec/command.js';
import {
  formatReply,
  parseReplyLine,
  reply,
  ReplyAssembler,
  type SmtpReply,
} from '../../../src/mail/smtp/codec/reply.js';
import { BareNewlineDetector, readDotBody, type BodySource } from '../../../src/mail/smtp/data-reader.js';
import { Capabilities, canonicalBody, dotStuffed, encodeXtext } from '../../../src/mail/smtp/client/index.js';
import { checkPathAddress } from '../../../src/mail/smtp/client/envelope.js';
import { LineBuffer } from '../../../src/core/line/line-buffer.js';
import { OutpostError } from '../../../src/core/errors.js';
import { RawClient } from '../../helpers/line-client.js';
import { prng } from '../../helpers/prng.js';
import { expectOutputBackpressure } from '../../helpers/unread-pipeline.js';
import { plain, readReply, startSmtp, type SmtpFixture } from './helpers.js';

const SEED = Number(process.env['OUTPOST_FUZZ_SEED'] ?? 20261121);
const ITERATIONS = 1500;

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const CRLF = Buffer.from('\r\n');
/** The longest line the connection reads (longer ones are discarded up to their LF). */
const MAX_LINE = SMTP_LIMITS.authLineOctets;
const MAX_TEXT_LINE = SMTP_LIMITS.dataLineOctets;
const MAX_COMMAND = SMTP_LIMITS.commandLineOctets;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
/** RFC 5321 §4.2: a reply line is a code, SP or "-", and a textstring of HT and printable US-ASCII. */
const REPLY_LINE = /^([2-5]\d\d)(?:([ -])([\t\x20-\x7e]*))?$/;
const BARE_NEWLINE = /\r(?!\n)|(?<!\r)\n/;

const ADDRESSES = [
  '<bob@example.test>',
  'bob@example.test',
  '<alice@example.test>',
  '<Bob@EXAMPLE.test>',
  '<postmaster>',
  '<Postmaster@example.test>',
  '<>',
  '<@relay.test:bob@example.test>',
  '<@a.test,@b.test:x@remote.test>',
  '<@:bob@example.test>',
  '<"bob"@example.test>',
  '<"b o b"@example.test>',
  '<"a\\"b"@example.test>',
  '<"unterminated@example.test>',
  '<bob%remote.test@example.test>',
  '<bob@[127.0.0.1]>',
  '<bob@[IPv6:::1]>',
  '<bob@[<>]>',
  '<x@remote.test>',
  '<x@remote.test',
  'x@remote.test>',
  '<<bob@example.test>>',
  '<bøb@example.test>',
  '<bob@exämple.test>',
  '<用户@例子.测试>',
  '<bob@xn--exmple-cua.test>',
  `<${'a'.repeat(65)}@example.test>`,
  `<a@${'b'.repeat(64)}.test>`,
  `<a@${'b.'.repeat(150)}test>`,
  '<bob@example.test.>',
  '<bob@.example.test>',
  '<bob@@example.test>',
  '<@example.test>',
  '<bob@>',
  '<bob>',
];

const PARAMS = [
  'SIZE=100',
  'SIZE=0',
  'SIZE=99999999999999999999',
  'SIZE=-1',
  'SIZE=',
  'SIZE',
  'BODY=8BITMIME',
  'BODY=BINARYMIME',
  'BODY=7bit',
  'SMTPUTF8',
  'SMTPUTF8=yes',
  'RET=FULL',
  'RET=HDRS',
  'RET=x',
  'ENVID=abc+2B',
  'ENVID=+zz',
  `ENVID=${'x'.repeat(200)}`,
  'NOTIFY=NEVER',
  'NOTIFY=SUCCESS,FAILURE,DELAY',
  'NOTIFY=NEVER,SUCCESS',
  'NOTIFY=',
  'ORCPT=rfc822;bob@example.test',
  'ORCPT=rfc822;',
  'ORCPT=;x',
  'AUTH=<>',
  'AUTH=bob+40example.test',
  'AUTH=',
  'X-UNKNOWN=1',
  '=',
  'SIZE=1 SIZE=2',
];

/** SASL responses that never authenticate and (but the first) never reach the password check. */
const SASL = [
  plain('nobody@example.test', 'x'),
  Buffer.from('alice@example.test\0bob@example.test\0correct horse').toString('base64'),
  '',
  '*',
  '=',
  '====',
  'AAAA',
  'AA==',
  '!!!!',
  'Zm9v',
  'dGVzdA',
  'A'.repeat(700),
  '\u0000',
];

const PIECES = [
  '',
  ' ',
  'client.test',
  '[127.0.0.1]',
  '[IPv6:::1]',
  'PLAIN',
  'LOGIN',
  'CRAM-MD5',
  'XOAUTH2',
  'FROM:',
  'TO:',
  'FROM:<>',
  '0',
  '1',
  '-1',
  'LAST',
  '18446744073709551616',
  '9'.repeat(40),
  '1e3',
  '0x10',
  '\0',
  'a\0b',
  '\r',
  'a\rb',
  '\n',
  'a\nNOOP',
  '\nRCPT TO:<x@remote.test>',
  '\r\nMAIL FROM:<x@remote.test>',
  '\nDATA',
  '\u0007\u001b[31m',
  '\x7f',
  '\t',
  'é✓',
  '\ud800',
  'x'.repeat(600),
  'y'.repeat(1200),
  'w'.repeat(13_000),
  ...ADDRESSES,
  ...PARAMS,
  ...SASL,
];

const BODY_LINES = [
  'Subject: fuzz',
  'From: <bob@example.test>',
  '',
  'hello',
  '.',
  '..',
  '...',
  '.hidden',
  ' .',
  '. ',
  'a\nb',
  'a\rb',
  '\r',
  '\n.\n',
  '\n.\r\n',
  'x'.repeat(10_240),
  'v'.repeat(13_000),
  'z'.repeat(998),
  'z'.repeat(999),
  '\0\0',
  'é✓ 用户',
  'MAIL FROM:<injected@evil.test>',
  'RCPT TO:<x@remote.test>',
  'Received: from loop',
];
/** Body lines a careful client could send (dot-stuffed, CRLF only, short). */
const CLEAN_LINES = BODY_LINES.filter((l) => !/[\r\n]/.test(l) && l.length <= 998 && !l.startsWith('.'));

type Random = () => number;
const pickWith =
  (random: Random) =>
  <T>(list: readonly T[]): T =>
    list[Math.floor(random() * list.length)] as T;

/** Counts over one listener's run (reported as diagnostics). */
interface Stats {
  readonly codes: Map<number, number>;
  reconnects: number;
  lines: number;
  transactions: number;
  loginsRefused: number;
  authenticatedLines: number;
  /** Bodies the server acknowledged with 250, with the fuzz id we put in them (if any). */
  readonly accepted: { id: number | null; body: Buffer }[];
}

/** What one exchange ended with: the last final reply code, or the server hung up. */
type Outcome = { closed: false; last: number } | { closed: true };

/**
 * One client connection plus the model that keeps it in step with the server: bytes are sent as
 * given, and for every line the server will read (LF-terminated) the client expects one final
 * reply, answers 334 with a SASL line and 354 with a body, and accounts for BDAT's counted octets.
 */
class FuzzClient {
  c!: RawClient;
  authenticated = false;
  #last = { code: 220, text: '' };
  #stream = Buffer.alloc(0);
  #pos = 0;
  #chunks: Buffer[] = [];
  /** A HELO/EHLO was answered 250 on this connection (BDAT is read from then on). */
  #greeted = false;
  #nextId = 0;
  readonly #port: number;
  readonly #submission: boolean;
  readonly #random: Random;
  readonly #pick: <T>(list: readonly T[]) => T;
  readonly #stats: Stats;

  constructor(port: number, submission: boolean, random: Random, stats: Stats) {
    this.#port = port;
    this.#submission = submission;
    this.#random = random;
    this.#pick = pickWith(random);
    this.#stats = stats;
  }

  /** Connects, checks the greeting, and (mostly) greets and logs in. */
  async open(): Promise<void> {
    this.c = await RawClient.connect(this.#port);
    this.authenticated = false;
    this.#greeted = false;
    this.#chunks = [];
    const greeting = await readReply(this.c);
    assert.match(greeting?.[0] ?? '<closed>', /^220 /);
    if (this.#random() < 0.12) return;
    const ehlo = await this.send(this.#random() < 0.8 ? 'EHLO fuzz.test\r\n' : 'HELO fuzz.test\r\n');
    if (ehlo.closed || !this.#submission || this.#random() < 0.1) return;
    const auth = await this.send(`AUTH PLAIN ${plain('bob@example.test')}\r\n`);
    if (!auth.closed && auth.last === 235) this.authenticated = true;
    else this.#stats.loginsRefused++;
  }

  /** Opens a new connection after the server hung up. */
  async reopen(): Promise<void> {
    this.c.end();
    this.#stats.reconnects++;
    await this.open();
  }

  /** Sends `data` and reads every reply it causes (see the class comment). */
  async send(data: string | Buffer): Promise<Outcome> {
    this.#stream = Buffer.alloc(0);
    this.#pos = 0;
    this.#append(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    let last = 0;
    while (this.#pos < this.#stream.length) {
      let lf = this.#stream.indexOf(LF, this.#pos);
      if (lf === -1) {
        // The tail of a BDAT chunk that was longer than announced: end its line.
        this.#append(CRLF);
        lf = this.#stream.indexOf(LF, this.#pos);
      }
      const full = this.#stream.subarray(this.#pos, lf + 1);
      this.#pos = lf + 1;
      const command = commandOf(full);
      let chunk: { data: Buffer; last: boolean } | null = null;
      const size = command?.verb === 'BDAT' ? parseBdatArgs(command.args) : null;
      if (size !== null && this.#greeted) {
        // RFC 3030 §2: once past HELO/EHLO the server reads exactly `size` octets after the BDAT
        // line, whatever they are (before it is refused too); if fewer were sent, it waits.
        const missing = this.#pos + size.size - this.#stream.length;
        if (missing > 0) this.#append(this.#filler(missing));
        chunk = { data: this.#stream.subarray(this.#pos, this.#pos + size.size), last: size.last };
        this.#pos += size.size;
      }
      // The session holds pipelined replies while input is buffered (RFC 2920 §3.1), a partial
      // line included: end a trailing partial line (the tail of an over-long chunk) first.
      if (this.#pos < this.#stream.length && this.#stream.at(-1) !== LF) this.#append(CRLF);
      let body: Buffer | null | undefined;
      for (;;) {
        const r = await this.#reply();
        if (r === null) return { closed: true };
        if (r.code === 334) {
          this.#continuation();
          continue;
        }
        if (r.code === 354) {
          body = this.#dataBody();
          continue;
        }
        last = r.code;
        this.#account(command, chunk, body, r.code);
        break;
      }
    }
    return { closed: false, last };
  }

  /** A random DATA body (its first line names it) ending with the terminator. */
  body(): Buffer {
    const id = this.#nextId++;
    const clean = this.#random() < 0.5;
    const lines = [`X-Fuzz-Id: ${id}`];
    const n = Math.floor(this.#random() * 8);
    for (let i = 0; i < n; i++) {
      const line = this.#pick(clean ? CLEAN_LINES : BODY_LINES);
      lines.push(clean && line.startsWith('.') ? `.${line}` : line);
    }
    return Buffer.from(`${lines.join('\r\n')}\r\n.\r\n`, 'utf8');
  }

  /** What the last `send` wrote (for failure messages). */
  get sent(): Buffer {
    return this.#stream;
  }

  #append(bytes: Buffer): void {
    this.#stream = Buffer.concat([this.#stream, bytes]);
    this.c.send(bytes);
  }

  #filler(n: number): Buffer {
    const text = 'filler line\r\n';
    return Buffer.from(text.repeat(Math.ceil(n / text.length)).slice(0, n), 'latin1');
  }

  /** Reads one reply, checks its form, counts it; null when the server closed. */
  async #reply(): Promise<{ code: number } | null> {
    const lines = await readReply(this.c);
    if (lines === null) {
      // Hanging up is fine only after a reply that says so.
      const { code, text } = this.#last;
      assert.ok(
        code === 221 || code === 421 || code === 554 || (code === 501 && /closing/.test(text)),
        `closed without a goodbye after ${code} ${text}`,
      );
      this.#last = { code: 220, text: '' };
      return null;
    }
    let code = 0;
    lines.forEach((line, i) => {
      const m = REPLY_LINE.exec(line);
      assert.ok(m, `malformed reply line ${JSON.stringify(line.slice(0, 120))}`);
      const lineCode = Number(m[1]);
      if (i === 0) code = lineCode;
      assert.equal(lineCode, code, `code changed within a reply: ${lines.join(' / ')}`);
      assert.equal(m[2] === '-', i < lines.length - 1, `continuation marks: ${lines.join(' / ')}`);
    });
    this.#stats.codes.set(code, (this.#stats.codes.get(code) ?? 0) + 1);
    this.#last = { code, text: lines.at(-1) ?? '' };
    return { code };
  }

  /** 334: the server reads the next line as the SASL response; send one if none is pipelined. */
  #continuation(): void {
    let lf = this.#stream.indexOf(LF, this.#pos);
    if (lf === -1) {
      this.#append(Buffer.from(`${this.#pick(SASL)}\r\n`, 'utf8'));
      lf = this.#stream.indexOf(LF, this.#pos);
    }
    this.#pos = lf + 1;
  }

  /**
   * 354: the server reads body lines up to CRLF "." CRLF (after a CRLF line, RFC 5321 §4.1.1.4 as
   * data-reader.ts implements it). Returns the unstuffed body, or null when the model says the
   * server must refuse it (bare CR/LF or an over-long line).
   */
  #dataBody(): Buffer | null {
    const parts: Buffer[] = [];
    let previousCrlf = true;
    let refused = false;
    for (;;) {
      const lf = this.#stream.indexOf(LF, this.#pos);
      if (lf === -1) {
        this.#append(this.body());
        continue;
      }
      const full = this.#stream.subarray(this.#pos, lf + 1);
      this.#pos = lf + 1;
      if (full.length > MAX_LINE) {
        refused = true;
        previousCrlf = false;
        continue;
      }
      const crlf = full.length >= 2 && full[full.length - 2] === CR;
      const raw = full.subarray(0, full.length - (crlf ? 2 : 1));
      if (crlf && previousCrlf && raw.length === 1 && raw[0] === DOT) break;
      if (!crlf || raw.includes(CR) || raw.length + 2 > MAX_TEXT_LINE) refused = true;
      previousCrlf = crlf;
      parts.push(raw[0] === DOT ? raw.subarray(1) : raw, CRLF);
    }
    return refused ? null : Buffer.concat(parts);
  }

  /** Follows the transaction a final reply ends or continues; checks what must not be accepted. */
  #account(
    command: { verb: string; args: string } | null,
    chunk: { data: Buffer; last: boolean } | null,
    body: Buffer | null | undefined,
    code: number,
  ): void {
    if (code === 235) this.authenticated = true;
    if (body !== undefined) {
      assert.ok(
        !(body === null && code === 250),
        'a body with a bare CR/LF or an overlong line was accepted',
      );
      if (code === 250 && body !== null) this.#accepted(body);
    }
    if (chunk !== null) {
      if (code !== 250) this.#chunks = [];
      else if (!chunk.last) this.#chunks.push(chunk.data);
      else {
        const whole = Buffer.concat([...this.#chunks, chunk.data]);
        this.#chunks = [];
        assert.ok(!BARE_NEWLINE.test(whole.toString('latin1')), 'a BDAT body with a bare CR/LF was accepted');
        this.#accepted(whole);
      }
    } else if (code === 250 && command !== null && ['RSET', 'EHLO', 'HELO'].includes(command.verb)) {
      this.#chunks = [];
      if (command.verb !== 'RSET') this.#greeted = true;
    }
  }

  #accepted(body: Buffer): void {
    const m = /^X-Fuzz-Id: (\d+)\r\n/m.exec(body.toString('latin1'));
    this.#stats.accepted.push({ id: m ? Number(m[1]) : null, body });
  }
}

/** The verb and arguments the session would dispatch for a line, or null when it refuses it first. */
function commandOf(full: Buffer): { verb: string; args: string } | null {
  if (full.length > MAX_LINE) return null;
  const end = full.length >= 2 && full[full.length - 2] === CR ? 2 : 1;
  const raw = full.subarray(0, full.length - end);
  const text = raw.toString('utf8');
  if (raw.length + 2 > MAX_COMMAND || raw.includes(CR) || CONTROL.test(text)) return null;
  return splitCommand(text);
}

/**
 * A random command line. A BDAT in it announces at most `maxChunk` octets (the client sends
 * filler). Only the first line of a pipelined group may announce any: the session holds the
 * replies to the earlier lines while it waits for the chunk (it flushes when its input is
 * drained), so a client must send chunk data with the BDAT line, as RFC 3030 §2 clients do.
 */
function randomLine(random: Random, maxChunk: number): string {
  const pick = pickWith(random);
  const verbs = [...COMMANDS.keys()].filter((v) => v !== 'STARTTLS');
  for (;;) {
    const r = random();
    let verb =
      r < 0.06
        ? pick(['XYZ', 'EXPN', 'TURN', 'ETRN', 'XCLIENT', 'SEND', '', 'MAIL FROM', 'GET', 'EHLO\0'])
        : pick(verbs);
    if (random() < 0.15)
      verb = random() < 0.5 ? verb.toLowerCase() : verb.slice(0, 1) + verb.slice(1).toLowerCase();
    const parts: string[] = [];
    const upper = verb.toUpperCase();
    if ((upper === 'MAIL' || upper === 'RCPT') && random() < 0.8) {
      const prefix =
        upper === 'MAIL' ? pick(['FROM:', 'from:', 'FROM: ', 'FROM']) : pick(['TO:', 'to:', 'TO: ']);
      parts.push(prefix + (random() < 0.6 ? pick(ADDRESSES) : pick(PIECES)));
      const n = Math.floor(random() * 3);
      for (let i = 0; i < n; i++) parts.push(random() < 0.7 ? pick(PARAMS) : pick(PIECES));
    } else if (upper === 'AUTH' && random() < 0.7) {
      parts.push(pick(['PLAIN', 'LOGIN', 'plain', 'login', 'CRAM-MD5', 'XOAUTH2', pick(PIECES)]));
      if (random() < 0.5) parts.push(` ${pick(SASL)}`);
      if (random() < 0.1) parts.push(` ${pick(PIECES)}`);
    } else if (upper === 'BDAT' && random() < 0.7) {
      parts.push(
        pick(['0', '0 LAST', '1', '17 LAST', '4096', 'x', '-1', 'LAST', '1 LAST x', '0 last', pick(PIECES)]),
      );
    } else if ((upper === 'EHLO' || upper === 'HELO') && random() < 0.5) {
      parts.push(
        pick(['client.test', '[127.0.0.1]', '[IPv6:::1]', 'é✓.test', '-', 'a'.repeat(300), pick(PIECES)]),
      );
    } else {
      const n = Math.floor(random() * 3);
      for (let i = 0; i < n; i++) parts.push(pick(PIECES));
    }
    const line = `${verb} ${parts.join(random() < 0.8 ? ' ' : '')}`.trimEnd();
    const ending = random() < 0.9 ? '\r\n' : '\n';
    const bytes = Buffer.from(line + ending, 'utf8');
    let swallows = false;
    for (let at = 0; at < bytes.length;) {
      const lf = bytes.indexOf(LF, at);
      const command = commandOf(bytes.subarray(at, lf + 1));
      if (command?.verb === 'BDAT' && (parseBdatArgs(command.args)?.size ?? 0) > maxChunk) swallows = true;
      at = lf + 1;
    }
    if (!swallows) return line + ending;
  }
}

/** A DATA or BDAT transaction with mostly valid envelopes and hostile bodies. */
async function transaction(f: FuzzClient, random: Random, submission: boolean): Promise<boolean> {
  const pick = pickWith(random);
  const step = async (line: string | Buffer): Promise<number | null> => {
    const o = await f.send(line);
    return o.closed ? null : o.last;
  };
  if ((await step('RSET\r\n')) === null) return false;
  const ehlo = await step('EHLO fuzz.test\r\n');
  if (ehlo !== 250) return ehlo !== null;
  const sender =
    submission && random() < 0.9
      ? '<bob@example.test>'
      : pick(['<a@remote.test>', '<>', '<bob@example.test>', pick(ADDRESSES)]);
  const mailParams = Array.from({ length: Math.floor(random() * 3) }, () =>
    pick(['BODY=8BITMIME', 'SMTPUTF8', 'SIZE=500', 'RET=HDRS', 'ENVID=x+2By', pick(PARAMS)]),
  );
  if ((await step(`MAIL FROM:${[sender, ...mailParams].join(' ')}\r\n`)) === null) return false;
  const rcpts = 1 + Math.floor(random() * 3);
  for (let i = 0; i < rcpts; i++) {
    const to = pick([
      '<bob@example.test>',
      '<alice@example.test>',
      '<postmaster>',
      '<Postmaster@example.test>',
      '<x@remote.test>',
      '<bob@[127.0.0.1]>',
      '<@relay.test:bob@example.test>',
      '<bob%remote.test@example.test>',
      pick(ADDRESSES),
    ]);
    const params = random() < 0.3 ? ` ${pick(['NOTIFY=FAILURE', 'ORCPT=rfc822;x+40y', pick(PARAMS)])}` : '';
    if ((await step(`RCPT TO:${to}${params}\r\n`)) === null) return false;
  }
  if (random() < 0.5) return (await step('DATA\r\n')) !== null;
  // BDAT: the body in 1-4 chunks, sizes mostly right, sometimes short or long (then the rest of
  // the bytes are read as commands), sometimes one over the 64 KB read unit, sometimes BDAT 0 LAST.
  const body = f.body().subarray(0, -3);
  const cuts = Array.from({ length: Math.floor(random() * 3) }, () => Math.floor(random() * body.length));
  cuts.sort((a, b) => a - b);
  const pieces = [0, ...cuts, body.length]
    .slice(1)
    .map((end, i, ends) => body.subarray(i ? ends[i - 1] : 0, end));
  if (random() < 0.1) pieces.push(Buffer.alloc(0));
  if (random() < 0.05) pieces.splice(0, 0, Buffer.alloc(70_000, 'a'));
  for (const [i, piece] of pieces.entries()) {
    const last = i === pieces.length - 1 ? ' LAST' : '';
    const r = random();
    const size = r < 0.8 ? piece.length : r < 0.9 ? Math.max(0, piece.length - 7) : piece.length + 5;
    if ((await step(Buffer.concat([Buffer.from(`BDAT ${size}${last}\r\n`), piece]))) === null) return false;
  }
  return true;
}

async function fuzzListener(
  t: TestContext,
  f: SmtpFixture,
  submission: boolean,
  seed: number,
): Promise<Stats> {
  const random = prng(seed);
  const stats: Stats = {
    codes: new Map(),
    reconnects: 0,
    lines: 0,
    transactions: 0,
    loginsRefused: 0,
    authenticatedLines: 0,
    accepted: [],
  };
  const client = new FuzzClient(submission ? f.ports.submission : f.ports.mx, submission, random, stats);
  await client.open();
  for (let i = 0; i < ITERATIONS; i++) {
    let alive: boolean;
    try {
      if (random() < 0.05) {
        stats.transactions++;
        alive = await transaction(client, random, submission);
      } else {
        stats.lines++;
        if (client.authenticated) stats.authenticatedLines++;
        // One line in five goes out pipelined with up to three more (RFC 2920).
        const group = random() < 0.2 ? 2 + Math.floor(random() * 3) : 1;
        const lines = Array.from({ length: group }, (_, j) => randomLine(random, j === 0 ? 4096 : 0));
        alive = !(await client.send(lines.join(''))).closed;
      }
    } catch (err) {
      const sent = JSON.stringify(client.sent.toString('latin1').slice(0, 300));
      throw new Error(`iteration ${i} (seed ${seed}) after sending ${sent}: ${String(err)}`, { cause: err });
    }
    if (!alive) await client.reopen();
  }
  client.c.end();
  const codes = [...stats.codes].sort(([a], [b]) => a - b).map(([c, n]) => `${c}:${n}`);
  t.diagnostic(
    `${submission ? 'submission' : 'mx'}: ${stats.lines} lines, ${stats.transactions} transactions, ` +
      `${stats.accepted.length} accepted, ${stats.reconnects} reconnects, ${stats.loginsRefused} logins refused, ` +
      `${stats.authenticatedLines} lines authenticated; replies ${codes.join(' ')}`,
  );
  return stats;
}

/** Every stored copy: local mailboxes (with our trace headers) and queued outbound messages. */
async function storedMessages(f: SmtpFixture): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const user of await f.accounts.listUsers()) {
    const box = await f.store.getMailbox(user.address, 'INBOX');
    if (box === null) continue;
    for (const m of await f.store.listMessages(box.id)) {
      const bytes = await f.store.readMessage(box.id, m.uid);
      if (bytes !== null) out.push(bytes);
    }
  }
  for (const entry of await f.store.queue.list()) {
    const bytes = await f.store.queue.readBytes(entry.id);
    if (bytes !== null) out.push(bytes);
  }
  return out;
}

/** After a run: the server answers a fresh client, and nothing acknowledged is missing. */
async function checkAfterwards(f: SmtpFixture, port: number, stats: Stats, mx: boolean): Promise<void> {
  const c = await RawClient.connect(port);
  assert.match((await readReply(c))?.[0] ?? '', /^220 /);
  c.send('EHLO after.test\r\n');
  assert.match((await readReply(c))?.at(-1) ?? '', /^250 /);
  c.end();
  const stored = await storedMessages(f);
  assert.ok(
    stored.length >= stats.accepted.length,
    `${stats.accepted.length} accepted, ${stored.length} stored`,
  );
  for (const { id, body } of stats.accepted) {
    if (id !== null) {
      const marker = `X-Fuzz-Id: ${id}\r\n`;
      assert.ok(
        stored.some((m) => m.includes(marker)),
        `message ${id} was acknowledged but is not stored`,
      );
    }
    // Relayed as received on MX (no submission fix-ups): the stored copy ends with the body.
    if (mx)
      assert.ok(
        stored.some((m) => m.subarray(m.length - body.length).equals(body)),
        'body altered',
      );
  }
}

let mx: SmtpFixture;
let submission: SmtpFixture;
const rejections: unknown[] = [];
const onRejection = (reason: unknown): void => {
  rejections.push(reason);
};
before(async () => {
  process.on('unhandledRejection', onRejection);
  // Separate fixtures: separate account stores, so the MX run's failed logins do not throttle
  // the submission run's.
  mx = await startSmtp();
  submission = await startSmtp();
});
after(async () => {
  process.off('unhandledRejection', onRejection);
  await mx.close();
  await submission.close();
});

test(`MX listener: random command lines and transactions (seed ${SEED})`, async (t) => {
  const stats = await fuzzListener(t, mx, false, SEED);
  assert.ok(stats.codes.size > 10, 'the fuzz reached many different replies');
  await checkAfterwards(mx, mx.ports.mx, stats, true);
  // No open relay: nothing was queued for any domain, and nobody ever logged in.
  assert.equal(mx.queued, 0);
  assert.deepEqual(await mx.store.queue.list(), []);
  assert.equal(stats.codes.get(235), undefined);
  assert.deepEqual(rejections, []);
});

test(`submission listener after AUTH PLAIN: random lines and transactions (seed ${SEED})`, async (t) => {
  const stats = await fuzzListener(t, submission, true, SEED + 1);
  assert.ok(stats.authenticatedLines > ITERATIONS / 2, `${stats.authenticatedLines} lines after AUTH`);
  await checkAfterwards(submission, submission.ports.submission, stats, false);
  // RFC 6409 §6.1: whatever was queued was sent as the authenticated user.
  for (const entry of await submission.store.queue.list()) assert.equal(entry.mailFrom, 'bob@example.test');
  assert.deepEqual(rejections, []);
});

// Found by this fuzz's pipelining: a client that pipelines HELP (a 1.3 KB reply for 6 octets)
// and never reads made the session read on and buffer every reply (1.2 GB of heap after 6 MB of
// input). Now the session stops reading commands until the client reads.
test('a client that pipelines without reading its replies stops being read', async (t) => {
  const f = await startSmtp();
  try {
    const count = 60_000;
    const r = await expectOutputBackpressure({
      port: f.ports.mx,
      protocol: 'smtp',
      command: 'HELP',
      count,
      replyMarker: '\r\n214 ',
    });
    t.diagnostic(`read ${r.readWhileBlocked} of ${count} pipelined HELPs while the client read nothing`);
  } finally {
    await f.close();
  }
});

/** A BodySource over a LineBuffer holding all the input (the server's reader without a socket). */
function bufferSource(bytes: Buffer): BodySource {
  const lines = new LineBuffer();
  lines.push(bytes);
  return {
    readLine: () => {
      const item = lines.takeLine(MAX_LINE);
      if (item === null) return Promise.resolve({ kind: 'end' });
      if (item.kind === 'overflow') return Promise.resolve(item);
      const raw = item.line;
      return Promise.resolve({ kind: 'line', raw, ending: item.ending, text: raw.toString('utf8') });
    },
    readBytes: () => Promise.resolve({ kind: 'end' }),
    get discardedLineEnding() {
      return lines.discardedEnding;
    },
  };
}

test(`codec: 20,000 random strings per parser, only documented errors (seed ${SEED})`, async () => {
  const random = prng(SEED + 2);
  const pick = pickWith(random);
  const tokens = [
    ...'<>@:,."\\[]=+;- \t\0\r\nabz09é'.split(''),
    'FROM:',
    'TO:',
    'bob',
    'example.test',
    'IPv6:',
    'SIZE=',
    'BODY=',
    '8BITMIME',
    'SMTPUTF8',
    'NOTIFY=',
    'NEVER',
    'SUCCESS,',
    'ORCPT=',
    'rfc822;',
    'ENVID=',
    'RET=',
    'AUTH=',
    '+2B',
    'LAST',
    '250',
    '250-',
    '550 ',
    '5.1.1',
    '\r\n',
    '.\r\n',
    '\r\n.',
    '9'.repeat(16),
  ];
  const text = (): string => Array.from({ length: Math.floor(random() * 24) }, () => pick(tokens)).join('');
  const safe = (r: SmtpReply): void => {
    assert.ok(r.code >= 400 && r.code < 600);
    for (const line of formatReply(r))
      assert.ok(!/[\r\n\0]/.test(line), `reply line ${JSON.stringify(line)}`);
  };
  const assembler = new ReplyAssembler(5);
  for (let i = 0; i < 20_000; i++) {
    const s = text();
    splitCommand(s);
    const mailbox = parseMailbox(s);
    if (mailbox) assert.ok(!/[\r\n\0]/.test(mailbox.address), `address ${JSON.stringify(mailbox.address)}`);
    const path = parsePath(s);
    if (path?.path.kind === 'mailbox') assert.ok(!/[\r\n\0]/.test(path.path.mailbox.address));
    const mail = parseMailArgs(s);
    if (!mail.ok) safe(mail.reply);
    const rcpt = parseRcptArgs(s);
    if (!rcpt.ok) safe(rcpt.reply);
    const bdat = parseBdatArgs(s);
    if (bdat) assert.ok(Number.isSafeInteger(bdat.size) && bdat.size >= 0);
    parseReplyLine(s);
    for (const line of s.split('\r\n')) {
      try {
        const r = assembler.push(line);
        if (r) assert.ok((new Capabilities(r).maxSize ?? 0) >= 0);
      } catch (err) {
        assert.ok(err instanceof SyntaxError, String(err));
      }
    }
    try {
      checkPathAddress(s);
    } catch (err) {
      assert.ok(err instanceof OutpostError, String(err));
    }
    // The client's xtext is what the server's ENVID parser accepts (RFC 3461 §4).
    const xtext = encodeXtext(s);
    if (xtext !== '' && xtext.length <= 100) assert.ok(parseMailArgs(`FROM:<> ENVID=${xtext}`).ok, xtext);
    // The client's dot-stuffing read back by the server's DATA reader gives the canonical body.
    const bytes = Buffer.from(s, 'utf8');
    const read = await readDotBody(bufferSource(dotStuffed(bytes)), 1 << 20);
    assert.deepEqual(read, { kind: 'ok', bytes: canonicalBody(bytes) }, JSON.stringify(s));
    // The raw text as a DATA body: accepted only without bare CR/LF, never past its terminator.
    const raw = await readDotBody(bufferSource(Buffer.concat([bytes, Buffer.from('\r\n.\r\n')])), 1 << 20);
    if (raw.kind === 'ok') assert.ok(!BARE_NEWLINE.test(raw.bytes.toString('latin1')), JSON.stringify(s));
    // Bare CR/LF detection across BDAT chunk boundaries matches a whole-body check.
    const detector = new BareNewlineDetector();
    const cut = Math.floor(random() * (bytes.length + 1));
    detector.push(bytes.subarray(0, cut));
    detector.push(bytes.subarray(cut));
    assert.equal(detector.finish(), BARE_NEWLINE.test(bytes.toString('latin1')), JSON.stringify(s));
    // Replies: built only with valid codes, and read back as written.
    const code = Math.floor(random() * 800);
    try {
      const r = reply(code, random() < 0.5 ? '2.0.0' : undefined, 'fine');
      const lines = formatReply(r);
      const back = new ReplyAssembler();
      const parsed = lines.map((l) => back.push(l)).at(-1);
      assert.equal(parsed?.code, code);
    } catch (err) {
      assert.ok(err instanceof RangeError, String(err));
    }
  }
});
