// Hostile input, generated: seeded random command lines against a real POP3 server over TCP,
// ~1,500 in the AUTHORIZATION state and ~1,500 in TRANSACTION (logged in as alice). Verbs come
// from the session's command table (STLS and QUIT left out) plus junk verbs and case variants;
// arguments are message numbers (0, -1, huge, deleted, out of range), odd TOP line counts,
// APOP digests, SASL mechanisms with garbage base64, lines over RFC 2449's 255 octets and over the
// server's own limit, NUL and bare CR/LF. Every reply is read by the rules of RFC 1939 §3
// (status line, multi-line bodies to the `.` line, dot-stuffing undone) and checked against a
// model of the maildrop; the server must stay up (hang-ups are counted and reconnected).
// Afterwards nothing is deleted, every message still comes back byte for byte, and an explicit
// DELE+QUIT removes exactly the chosen messages. OUTPOST_FUZZ_SEED replays another sequence.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS } from '../../src/pop3/commands/table.js';
import { RawClient } from '../helpers/line-client.js';
import { prng } from '../helpers/prng.js';
import { expectOutputBackpressure } from '../helpers/unread-pipeline.js';
import { ALICE, BOB, startPop3Outpost, testMessage, type Pop3Outpost } from './helpers/pop3-outpost.js';

const SEED = Number(process.env['OUTPOST_FUZZ_SEED'] ?? 20261121);
/** The server's line limit (src/pop3/limits.ts), CRLF included. */
const MAX_LINE = 2048;
const CLOSING = '-ERR Too many bad commands; closing';

const crlf = (lines: readonly string[]): Buffer =>
  Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'latin1');

/** The maildrop: CRLF messages chosen to stress dot-stuffing, TOP and the read-ahead limit. */
const MESSAGES: readonly Buffer[] = [
  Buffer.from(testMessage(1).replace(/\n/g, '\r\n')),
  crlf(['Subject: dots', '', '.', '..', '...', '. .', '.\t', 'end', '.']),
  Buffer.from('Subject: no final line end\r\n\r\nlast line has no CRLF', 'latin1'),
  Buffer.concat([
    Buffer.from('Subject: 8-bit\r\nContent-Type: application/octet-stream\r\n\r\n', 'latin1'),
    Buffer.from([0x00, 0x80, 0xff, 0x2e, 0x0d, 0x41, 0x0a, 0x42, 0x0d, 0x0a, 0x2e, 0x0d, 0x0a, 0xfe]),
    Buffer.from('\r\n', 'latin1'),
  ]),
  crlf(['X-Only: a header', 'X-No-Body: and no blank line']),
  crlf(['.X-Starts-With-Dot: yes', 'Subject: dot first', '', 'body']),
  // Over the read-ahead cap (256 KiB): RETR reads it directly, not from the prefetch.
  crlf([
    'Subject: big',
    '',
    ...Array.from({ length: 1100 }, (_, i) => (i % 3 === 0 ? '.' : '') + String(i).padEnd(280, 'x')),
  ]),
  crlf(['Subject: short', '', '.']),
];

/** Pieces arguments are made of. */
const NUMBERS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '-1', '+1', '01', '007', '1.5'];
const PIECES = [
  ...NUMBERS,
  '',
  ' ',
  '\t',
  '4294967296',
  '2147483647',
  '2147483648',
  '99999999999999999999',
  '1'.repeat(40),
  '1'.repeat(41),
  '0x1',
  '1x',
  'one',
  'é✓',
  '\u0000',
  '\r',
  '\n',
  '\r\n',
  '\u001b[31m',
  '\u007f',
  'x'.repeat(300),
  'A'.repeat(MAX_LINE + 100),
  '*',
  '=',
  'PLAIN',
  'plain',
  'LOGIN',
  'CRAM-MD5',
  'XOAUTH2',
  'AAAA',
  '!!!!',
  'AGJvYkBleGFtcGxlLnRlc3QA', // "\0bob@example.test\0" (empty password)
  Buffer.from('\0bob@example.test\0wrong').toString('base64'),
  Buffer.from('admin\0bob@example.test\0battery staple').toString('base64'),
  Buffer.from('\0\0').toString('base64'),
  Buffer.from('no nuls at all').toString('base64'),
  'QUJD=ZGVm',
  'YWJj\u0000',
  '='.repeat(50),
  'c4ca4238a0b923820dcc509a6f75849', // APOP digests: 31, 32, 33, 64 hex digits
  'c4ca4238a0b923820dcc509a6f75849b',
  'c4ca4238a0b923820dcc509a6f75849bb',
  'c4ca4238a0b923820dcc509a6f75849bc4ca4238a0b923820dcc509a6f75849b',
  ALICE.address,
  BOB.address,
  'nobody@example.test',
  'alice',
  '<1896.697170952@dbc.mtview.ca.us>',
];
/** SASL continuation lines (after `+ `). */
const SASL = [
  '',
  '*',
  '=',
  'AAAA',
  '!!!!',
  Buffer.from('\0bob@example.test\0nope').toString('base64'),
  Buffer.from('\0nobody@example.test\0x').toString('base64'),
  Buffer.from('bob@example.test').toString('base64'),
  'A'.repeat(MAX_LINE + 10),
  '\u0000',
];
/** SASL challenges: PLAIN's empty one, LOGIN's "Username:" and "Password:". */
const CHALLENGE = /^\+ (?:VXNlcm5hbWU6|UGFzc3dvcmQ6)?$/;

