/**
 * The resolver benchmark's client (run pinned to the load core by bench/resolver.ts): asks a
 * resolver every question of a file (`name TYPE RCODE` per line) over UDP with RD and EDNS 1232,
 * keeping `window` questions in flight, each asked once (no retries: a question unanswered after
 * 5 s counts as a timeout). A reply is right when its rcode is the expected one and, for
 * NOERROR, its answer section holds a record of the asked type. Prints one JSON object: the
 * wall time from the first query to the last reply, each question's time in milliseconds (in
 * file order; omitted with --summary), rcodes, wrong replies and timeouts.
 * Usage: node --import tsx bench/resolver/client.ts HOST PORT FILE WINDOW [--summary]
 */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { decodeMessage, encodeMessage, RRType } from '../../src/dns/index.js';

const TIMEOUT_MS = 5000;
const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

const [host, portText, file, windowText, flag] = process.argv.slice(2);
if (host === undefined || portText === undefined || file === undefined || windowText === undefined) {
  throw new Error('usage: client.ts HOST PORT FILE WINDOW [--summary]');
}
const port = Number(portText);
const window = Math.max(1, Number(windowText));
const questions = readFileSync(file, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((line) => {
    const [name = '', type = 'A', rcode = 'NOERROR'] = line.trim().split(/\s+/);
    const code = RRType[type as keyof typeof RRType];
    if (typeof code !== 'number') throw new Error(`unknown type ${type}`);
    return { name, type: code, rcode };
  });

interface Pending {
  readonly index: number;
  readonly sentAt: number;
  readonly timer: NodeJS.Timeout;
}

const latencies = new Array<number>(questions.length).fill(Number.NaN);
const rcodes: Record<string, number> = {};
const wrong: string[] = [];
let wrongCount = 0;
let timeouts = 0;
const pending = new Map<number, Pending>();
let nextQuestion = 0;
let nextId = 1;
let done = 0;
const sock = createSocket('udp4');
const started = performance.now();
let finish: () => void = () => undefined;
const finished = new Promise<void>((resolve) => (finish = resolve));

function query(index: number, id: number): Buffer {
  const q = questions[index];
  if (q === undefined) throw new Error(`no question ${String(index)}`);
  return encodeMessage({
    header: {
      id,
      qr: false,
      opcode: 0,
      aa: false,
      tc: false,
      rd: true,
      ra: false,
      z: false,
      ad: false,
      cd: false,
      rcode: 0,
    },
    questions: [{ name: q.name, type: q.type, class: 1 }],
    answers: [],
    authorities: [],
    additionals: [],
    edns: { udpPayloadSize: 1232, extendedRcode: 0, version: 0, dnssecOk: false, z: 0, options: [] },
  });
}

function settle(id: number): void {
  const p = pending.get(id);
  if (p === undefined) return;
  clearTimeout(p.timer);
  pending.delete(id);
  done++;
  if (done === questions.length) finish();
  else sendNext();
}

function sendNext(): void {
  while (pending.size < window && nextQuestion < questions.length) {
    const index = nextQuestion++;
    while (pending.has(nextId)) nextId = (nextId + 1) & 0xffff;
    const id = nextId;
    nextId = (nextId + 1) & 0xffff;
    const timer = setTimeout(() => {
      timeouts++;
      settle(id);
    }, TIMEOUT_MS);
    pending.set(id, { index, sentAt: performance.now(), timer });
    sock.send(query(index, id), port, host);
  }
}

sock.on('message', (buf) => {
  let msg;
  try {
    msg = decodeMessage(buf);
  } catch {
    return;
  }
  const p = pending.get(msg.header.id);
  if (p === undefined) return;
  const q = questions[p.index];
  if (q === undefined) return;
  latencies[p.index] = performance.now() - p.sentAt;
  const rcode = RCODES[msg.header.rcode] ?? String(msg.header.rcode);
  rcodes[rcode] = (rcodes[rcode] ?? 0) + 1;
  const answered = msg.answers.some((rr) => rr.type === q.type);
  if (rcode !== q.rcode || (rcode === 'NOERROR' && !answered)) {
    wrongCount++;
    if (wrong.length < 10)
      wrong.push(`${q.name} ${String(q.type)}: ${rcode}, ${String(msg.answers.length)} answers`);
  }
  settle(msg.header.id);
});

sock.bind(0, '127.0.0.1', () => {
  sendNext();
});
await finished;
const wallMs = performance.now() - started;
sock.close();
const answered = latencies.filter((l) => !Number.isNaN(l)).sort((a, b) => a - b);
const pct = (p: number): number | null =>
  answered.length === 0
    ? null
    : (answered[Math.min(answered.length - 1, Math.floor(p * answered.length))] ?? null);
process.stdout.write(
  `${JSON.stringify({
    questions: questions.length,
    window,
    wallMs,
    p50Ms: pct(0.5),
    p95Ms: pct(0.95),
    maxMs: answered.at(-1) ?? null,
    rcodes,
    wrong: wrongCount,
    wrongExamples: wrong,
    timeouts,
    ...(flag === '--summary' ? {} : { latenciesMs: latencies }),
  })}\n`,
);
