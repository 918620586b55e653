// Model-checked hostile sequences: a seeded generator of IMAP commands (valid ones, and invalid
// ones: junk, wrong state, bad syntax, NULs, oversize and refused literals, lines over the
// limit) runs against the suite's server over TCP, in every state (not authenticated,
// authenticated, selected, read-only, after LOGOUT), and a small model of the mailboxes
// (messages, flags, UIDs, UIDNEXT, the selected mailbox) predicts every tagged status and checks
// the untagged data: EXISTS counts, EXPUNGE numbers, FETCH sequence numbers, UIDs, flags and
// bodies, SEARCH results, UIDs strictly ascending, never `NO [SERVERBUG]`, never a hang. The
// session limits are modelled too: the 20th rejected command, a line over the limit and LOGOUT
// end the connection, and the next one is served. OUTPOST_FUZZ_SEED replays another sequence;
// OUTPOST_LONG_TESTS=1 runs ten times as many commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IMAP_LIMITS } from '../../src/imap/limits.js';
import { prng } from '../helpers/prng.js';
import { ImapWire, type WireResponse } from './helpers/imap-wire.js';
import { ALICE, startImapOutpost, type ImapOutpost } from './helpers/imap-outpost.js';

const SEED = Number(process.env['OUTPOST_FUZZ_SEED'] ?? 20261207);
const COMMANDS = process.env['OUTPOST_LONG_TESTS'] === '1' ? 5000 : 500;
/** APPENDLIMIT for this server: small, so refused literals are cheap. */
const APPEND_LIMIT = 4096;

type Status = 'OK' | 'NO' | 'BAD';

interface Msg {
  uid: number;
  flags: Set<string>;
  bytes: Buffer;
}

interface Box {
  name: string;
  uidNext: number;
  msgs: Msg[];
  deleted: boolean;
}

interface Model {
  boxes: Map<string, Box>;
  state: 'not-authenticated' | 'authenticated' | 'selected';
  selected: Box | null;
  /** The selected mailbox's name when it was selected (a RENAME does not change it). */
  selectedName: string;
  readOnly: boolean;
  rev2: boolean;
  bad: number;
}

interface Result {
  untagged: WireResponse[];
  tagged: string | null;
  closed: boolean;
}

/** A generated command: its wire parts (lines and literals), what it should answer, what it changes. */
interface Step {
  what: string;
  parts: (string | { data: Buffer; sync: boolean })[];
  /** Statuses the model allows (usually one). */
  expect: readonly Status[];
  /** A rejected command (parser or gate): counts toward the session's limit. */
  rejected?: boolean;
  /** The server answers `* BAD` (no tag could be read). */
  untaggedBad?: boolean;
  /** The connection ends after the answer (LOGOUT, a line over the limit). */
  closes?: boolean;
  /** IDLE: the line sent after `+ idling`. */
  idle?: string;
  /** Checks the untagged responses and updates the model (after the status was checked). */
  apply?: (r: Result, status: Status) => void;
}

const FLAGS = ['\\Seen', '\\Flagged', '\\Deleted', '\\Answered', '\\Draft', '$Fz1', 'fzkw'];
const NAMES = ['Fz1', 'Fz1/Sub', 'Fz2', 'Fz3'];

function message(n: number): Buffer {
  return Buffer.from(
    `Subject: fz ${String(n)}\r\nFrom: fz@example.test\r\n\r\nbody ${String(n)}\r\n`,
    'latin1',
  );
}