/** True when `status` is a challenge that may follow `command` (null: a line answering one). */
function expectedChallenge(command: string | null, status: string): boolean {
  if (command === null) return status === '+ UGFzc3dvcmQ6';
  if (status === '+ ') return /^auth plain[ \t]*$/i.test(command);
  if (status === '+ VXNlcm5hbWU6') return /^auth login[ \t]*$/i.test(command);
  return /^auth login[ \t]+\S/i.test(command);
}

const JUNK_VERBS = ['XYZ', 'APOP', 'XTND', 'LAST', 'RPOP', 'retr', 'Top', 'uIdL', 'R3TR', '', '.', 'LIST\t'];

interface Segment {
  /** The line as the server sees it: up to a LF, one CR before it removed. */
  text: string;
  /** Octets including the line end. */
  octets: number;
}

/** One wire line may hold several server lines: a bare LF ends a line too (LineBuffer). */
function segments(line: string): Segment[] {
  const wire = Buffer.from(`${line}\r\n`, 'utf8');
  const out: Segment[] = [];
  let start = 0;
  for (let lf = wire.indexOf(0x0a); lf !== -1; lf = wire.indexOf(0x0a, start)) {
    const end = lf > start && wire[lf - 1] === 0x0d ? lf - 1 : lf;
    out.push({ text: wire.subarray(start, end).toString('utf8'), octets: lf + 1 - start });
    start = lf + 1;
  }
  return out;
}

const STATUS = /^(?:\+OK|-ERR)(?: |$)/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/** RFC 1939 §3 as the server reads it: blanks at the end of the arguments do not count. */
function normalized(text: string): string {
  const space = text.indexOf(' ');
  if (space === -1) return text;
  const rest = text.slice(space + 1).replace(/[ \t]+$/, '');
  return rest === '' ? text.slice(0, space) : `${text.slice(0, space)} ${rest}`;
}

/** True when a +OK reply to `text` is followed by a multi-line body (RFC 1939, RFC 2449 §5). */
function isMultiLine(text: string): boolean {
  const verb = /^[A-Za-z]*/.exec(text)?.[0].toUpperCase() ?? '';
  if (verb === 'CAPA' || verb === 'RETR' || verb === 'TOP') return true;
  const noArgs = /^(?: [ \t]*)?$/.test(text.slice(verb.length));
  return noArgs && (verb === 'LIST' || verb === 'UIDL' || verb === 'AUTH');
}

/** A client that reads POP3 replies the way RFC 1939 §3 says. */
class Pop3Wire {
  readonly raw: RawClient;

  constructor(raw: RawClient) {
    this.raw = raw;
  }

  static async open(port: number): Promise<Pop3Wire> {
    const c = new Pop3Wire(await RawClient.connect(port));
    const greeting = await c.raw.line();
    assert.match(greeting ?? '', /^\+OK /, 'greeting');
    return c;
  }

  send(line: string): void {
    this.raw.send(Buffer.from(`${line}\r\n`, 'utf8'));
  }

  /** The lines of a multi-line body up to the `.` line, dot-stuffing undone, as bytes. */
  async body(): Promise<Buffer | null> {
    const lines: string[] = [];
    for (;;) {
      const l = await this.raw.line();
      if (l === null) return null;
      if (l === '.') return crlf(lines);
      lines.push(l.startsWith('.') ? l.slice(1) : l);
    }
  }

  async cmd(line: string): Promise<string | null> {
    this.send(line);
    return this.raw.line();
  }