function flagSet(text: string): Set<string> {
  return new Set(text.split(' ').filter((f) => f !== ''));
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

function show(flags: ReadonlySet<string>): string {
  return [...flags].sort().join(' ');
}

test('model-checked command sequences: every status, count, UID, flag and body as the model predicts', async (t) => {
  await using imap = await startImapOutpost({ max_message_size: APPEND_LIMIT });
  const random = prng(SEED);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const chance = (p: number): boolean => random() < p;

  // Alice's mailboxes as the store starts them, and a few messages in INBOX.
  await imap.store.ensureMailboxes(ALICE.address);
  const model: Model = {
    boxes: new Map(),
    state: 'not-authenticated',
    selected: null,
    selectedName: '',
    readOnly: false,
    rev2: false,
    bad: 0,
  };
  for (const info of await imap.store.listMailboxes(ALICE.address)) {
    model.boxes.set(info.name, { name: info.name, uidNext: info.uidNext, msgs: [], deleted: false });
  }
  const inbox = model.boxes.get('INBOX');
  assert.ok(inbox);
  let counter = 0;
  for (let i = 0; i < 5; i++) {
    const bytes = message(++counter);
    const uid = await imap.deliver(ALICE.address, bytes.toString('latin1'));
    inbox.msgs.push({ uid, flags: new Set(), bytes });
    inbox.uidNext = uid + 1;
  }

  let wire = await connectAndGreet(imap);
  let connections = 1;
  let tagN = 0;
  const log: string[] = [];
  const counts = new Map<string, number>();

  const sel = (): Box => {
    assert.ok(model.selected);
    return model.selected;
  };

  // ---- sequence sets and checks of untagged data ----

  /** A sequence set (by number or UID) and the messages it names in the model. */
  function sequenceSet(box: Box, uid: boolean): { text: string; msgs: Msg[] } {
    const n = box.msgs.length;
    const maxUid = box.msgs[n - 1]?.uid ?? 0;
    const ref = (i: number): number => (uid ? (box.msgs[i - 1]?.uid ?? maxUid + i) : i);
    const a = 1 + Math.floor(random() * Math.max(1, n + 1));
    const b = 1 + Math.floor(random() * Math.max(1, n + 1));
    const choice = Math.floor(random() * 5);
    let text: string;
    let inSet: (seq: number, u: number) => boolean;
    const key = (seq: number, u: number): number => (uid ? u : seq);
    // `*` is the highest number (or UID) in use: with nothing in the mailbox it names nothing.
    const star = uid ? maxUid : n;
    switch (choice) {
      case 0:
        text = '1:*';
        inSet = (s, u) => star > 0 && key(s, u) >= Math.min(1, star);
        break;
      case 1:
        text = '*';
        inSet = (s, u) => star > 0 && key(s, u) === star;
        break;
      case 2:
        text = `${String(ref(a))}:${String(ref(b))}`;
        inSet = (s, u) => key(s, u) >= Math.min(ref(a), ref(b)) && key(s, u) <= Math.max(ref(a), ref(b));
        break;
      case 3:
        text = `${String(ref(a))},${String(ref(b))}`;
        inSet = (s, u) => key(s, u) === ref(a) || key(s, u) === ref(b);
        break;
      default:
        text = `${String(ref(a))}:*`;
        inSet = (s, u) =>
          star > 0 && key(s, u) >= Math.min(ref(a), star) && key(s, u) <= Math.max(ref(a), star);
    }
    return { text, msgs: box.msgs.filter((m, i) => inSet(i + 1, m.uid)) };
  }

  /** Every `* n FETCH` names a message the model has at n, with its UID and flags. */
  function checkFetches(r: Result, box: Box, what: string): Map<number, string> {
    const seen = new Map<number, string>();
    for (const u of r.untagged) {
      const f = /^\* (\d+) FETCH \((.*)\)$/s.exec(u.text);
      if (f === null) continue;
      const seq = Number(f[1]);
      const m = box.msgs[seq - 1];
      assert.ok(m, `${what}: FETCH for ${String(seq)} of ${String(box.msgs.length)}: ${u.text}`);
      const body = f[2] ?? '';
      const uid = /(?:^| )UID (\d+)/.exec(body);
      if (uid) assert.equal(Number(uid[1]), m.uid, `${what}: ${u.text}`);
      const flags = /(?:^| )FLAGS \(([^)]*)\)/.exec(body);
      if (flags) {
        assert.ok(
          sameSet(flagSet(flags[1] ?? ''), m.flags),
          `${what}: ${u.text}, the model has (${show(m.flags)})`,
        );
      }
      seen.set(m.uid, u.text);
    }
    return seen;
  }

  /** No EXISTS or EXPUNGE the model did not predict (only this session changes the store). */
  function checkQuiet(r: Result, what: string, expunges = false): void {
    if (model.state === 'selected' && sel().deleted) return;
    for (const u of r.untagged) {
      assert.doesNotMatch(
        u.text,
        expunges ? /^\* \d+ RECENT$/ : /^\* \d+ (?:EXPUNGE|RECENT)$/,
        `${what}: ${u.text}`,
      );
      if (model.state === 'selected' && !sel().deleted) {
        const e = /^\* (\d+) EXISTS$/.exec(u.text);
        if (e) assert.equal(Number(e[1]), sel().msgs.length, `${what}: ${u.text}`);
      }
    }
  }

  /** The EXPUNGE numbers the server sends for removing `gone` (each number as it is then). */
  function expungeNumbers(box: Box, gone: ReadonlySet<number>): string[] {
    const out: string[] = [];
    let seq = 0;
    for (const m of box.msgs) {
      seq++;
      if (gone.has(m.uid)) {
        out.push(`* ${String(seq)} EXPUNGE`);
        seq--;
      }
    }
    return out;
  }

  // ---- the generator ----

  function astring(name: string): string {
    return chance(0.5) ? `"${name}"` : name;
  }

  function loginStep(): Step {
    if (chance(0.3)) {
      const ir = Buffer.from(`\0${ALICE.address}\0${ALICE.password}`).toString('base64');
      return {
        what: 'AUTHENTICATE',
        parts: [`AUTHENTICATE PLAIN ${ir}`],
        expect: ['OK'],
        apply: () => {
          model.state = 'authenticated';
        },
      };
    }
    const password = chance(0.3)
      ? { data: Buffer.from(ALICE.password), sync: chance(0.5) }
      : `"${ALICE.password}"`;
    return {
      what: 'LOGIN',
      parts:
        typeof password === 'string'
          ? [`LOGIN ${ALICE.address} ${password}`]
          : [`LOGIN ${ALICE.address} `, password, ''],
      expect: ['OK'],
      apply: () => {
        model.state = 'authenticated';
      },
    };
  }

  function selectStep(): Step {
    const examine = chance(0.25);
    const verb = examine ? 'EXAMINE' : 'SELECT';
    const existing = [...model.boxes.keys()];
    const name = chance(0.85) ? pick(existing) : pick(['Nope', 'Fz9/x', ...NAMES]);
    const box = model.boxes.get(name);
    const wasSelected = model.state === 'selected';
    return {
      what: `${verb} ${name}`,
      parts: [`${verb} ${astring(name)}`],
      expect: [box ? 'OK' : 'NO'],
      apply: (r) => {
        if (wasSelected) {
          assert.match(r.untagged[0]?.text ?? '', /^\* OK \[CLOSED\]/, 'a SELECT while selected says CLOSED');
        }
        if (!box) {
          model.state = 'authenticated';
          model.selected = null;
          return;
        }
        const exists = r.untagged.find((u) => /^\* \d+ EXISTS$/.test(u.text));
        assert.equal(exists?.text, `* ${String(box.msgs.length)} EXISTS`);
        const next = r.untagged.find((u) => u.text.includes('[UIDNEXT '));
        assert.match(next?.text ?? '', new RegExp(`\\[UIDNEXT ${String(box.uidNext)}\\]`));
        model.state = 'selected';
        model.selected = box;
        model.selectedName = name;
        model.readOnly = examine;
      },
    };
  }

  function fetchStep(uid: boolean): Step {
    const box = sel();
    const set = sequenceSet(box, uid);
    const items = [
      ...new Set(
        Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
          pick([
            'FLAGS',
            'UID',
            'RFC822.SIZE',
            'INTERNALDATE',
            'ENVELOPE',
            'BODYSTRUCTURE',
            'BODY.PEEK[HEADER]',
            'BODY.PEEK[]',
            'BODY[]',
            'BODY[TEXT]',
            'RFC822',
          ]),
        ),
      ),
    ];
    const verb = uid ? 'UID FETCH' : 'FETCH';
    return {
      what: `${verb} ${set.text} (${items.join(' ')})`,
      parts: [
        `${verb} ${set.text} ${items.length === 1 && chance(0.5) ? (items[0] ?? '') : `(${items.join(' ')})`}`,
      ],
      expect: box.deleted ? ['NO'] : ['OK'],
      apply: (r) => {
        if (box.deleted) return;
        const setsSeen =
          !model.readOnly && items.some((i) => i === 'BODY[]' || i === 'BODY[TEXT]' || i === 'RFC822');
        if (setsSeen) for (const m of set.msgs) m.flags.add('\\Seen');
        const seen = checkFetches(r, box, verb);
        assert.deepEqual(
          [...seen.keys()],
          set.msgs.map((m) => m.uid),
          `${verb} ${set.text}: the messages answered`,
        );
        for (const m of set.msgs) {
          const text = seen.get(m.uid) ?? '';
          const u = r.untagged.find((x) => x.text === text);
          assert.ok(u);
          if (items.includes('RFC822.SIZE'))
            assert.match(text, new RegExp(`RFC822\\.SIZE ${String(m.bytes.length)}\\b`));
          if (items.some((i) => i === 'BODY[]' || i === 'BODY.PEEK[]' || i === 'RFC822')) {
            assert.ok(
              u.literals.some((l) => l.equals(m.bytes)),
              `${verb}: the body of UID ${String(m.uid)} as appended`,
            );
          }
          if (uid) assert.match(text, /(?:\(| )UID \d+/);
        }
        checkQuiet(r, verb);
      },
    };
  }

  function storeStep(uid: boolean): Step {
    const box = sel();
    const set = sequenceSet(box, uid);
    const op = pick(['+FLAGS', '-FLAGS', 'FLAGS', '+FLAGS.SILENT', '-FLAGS.SILENT']);
    const flags = [...new Set(Array.from({ length: Math.floor(random() * 3) }, () => pick(FLAGS)))];
    const verb = uid ? 'UID STORE' : 'STORE';
    const readOnly = model.readOnly;
    return {
      what: `${verb} ${set.text} ${op} (${flags.join(' ')})`,
      parts: [`${verb} ${set.text} ${op} (${flags.join(' ')})`],
      expect: readOnly || box.deleted ? ['NO'] : ['OK'],
      apply: (r) => {
        if (readOnly || box.deleted) return;
        for (const m of set.msgs) {
          if (op.startsWith('+')) for (const f of flags) m.flags.add(f);
          else if (op.startsWith('-')) for (const f of flags) m.flags.delete(f);
          else m.flags = new Set(flags);
        }
        checkFetches(r, box, verb);
        if (op.endsWith('.SILENT')) {
          assert.ok(!r.untagged.some((u) => / FETCH /.test(u.text)), `${verb} .SILENT answered FETCH`);
        }
        checkQuiet(r, verb);
      },
    };
  }

  function searchStep(uid: boolean): Step {
    const box = sel();
    const key = pick([
      'ALL',
      'FLAGGED',
      'DELETED',
      'UNSEEN',
      'KEYWORD $Fz1',
      'NOT SEEN',
      'OR FLAGGED DELETED',
    ]);
    const test: (m: Msg) => boolean = {
      ALL: () => true,
      FLAGGED: (m: Msg) => m.flags.has('\\Flagged'),
      DELETED: (m: Msg) => m.flags.has('\\Deleted'),
      UNSEEN: (m: Msg) => !m.flags.has('\\Seen'),
      'KEYWORD $Fz1': (m: Msg) => m.flags.has('$Fz1'),
      'NOT SEEN': (m: Msg) => !m.flags.has('\\Seen'),
      'OR FLAGGED DELETED': (m: Msg) => m.flags.has('\\Flagged') || m.flags.has('\\Deleted'),
    }[key] as (m: Msg) => boolean;
    const verb = uid ? 'UID SEARCH' : 'SEARCH';
    return {
      what: `${verb} ${key}`,
      parts: [`${verb} ${key}`],
      expect: box.deleted ? ['NO'] : ['OK'],
      apply: (r) => {
        if (box.deleted) return;
        const line = r.untagged.find((u) => u.text.startsWith('* SEARCH'));
        const want = box.msgs.flatMap((m, i) => (test(m) ? [uid ? m.uid : i + 1] : []));
        assert.equal(line?.text, `* SEARCH${want.map((n) => ` ${String(n)}`).join('')}`, `${verb} ${key}`);
        checkQuiet(r, verb);
      },
    };
  }

  function expungeStep(): Step {
    const box = sel();
    const uidForm = chance(0.3);
    const set = uidForm ? sequenceSet(box, true) : null;
    const readOnly = model.readOnly;
    return {
      what: uidForm ? `UID EXPUNGE ${set?.text ?? ''}` : 'EXPUNGE',
      parts: [uidForm ? `UID EXPUNGE ${set?.text ?? ''}` : 'EXPUNGE'],
      expect: readOnly || box.deleted ? ['NO'] : ['OK'],
      apply: (r) => {
        if (readOnly || box.deleted) return;
        const inSet = set ? new Set(set.msgs.map((m) => m.uid)) : null;
        const gone = new Set(
          box.msgs
            .filter((m) => m.flags.has('\\Deleted') && (inSet === null || inSet.has(m.uid)))
            .map((m) => m.uid),
        );
        assert.deepEqual(
          r.untagged.map((u) => u.text).filter((t) => t.endsWith(' EXPUNGE')),
          expungeNumbers(box, gone),
        );
        box.msgs = box.msgs.filter((m) => !gone.has(m.uid));
      },
    };
  }

  function copyStep(): Step {
    const box = sel();
    const uid = chance(0.5);
    const move = chance(0.4);
    const set = sequenceSet(box, uid);
    const names = [...model.boxes.keys()];
    const destName = chance(0.9) ? pick(names) : 'Nope';
    const dest = model.boxes.get(destName);
    const verb = `${uid ? 'UID ' : ''}${move ? 'MOVE' : 'COPY'}`;
    const readOnly = model.readOnly;
    return {
      what: `${verb} ${set.text} ${destName}`,
      parts: [`${verb} ${set.text} ${astring(destName)}`],
      expect: box.deleted || (move && readOnly) || !dest ? ['NO'] : ['OK'],
      apply: (r) => {
        if ((move && readOnly) || !dest || box.deleted) return;
        const copies = set.msgs.map((m) => ({
          uid: dest.uidNext++,
          flags: new Set(m.flags),
          bytes: m.bytes,
        }));
        if (move) {
          const gone = new Set(set.msgs.map((m) => m.uid));
          assert.deepEqual(
            r.untagged.map((u) => u.text).filter((t) => t.endsWith(' EXPUNGE')),
            expungeNumbers(box, gone),
          );
          box.msgs = box.msgs.filter((m) => !gone.has(m.uid));
        }
        dest.msgs.push(...copies);
        checkQuiet(r, verb, move);
      },
    };
  }

  function appendStep(): Step {
    const names = [...model.boxes.keys()];
    const name = chance(0.9) ? pick(names) : 'Nope';
    const box = model.boxes.get(name);
    const flags = [...new Set(Array.from({ length: Math.floor(random() * 3) }, () => pick(FLAGS)))];
    const tooBig = chance(0.05);
    const bytes = tooBig ? Buffer.alloc(APPEND_LIMIT + 1, 0x61) : message(++counter);
    const sync = chance(0.5);
    if (tooBig && sync) {
      // Refused before the client sends it (no `+`): the parser's NO [TOOBIG], a rejected command.
      return {
        what: `APPEND ${name} over APPENDLIMIT (sync)`,
        parts: [`APPEND ${astring(name)} `, { data: bytes, sync: true }, ''],
        expect: ['NO'],
        rejected: true,
      };
    }
    return {
      what: `APPEND ${name} (${flags.join(' ')})${tooBig ? ' over APPENDLIMIT (LITERAL+)' : ''}`,
      parts: [`APPEND ${astring(name)} (${flags.join(' ')}) `, { data: bytes, sync }, ''],
      expect: tooBig ? ['BAD'] : box ? ['OK'] : ['NO'],
      rejected: tooBig,
      apply: (r, status) => {
        if (status !== 'OK' || !box) return;
        box.msgs.push({ uid: box.uidNext++, flags: new Set(flags), bytes });
        checkQuiet(r, 'APPEND');
      },
    };
  }

  function mailboxStep(): Step {
    const name = pick(NAMES);
    const exists = model.boxes.has(name);
    switch (Math.floor(random() * 4)) {
      case 0:
        return {
          what: `CREATE ${name}`,
          parts: [`CREATE ${astring(name)}`],
          expect: [exists ? 'NO' : 'OK'],
          apply: (_r, status) => {
            if (status !== 'OK') return;
            for (const level of [name.split('/')[0] ?? name, name]) {
              if (!model.boxes.has(level))
                model.boxes.set(level, { name: level, uidNext: 1, msgs: [], deleted: false });
            }
          },
        };
      case 1:
        return {
          what: `DELETE ${name}`,
          parts: [`DELETE ${astring(name)}`],
          expect: [exists ? 'OK' : 'NO'],
          apply: (_r, status) => {
            const box = model.boxes.get(name);
            if (status !== 'OK' || !box) return;
            model.boxes.delete(name);
            if (model.selected === box && model.selectedName === name) {
              // Deleting the selected mailbox by the name it was selected by leaves it.
              model.state = 'authenticated';
              model.selected = null;
            } else {
              // Renamed, then deleted: the session learns it is gone (SelectedMailbox.gone).
              box.deleted = true;
            }
          },
        };
      case 2: {
        const to = name === 'Fz2' ? 'Fz3' : 'Fz2';
        const from = name === 'Fz2' ? 'Fz2' : 'Fz3';
        const ok = model.boxes.has(from) && !model.boxes.has(to);
        return {
          what: `RENAME ${from} ${to}`,
          parts: [`RENAME ${astring(from)} ${astring(to)}`],
          expect: [ok ? 'OK' : 'NO'],
          apply: (_r, status) => {
            const box = model.boxes.get(from);
            if (status !== 'OK' || !box) return;
            model.boxes.delete(from);
            box.name = to;
            model.boxes.set(to, box);
          },
        };
      }
      default: {
        const target = pick([...model.boxes.keys()]);
        const box = model.boxes.get(target);
        return {
          what: `STATUS ${target}`,
          parts: [`STATUS ${astring(target)} (MESSAGES UIDNEXT UNSEEN)`],
          expect: ['OK'],
          apply: (r) => {
            assert.ok(box);
            const unseen = box.msgs.filter((m) => !m.flags.has('\\Seen')).length;
            const line = r.untagged.find((u) => u.text.startsWith('* STATUS '))?.text ?? '';
            assert.match(
              line,
              new RegExp(
                `\\(MESSAGES ${String(box.msgs.length)} UIDNEXT ${String(box.uidNext)} UNSEEN ${String(unseen)}\\)$`,
              ),
              `STATUS ${target}`,
            );
          },
        };
      }
    }
  }

  /** Commands that are wrong whatever the state, and commands in a state that refuses them. */
  function invalidStep(): Step {
    const options: Step[] = [
      {
        what: 'junk verb',
        parts: [pick(['FROBNICATE', 'X-FZ 1 2', 'SELEKT INBOX', 'FETCHFLAGS'])],
        expect: ['BAD'],
        rejected: true,
      },
      {
        what: 'NUL in a line',
        parts: [pick(['NOOP\0', 'SELECT IN\0BOX', 'LOGIN a\0 b', 'FETCH 1 (FLAGS\0)'])],
        expect: ['BAD'],
        rejected: true,
      },
      {
        what: 'trailing junk',
        parts: [pick(['NOOP )(', 'CAPABILITY x', 'LOGOUT now', 'CHECK ('])],
        expect: ['BAD'],
        rejected: true,
      },
      {
        what: 'unbalanced',
        parts: [pick(['FETCH 1 (FLAGS', 'SEARCH (ALL', 'STORE 1 +FLAGS (\\Seen', 'LIST "" "*'])],
        expect: ['BAD'],
        rejected: true,
      },
      {
        what: 'bad set',
        parts: [
          pick([
            'FETCH 0 FLAGS',
            'FETCH 1: FLAGS',
            'FETCH *:x FLAGS',
            'UID FETCH -1 UID',
            'STORE , FLAGS ()',
          ]),
        ],
        expect: ['BAD'],
        rejected: true,
      },
      {
        what: 'bad literal',
        parts: [pick(['LOGIN {abc}', 'LOGIN {5', 'SELECT {-1}', 'SELECT {99999999999999999999}'])],
        expect: ['BAD'],
        rejected: true,
      },

      {
        what: 'missing arguments',
        parts: [pick(['LOGIN', 'SELECT', 'FETCH', 'FETCH 1', 'STORE 1 FLAGS', 'COPY 1', 'APPEND'])],
        expect: ['BAD'],
        rejected: true,
      },
      {
        what: 'oversize non-synchronising literal',
        parts: ['LOGIN ', { data: Buffer.alloc(IMAP_LIMITS.maxLiteralOctets + 1, 0x78), sync: false }, ' x'],
        expect: ['BAD'],
        rejected: true,
      },
      {
        what: 'oversize synchronising literal',
        parts: [
          'SEARCH TEXT ',
          { data: Buffer.alloc(IMAP_LIMITS.maxLiteralOctets + 1, 0x78), sync: true },
          '',
        ],
        expect: ['NO'],
        rejected: true,
      },
      { what: 'no tag', parts: [], expect: ['BAD'], rejected: true, untaggedBad: true },
    ];
    // Names are modified UTF-7 until ENABLE IMAP4rev2 (then UTF-8, where these are just names).
    if (!model.rev2) {
      options.push({
        what: 'invalid modified UTF-7',
        parts: [pick(['CREATE "&Jjo"', 'SELECT &AGE-', 'STATUS "&-&" (MESSAGES)', 'CREATE "a&ZeVnLIqe"'])],
        expect: ['BAD'],
        rejected: true,
      });
    }
    // Valid commands in the wrong state.
    if (model.state === 'not-authenticated') {
      options.push({ what: 'SELECT before login', parts: ['SELECT INBOX'], expect: ['BAD'], rejected: true });
      options.push({ what: 'IDLE before login', parts: ['IDLE'], expect: ['BAD'], rejected: true });
    } else {
      options.push({
        what: 'LOGIN again',
        parts: [`LOGIN ${ALICE.address} "${ALICE.password}"`],
        expect: ['BAD'],
        rejected: true,
      });
    }
    if (model.state !== 'selected') {
      options.push({ what: 'FETCH unselected', parts: ['FETCH 1 FLAGS'], expect: ['BAD'], rejected: true });
      options.push({ what: 'EXPUNGE unselected', parts: ['EXPUNGE'], expect: ['BAD'], rejected: true });
    } else {
      options.push({
        what: 'ENABLE while selected',
        parts: ['ENABLE IMAP4rev2'],
        expect: ['BAD'],
        rejected: true,
      });
    }
    return pick(options);
  }

  function next(): Step {
    const r = random();
    if (r < 0.18) return invalidStep();
    if (r < 0.2) {
      return {
        what: 'LOGOUT',
        parts: ['LOGOUT'],
        expect: ['OK'],
        closes: true,
        apply: (res) => {
          assert.equal(res.untagged[0]?.text, '* BYE Logging out');
        },
      };
    }
    if (r < 0.21) {
      return {
        what: 'line over the limit',
        parts: [`NOOP ${'x'.repeat(IMAP_LIMITS.maxLineOctets)}`],
        expect: ['BAD'],
        untaggedBad: true,
        closes: true,
      };
    }
    if (r < 0.26) {
      return {
        what: 'NOOP',
        parts: [
          pick(
            ['NOOP', 'noop', 'CAPABILITY', 'ID NIL', 'CHECK'].slice(0, model.state === 'selected' ? 5 : 4),
          ),
        ],
        expect: ['OK'],
        apply: (res) => {
          checkQuiet(res, 'NOOP');
        },
      };
    }
    if (model.state === 'not-authenticated') return loginStep();
    if (r < 0.3) {
      return {
        what: 'IDLE',
        parts: ['IDLE'],
        idle: chance(0.8) ? 'DONE' : 'NOT DONE',
        expect: ['OK'],
        apply: (res) => {
          checkQuiet(res, 'IDLE');
        },
      };
    }
    if (r < 0.32 && model.state === 'authenticated' && !model.rev2) {
      return {
        what: 'ENABLE IMAP4rev2',
        parts: ['ENABLE IMAP4rev2'],
        expect: ['OK'],
        apply: () => {
          model.rev2 = true;
        },
      };
    }
    if (r < 0.34) {
      return {
        what: 'UNAUTHENTICATE',
        parts: ['UNAUTHENTICATE'],
        expect: ['OK'],
        apply: () => {
          model.state = 'not-authenticated';
          model.selected = null;
          model.rev2 = false;
        },
      };
    }
    if (r < 0.44 || (model.state === 'authenticated' && r < 0.7)) return selectStep();
    if (r < 0.52) return appendStep();
    if (r < 0.58) return mailboxStep();
    if (model.state !== 'selected') return selectStep();
    if (r < 0.68) return fetchStep(chance(0.5));
    if (r < 0.78) return storeStep(chance(0.5));
    if (r < 0.83) return searchStep(chance(0.5));
    if (r < 0.88) return expungeStep();
    if (r < 0.94) return copyStep();
    const close = chance(0.5);
    return {
      what: close ? 'CLOSE' : 'UNSELECT',
      parts: [close ? 'CLOSE' : 'UNSELECT'],
      expect: ['OK'],
      apply: (res) => {
        checkQuiet(res, 'CLOSE');
        const box = sel();
        if (close && !model.readOnly && !box.deleted)
          box.msgs = box.msgs.filter((m) => !m.flags.has('\\Deleted'));
        model.state = 'authenticated';
        model.selected = null;
      },
    };
  }

  // ---- running a step ----

  async function run(step: Step, tag: string): Promise<Result> {
    const r: Result = { untagged: [], tagged: null, closed: false };
    // A line without a valid tag is answered `* BAD`; anything else starts with the tag.
    let pending =
      step.untaggedBad && step.parts.length === 0
        ? pick(['* NOOP', '+ x', '( NOOP', '\0 NOOP', ') x'])
        : `${tag} `;
    const readUntilDone = async (): Promise<void> => {
      for (;;) {
        const resp = await wire.response(10_000);
        if (resp === null) {
          r.closed = true;
          return;
        }
        if (resp.text.startsWith(`${tag} `)) {
          r.tagged = resp.text;
          return;
        }
        r.untagged.push(resp);
        if (step.untaggedBad && /^\* BAD /.test(resp.text)) return;
      }
    };
    for (const part of step.parts) {
      if (typeof part === 'string') {
        pending += part;
        continue;
      }
      wire.send(`${pending}{${String(part.data.length)}${part.sync ? '' : '+'}}\r\n`);
      pending = '';
      if (part.sync) {
        const resp = await wire.response(10_000);
        if (resp === null) {
          r.closed = true;
          return r;
        }
        if (!resp.text.startsWith('+')) {
          // Refused before the literal was sent.
          if (resp.text.startsWith(`${tag} `)) r.tagged = resp.text;
          else r.untagged.push(resp);
          return r;
        }
      }
      wire.send(part.data);
    }
    wire.send(`${pending}\r\n`);
    if (step.idle !== undefined && model.state !== 'not-authenticated') {
      const cont = await wire.response(10_000);
      assert.equal(cont?.text, '+ idling', `IDLE: ${JSON.stringify(cont)}`);
      wire.send(`${step.idle}\r\n`);
    }
    await readUntilDone();
    return r;
  }

  for (let i = 0; i < COMMANDS; i++) {
    const step = next();
    counts.set(step.what.split(' ')[0] ?? '', (counts.get(step.what.split(' ')[0] ?? '') ?? 0) + 1);
    const tag = `F${String(++tagN)}`;
    const stateBefore = model.state;
    log.push(
      `${tag} [${stateBefore}${model.readOnly && stateBefore === 'selected' ? ' ro' : ''}] ${step.what}`,
    );
    if (log.length > 30) log.shift();
    const context = (): string => `seed ${String(SEED)}, step ${String(i)}:\n${log.join('\n')}`;
    let r: Result;
    try {
      r = await run(step, tag);
    } catch (err) {
      throw new Error(`${context()}\n${String(err)}`, { cause: err });
    }
    const all = [...r.untagged.map((u) => u.text), r.tagged ?? ''];
    assert.ok(!all.some((l) => l.includes('[SERVERBUG]')), `SERVERBUG: ${all.join(' | ')}\n${context()}`);
    let status: Status;
    if (step.untaggedBad) {
      const bad = r.untagged.find((u) => /^\* BAD /.test(u.text));
      assert.ok(bad, `expected * BAD: ${all.join(' | ')}\n${context()}`);
      status = 'BAD';
    } else {
      const m = /^\S+ (OK|NO|BAD)\b/.exec(r.tagged ?? '');
      assert.ok(m, `no tagged answer (closed: ${String(r.closed)}): ${all.join(' | ')}\n${context()}`);
      status = m[1] as Status;
    }
    if (step.idle === 'NOT DONE' && stateBefore !== 'not-authenticated') {
      // IDLE ended by anything but DONE: the handler's BAD (not a rejected command).
      assert.equal(status, 'BAD', context());
    } else {
      assert.ok(
        step.expect.includes(status),
        `${step.what}: expected ${step.expect.join('/')}, got ${all.join(' | ')}\n${context()}`,
      );
      try {
        if (status !== 'BAD') step.apply?.(r, status);
      } catch (err) {
        throw new Error(`${String(err)}\n${all.join('\n')}\n${context()}`, { cause: err });
      }
    }
    if (model.state === 'selected' && sel().deleted) {
      // A mailbox that is gone: every message the client knew is reported expunged, at once.
      const expunged = r.untagged.filter((u) => /^\* \d+ EXPUNGE$/.test(u.text)).map((u) => u.text);
      if (expunged.length > 0) {
        assert.deepEqual(
          expunged,
          sel().msgs.map(() => '* 1 EXPUNGE'),
          context(),
        );
        sel().msgs = [];
      }
    }
    if (step.rejected) model.bad++;
    const ends = step.closes === true || model.bad >= IMAP_LIMITS.maxBadCommands;
    if (ends) {
      if (!step.closes) {
        const bye = r.closed ? null : await wire.response(5000);
        assert.match(
          bye?.text ?? '',
          /^\* BYE /,
          `BYE after ${String(model.bad)} rejected commands\n${context()}`,
        );
      }
      assert.ok(await wire.closedWithin(5000), `the server closes after ${step.what}\n${context()}`);
      // After LOGOUT nothing more is read: a command pipelined behind it is never answered.
      wire.destroy();
      wire = await connectAndGreet(imap);
      connections++;
      model.state = 'not-authenticated';
      model.selected = null;
      model.rev2 = false;
      model.bad = 0;
    } else {
      assert.ok(!r.closed, `the server closed after ${step.what}\n${context()}`);
    }
  }
  wire.destroy();

  // The store agrees with the model at the end.
  for (const [name, box] of model.boxes) {
    const info = await imap.store.getMailbox(ALICE.address, name);
    assert.ok(info, name);
    const msgs = await imap.store.listMessages(info.id);
    assert.deepEqual(
      msgs.map((m) => `${String(m.uid)} (${show(new Set(m.flags))})`),
      box.msgs.map((m) => `${String(m.uid)} (${show(m.flags)})`),
      name,
    );
  }
  t.diagnostic(`${String(COMMANDS)} commands over ${String(connections)} connections, seed ${String(SEED)}`);
  t.diagnostic(JSON.stringify(Object.fromEntries([...counts].sort())));
});

async function connectAndGreet(imap: ImapOutpost): Promise<ImapWire> {
  const wire = await ImapWire.connect(imap.port);
  const greeting = await wire.response();
  assert.match(greeting?.text ?? '', /^\* OK /);
  return wire;
}