  /** USER/PASS as alice, retried while a dropped session still holds the maildrop lock. */
  async login(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      assert.equal(await this.cmd(`USER ${ALICE.address}`), '+OK Send your password');
      const reply = (await this.cmd(`PASS ${ALICE.password}`)) ?? 'closed';
      if (reply.startsWith('+OK')) return;
      assert.ok(reply.startsWith('-ERR [IN-USE]') && attempt < 100, `login: ${reply}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  drop(): void {
    this.raw.socket.destroy();
  }
}

/** The next status line; null when the session is over (the server hung up, or said it would). */
async function nextStatus(c: Pop3Wire, where: string): Promise<string | null> {
  const status = await c.raw.line();
  // 20 rejected commands end a session (POP3_LIMITS.maxBadCommands).
  if (status === CLOSING) assert.ok(await c.raw.closed(), `${where}: closed after ${CLOSING}`);
  return status === CLOSING ? null : status;
}

/** Checks a status line's form (RFC 1939 §3); returns the label for assertion messages. */
function checkedStatus(where: string, seg: Segment, status: string): string {
  const at = `${where} [${JSON.stringify(seg.text.slice(0, 60))}] -> ${status}`;
  assert.match(status, STATUS, at);
  return at;
}

/** Checks the refusals every state gives alike; true when `seg` never reached a command. */
function refusedLine(seg: Segment, status: string, at: string): boolean {
  if (seg.octets > MAX_LINE) assert.equal(status, '-ERR Line too long', at);
  else if (CONTROL.test(seg.text)) assert.equal(status, '-ERR Bad characters in command', at);
  else return false;
  return true;
}

/** What a message looks like after RETR: the stored bytes, CRLF-terminated (RFC 1939 §3). */
function onWire(bytes: Buffer): Buffer {
  return bytes.length === 0 || bytes.subarray(-2).equals(Buffer.from('\r\n'))
    ? bytes
    : Buffer.concat([bytes, Buffer.from('\r\n')]);
}

/** RFC 1939 §7 TOP: the header, the blank line, then `lines` lines of the body. */
function expectedTop(bytes: Buffer, lines: number): Buffer {
  const blank = bytes.subarray(0, 2).equals(Buffer.from('\r\n')) ? 0 : bytes.indexOf('\r\n\r\n');
  if (blank === -1) return onWire(bytes);
  let end = blank === 0 ? 2 : blank + 4;
  for (let n = 0; n < lines && end < bytes.length; n++) {
    const lf = bytes.indexOf(0x0a, end);
    end = lf === -1 ? bytes.length : lf + 1;
  }
  return onWire(bytes.subarray(0, end));
}

/** Arguments each TRANSACTION command takes (RFC 1939 §5, §7). */
const ARITY: Record<string, [number, number]> = {
  STAT: [0, 0],
  LIST: [0, 1],
  UIDL: [0, 1],
  RETR: [1, 1],
  DELE: [1, 1],
  TOP: [2, 2],
  RSET: [0, 0],
  NOOP: [0, 0],
  CAPA: [0, 0],
};

let pop: Pop3Outpost;
/** Stored bytes and UIDLs of messages 1..n, as the store holds them before any fuzzing. */
let stored: Buffer[] = [];
let uidls: string[] = [];

async function readBack(c: Pop3Wire): Promise<{ uidl: string[]; bytes: Buffer[] }> {
  assert.match((await c.cmd('UIDL')) ?? '', /^\+OK/);
  const uidl = (await c.body())?.toString('latin1').split('\r\n').filter(Boolean) ?? [];
  const bytes: Buffer[] = [];
  for (let n = 1; n <= uidl.length; n++) {
    assert.match((await c.cmd(`RETR ${String(n)}`)) ?? '', /^\+OK/);
    const body = await c.body();
    assert.ok(body, `RETR ${String(n)} body`);
    bytes.push(body);
  }
  return { uidl, bytes };
}

before(async () => {
  pop = await startPop3Outpost();
  for (const m of MESSAGES) {
    await pop.store.accept({ receivedAt: new Date(), local: [{ user: ALICE.address }], localBytes: m });
  }
  const box = await pop.store.getMailbox(ALICE.address, 'INBOX');
  assert.ok(box);
  stored = [];
  for (const m of await pop.store.listMessages(box.id)) {
    stored.push((await pop.store.readMessage(box.id, m.uid)) ?? Buffer.alloc(0));
  }
  // The store keeps the bytes it was given: the oracle is the input itself.
  assert.deepEqual(stored, MESSAGES);
  const c = await Pop3Wire.open(pop.port);
  await c.login();
  const got = await readBack(c);
  uidls = got.uidl.map((l) => l.replace(/^\d+ /, ''));
  assert.equal(uidls.length, MESSAGES.length);
  assert.deepEqual(got.bytes, stored.map(onWire));
  c.drop();
});

after(async () => {
  await pop.close();
});

test(`TRANSACTION: random command lines, every reply checked against the maildrop (seed ${String(SEED)})`, async (t) => {
  const random = prng(SEED);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const verbs = COMMANDS.map((c) => c.verb).filter((v) => v !== 'STLS' && v !== 'QUIT');
  const sizes = stored.map((b) => b.length);
  let c = await Pop3Wire.open(pop.port);
  await c.login();
  const deleted = new Set<number>();
  const live = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= stored.length && !deleted.has(n);
  let replies = 0;
  let reconnects = 0;
  let drops = 0;
  let retrOk = 0;
  let deleOk = 0;
  const reconnect = async (): Promise<void> => {
    c = await Pop3Wire.open(pop.port);
    await c.login();
    deleted.clear(); // A session that ends without QUIT applies no deletion (RFC 1939 §6).
  };

  for (let i = 0; i < 1500; i++) {
    if (random() < 0.01) {
      // The client vanishes mid-session: its marks must be forgotten.
      c.drop();
      drops++;
      await reconnect();
      continue;
    }
    let line: string;
    if (random() < 0.5) {
      // A plausible command: a TRANSACTION verb with its number of (random) message numbers.
      const [verb, [lo, hi]] = pick(Object.entries(ARITY));
      const n = lo + Math.floor(random() * (hi - lo + 1));
      line = [verb, ...Array.from({ length: n }, () => pick(NUMBERS))].join(' ');
    } else {
      let verb = random() < 0.15 ? pick(JUNK_VERBS) : pick(verbs);
      if (random() < 0.1) verb = verb.toLowerCase();
      const args = Array.from({ length: Math.floor(random() * 3) }, () =>
        random() < 0.4 ? pick(NUMBERS) : pick(PIECES),
      );
      line = args.length === 0 ? verb : `${verb} ${args.join(random() < 0.9 ? ' ' : '  ')}`;
    }
    c.send(line);
    const where = `line ${String(i)}: ${JSON.stringify(line.slice(0, 120))}`;
    let closed = false;
    for (const seg of segments(line)) {
      const status = await nextStatus(c, where);
      if (status === null) {
        closed = true;
        break;
      }
      replies++;
      const at = checkedStatus(where, seg, status);
      const ok = status.startsWith('+OK');
      const body = ok && isMultiLine(seg.text) ? await c.body() : null;
      if (ok && isMultiLine(seg.text)) assert.ok(body, `${at}: multi-line body`);
      if (refusedLine(seg, status, at)) continue;
      // Commands of the RFC's simple form are checked exactly; the rest only for safety.
      const simple = /^([A-Za-z]+)((?: \d{1,40})*)$/.exec(normalized(seg.text));
      const name = (simple?.[1] ?? /^[A-Za-z]*/.exec(seg.text)?.[0] ?? '').toUpperCase();
      const arity = ARITY[name];
      if (ok) assert.ok(arity, `${at}: +OK to a command TRANSACTION does not have`);
      if (!simple || !arity) {
        const mark = /^\+OK Message (\d+) deleted$/.exec(status);
        if (mark) {
          assert.ok(live(Number(mark[1])), at);
          deleted.add(Number(mark[1]));
        }
        if (ok && name === 'RSET') deleted.clear();
        continue;
      }
      const nums = (simple[2] ?? '').split(' ').filter(Boolean);
      if (nums.length < arity[0] || nums.length > arity[1]) {
        assert.ok(!ok, `${at}: wrong number of arguments accepted`);
        continue;
      }
      const n = nums[0] === undefined ? NaN : Number(nums[0]);
      const liveNumbers = stored.map((_, k) => k + 1).filter(live);
      switch (name) {
        case 'STAT': {
          const octets = liveNumbers.reduce((s, k) => s + (sizes[k - 1] ?? 0), 0);
          assert.equal(status, `+OK ${String(liveNumbers.length)} ${String(octets)}`, at);
          break;
        }
        case 'LIST':
        case 'UIDL': {
          const value = (k: number): string =>
            name === 'LIST' ? String(sizes[k - 1]) : (uidls[k - 1] ?? '');
          if (nums.length === 0) {
            assert.ok(ok, at);
            const want = liveNumbers.map((k) => `${String(k)} ${value(k)}`);
            assert.deepEqual(body?.toString('latin1').split('\r\n').filter(Boolean), want, at);
          } else if (live(n)) assert.equal(status, `+OK ${String(n)} ${value(n)}`, at);
          else assert.ok(!ok, at);
          break;
        }
        case 'RETR':
        case 'TOP': {
          if (!live(n)) {
            assert.ok(!ok, at);
            break;
          }
          assert.ok(ok, at);
          const bytes = stored[n - 1] ?? Buffer.alloc(0);
          const want = name === 'RETR' ? onWire(bytes) : expectedTop(bytes, Number(nums[1]));
          assert.ok(body?.equals(want), `${at}: wrong bytes`);
          if (name === 'RETR') retrOk++;
          break;
        }
        case 'DELE':
          assert.equal(ok, live(n), at);
          if (ok) {
            deleted.add(n);
            deleOk++;
          }
          break;
        case 'RSET':
          assert.ok(ok, at);
          deleted.clear();
          break;
        default:
          assert.ok(ok, at);
      }
    }
    if (closed) {
      reconnects++;
      await reconnect();
    }
  }
  c.drop();
  t.diagnostic(
    `${String(replies)} replies, ${String(reconnects)} hang-ups, ${String(drops)} drops, ` +
      `${String(retrOk)} RETR, ${String(deleOk)} DELE`,
  );
  assert.ok(replies > 1200, `${String(replies)} replies, ${String(reconnects)} reconnects`);
  // The fuzz must have exercised the paths it is about.
  assert.ok(
    retrOk > 20 && deleOk > 20 && reconnects > 0 && drops > 0,
    `${String(retrOk)} RETR, ${String(deleOk)} DELE`,
  );

  // Nothing was deleted (no QUIT was sent): same UIDLs, same bytes, on a fresh connection.
  const d = await Pop3Wire.open(pop.port);
  await d.login();
  const after = await readBack(d);
  assert.deepEqual(
    after.uidl,
    uidls.map((u, k) => `${String(k + 1)} ${u}`),
  );
  assert.deepEqual(after.bytes, stored.map(onWire));
  assert.match(
    (await d.cmd('QUIT')) ?? '',
    new RegExp(`^\\+OK .*\\(${String(stored.length)} messages left\\)$`),
  );
});

test(`DELE then QUIT removes exactly the chosen messages (seed ${String(SEED)})`, async () => {
  const random = prng(SEED + 2);
  const chosen = stored.map((_, k) => k + 1).filter(() => random() < 0.4);
  if (chosen.length === 0) chosen.push(2);
  const c = await Pop3Wire.open(pop.port);
  await c.login();
  // Marks made and undone first: RSET forgets them.
  for (let n = 1; n <= stored.length; n++) assert.match((await c.cmd(`DELE ${String(n)}`)) ?? '', /^\+OK/);
  assert.match((await c.cmd('RSET')) ?? '', /^\+OK/);
  for (const n of chosen) {
    assert.equal(await c.cmd(`DELE ${String(n)}`), `+OK Message ${String(n)} deleted`);
    assert.match((await c.cmd(`DELE ${String(n)}`)) ?? '', /^-ERR .*already deleted/);
    assert.match((await c.cmd(`RETR ${String(n)}`)) ?? '', /^-ERR/);
  }
  assert.match((await c.cmd('DELE 0')) ?? '', /^-ERR/);
  assert.match((await c.cmd(`DELE ${String(stored.length + 1)}`)) ?? '', /^-ERR/);
  const left = stored.length - chosen.length;
  assert.match((await c.cmd('QUIT')) ?? '', new RegExp(`^\\+OK .*\\(${String(left)} messages left\\)$`));
  assert.ok(await c.raw.closed());

  const kept = stored.map((_, k) => k + 1).filter((n) => !chosen.includes(n));
  const d = await Pop3Wire.open(pop.port);
  await d.login();
  const now = await readBack(d);
  // Survivors are renumbered 1..left but keep their UIDLs and bytes.
  assert.deepEqual(
    now.uidl,
    kept.map((n, k) => `${String(k + 1)} ${uidls[n - 1] ?? ''}`),
  );
  assert.deepEqual(
    now.bytes,
    kept.map((n) => onWire(stored[n - 1] ?? Buffer.alloc(0))),
  );
  d.drop();
});

test(`AUTHORIZATION: random command lines never log anyone in (seed ${String(SEED)})`, async (t) => {
  // A suite of its own: the failed logins below lock 127.0.0.1 out in the account throttle.
  await using auth = await startPop3Outpost();
  await auth.deliver(BOB.address, testMessage(1));
  const random = prng(SEED + 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const verbs = COMMANDS.map((c) => c.verb).filter((v) => v !== 'STLS' && v !== 'QUIT');
  const authVerbs = new Set(COMMANDS.filter((c) => c.states.includes('authorization')).map((c) => c.verb));
  let c = await Pop3Wire.open(auth.port);
  let replies = 0;
  let reconnects = 0;
  let continuations = 0;
  for (let i = 0; i < 1500; i++) {
    let verb = random() < 0.1 ? pick(JUNK_VERBS) : pick(verbs);
    if (random() < 0.5 && verb !== '') verb = pick(['USER', 'PASS', 'AUTH', 'AUTH', 'APOP']);
    if (random() < 0.1) verb = verb.toLowerCase();
    const args = Array.from({ length: Math.floor(random() * 3) }, () => pick(PIECES));
    const line =
      random() < 0.1
        ? pick(['AUTH PLAIN', 'auth plain', 'AUTH PLAIN ', 'Auth Plain', 'AUTH LOGIN', 'auth login '])
        : args.length === 0
          ? verb
          : `${verb} ${args.join(' ')}`;
    const where = `line ${String(i)}: ${JSON.stringify(line.slice(0, 120))}`;
    const segs = segments(line);
    c.send(line);
    let closed = false;
    let sasl = false;
    for (let k = 0; k < segs.length; k++) {
      const seg = segs[k] as Segment;
      let status = await nextStatus(c, where);
      // AUTH PLAIN or LOGIN without an initial response asks for it (LOGIN then asks for the
      // password too); the next line is the answer.
      let answering = sasl;
      while (status !== null && CHALLENGE.test(status)) {
        continuations++;
        assert.ok(expectedChallenge(answering ? null : seg.text, status), `${where}: continuation ${status}`);
        if (k + 1 < segs.length) {
          sasl = true;
          break;
        }
        c.send(pick(SASL));
        answering = true;
        status = await nextStatus(c, where);
      }
      if (status !== null && CHALLENGE.test(status)) continue;
      if (status === null) {
        closed = true;
        break;
      }
      replies++;
      const at = checkedStatus(where, seg, status);
      // Nobody knows a password here: no command may open a maildrop.
      assert.doesNotMatch(status, /has \d+ messages/, at);
      const ok = status.startsWith('+OK');
      if (sasl) {
        sasl = false;
        assert.ok(!ok, `${at}: SASL response accepted`);
        continue;
      }
      if (ok && isMultiLine(seg.text)) assert.ok(await c.body(), `${at}: multi-line body`);
      if (!refusedLine(seg, status, at) && ok) {
        const name = (/^[A-Za-z]*/.exec(seg.text)?.[0] ?? '').toUpperCase();
        assert.ok(authVerbs.has(name) && name !== 'PASS', `${at}: +OK in AUTHORIZATION`);
      }
    }
    if (closed) {
      reconnects++;
      c = await Pop3Wire.open(auth.port);
    }
  }
  c.drop();
  t.diagnostic(
    `${String(replies)} replies, ${String(reconnects)} hang-ups, ${String(continuations)} SASL prompts`,
  );
  assert.ok(
    replies > 1200 && continuations > 0,
    `${String(replies)} replies, ${String(reconnects)} reconnects`,
  );
  // Still serving: a fresh connection gets CAPA, and bob's mailbox is untouched.
  const d = await Pop3Wire.open(auth.port);
  assert.match((await d.cmd('CAPA')) ?? '', /^\+OK/);
  assert.ok((await d.body())?.toString().includes('SASL PLAIN LOGIN'));
  assert.match((await d.cmd('QUIT')) ?? '', /^\+OK/);
  const box = await auth.store.getMailbox(BOB.address, 'INBOX');
  assert.equal(box?.messages, 1);
});

test('a client that pipelines CAPA without reading the replies stops being read', async () => {
  const f = await startPop3Outpost();
  try {
    await expectOutputBackpressure({
      port: f.port,
      protocol: 'pop3',
      command: 'CAPA',
      count: 400_000,
      replyMarker: '\r\n.\r\n',
    });
  } finally {
    await f.close();
  }
});
