// Tier 4: the BUILT `outpost dig` (node bin/outpost) and ISC's real `dig` ask a real NSD serving
// test/dns/fixtures/example.test.zone the same questions; their output must agree line for
// line (record lines byte for byte, tabs included) once the banner, ids, times and dig's
// COOKIE line are set aside; `+short` must be identical; `+tcp` and the automatic TCP retry of
// a truncated answer must work. A missing nsd or dig FAILS these tests (needs `npm run build`).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { encodeMessage, RRType } from '../../src/dns/index.js';
import { buildQuery, exchangeUdp } from '../../src/dns/client/index.js';
import { startNsd, type NsdInstance } from '../helpers/nsd.js';
import { runText } from '../helpers/run.js';

const root = resolve(import.meta.dirname, '../..');
const zoneFile = join(root, 'test/dns/fixtures/example.test.zone');
let nsd: NsdInstance | undefined;

type Run = Awaited<ReturnType<typeof runText>>;

const run = (file: string, args: readonly string[]): Promise<Run> =>
  runText(file, args, { cwd: root, timeoutMs: 30_000 });

function server(): string[] {
  assert.ok(nsd, 'nsd is running');
  return ['@127.0.0.1', '-p', String(nsd.port)];
}

const outpost = (args: readonly string[]): Promise<Run> =>
  run(process.execPath, [join(root, 'bin/outpost'), 'dig', ...server(), ...args]);
const dig = (args: readonly string[]): Promise<Run> => run('dig', [...server(), ...args]);

/** Drop what legitimately differs: banner, query time, date, ids, and dig's own COOKIE option. */
function normalise(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => !/^(; <<>> |;; global options|;; Query time|;; WHEN|; COOKIE:)/.test(l))
    .map((l) => l.replace(/, id: \d+$/, ', id: N'));
}

before(async () => {
  assert.ok(
    existsSync(join(root, 'dist/src/cli/dig.js')),
    'the CLI is not built: run `npm run build` (npm test does it first)',
  );
  const v = await run('dig', ['-v']);
  assert.equal(v.code, 0, 'ISC dig is missing: run scripts/install-test-peers.sh (bind9-dnsutils)');
  nsd = await startNsd('example.test', zoneFile);
});

after(async () => {
  await nsd?.stop();
});

const QUESTIONS: readonly (readonly string[])[] = [
  ['www.example.test'],
  ['example.test', 'SOA'],
  ['example.test', 'NS'],
  ['example.test', 'MX'],
  ['example.test', 'TXT'],
  ['example.test', 'CAA'],
  ['example.test', 'AAAA'],
  ['txt.example.test', 'TXT'],
  ['host.example.test', 'HINFO'],
  ['_sip._tcp.example.test', 'SRV'],
  ['unknown.example.test', 'TYPE65280'],
  ['generic-a.example.test'],
  ['v4mapped.example.test', 'AAAA'],
  ['alias1.example.test'],
  ['outside.example.test'],
  ['a-rather-long-owner-name.wild.example.test', 'MX'],
  ['x.dname.example.test', 'A'],
  ['ptr.example.test', 'PTR'],
  ['big-txt.example.test', 'TXT'],
  ['nx.example.test', '+norec'],
  ['b.c.example.test'],
  ['www.sub.example.test'],
  ['www.other.test'],
  ['www.example.test', '+noedns'],
  ['WwW.ExAmPlE.TeSt', 'a', 'in'],
];

test('long output agrees with dig for every kind of answer in the fixture zone', async () => {
  for (const q of QUESTIONS) {
    const [ours, theirs] = await Promise.all([outpost(q), dig(q)]);
    assert.equal(ours.code, 0, `outpost dig ${q.join(' ')}: ${ours.stderr}`);
    assert.equal(theirs.code, 0, `dig ${q.join(' ')}: ${theirs.stderr}`);
    assert.deepEqual(normalise(ours.stdout), normalise(theirs.stdout), `dig ${q.join(' ')}`);
  }
});

test('+short output is identical to dig +short', async () => {
  for (const q of QUESTIONS) {
    const args = [...q, '+short'];
    const [ours, theirs] = await Promise.all([outpost(args), dig(args)]);
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(ours.stdout, theirs.stdout, `dig ${args.join(' ')}`);
  }
});

test('+tcp asks over TCP and agrees with dig +tcp', async () => {
  const args = ['www.example.test', 'MX', '+tcp'];
  const [ours, theirs] = await Promise.all([outpost(args), dig(args)]);
  assert.match(ours.stdout, /;; SERVER: 127\.0\.0\.1#\d+\(127\.0\.0\.1\) \(TCP\)\n/);
  assert.deepEqual(normalise(ours.stdout), normalise(theirs.stdout));
});

test('a truncated UDP answer is retried over TCP automatically, like dig', async () => {
  assert.ok(nsd);
  // Prove NSD really truncates this one over UDP.
  const query = encodeMessage(buildQuery({ server: nsd, name: 'bigtxt.example.test', type: RRType.TXT }));
  const udp = await exchangeUdp(query, nsd, 2000);
  assert.equal(udp.message.header.tc, true, 'NSD sets TC over UDP');
  for (const args of [
    ['bigtxt.example.test', 'TXT'],
    ['big.example.test', '+noedns'],
  ]) {
    const [ours, theirs] = await Promise.all([outpost(args), dig(args)]);
    assert.match(ours.stdout, /^;; Truncated, retrying in TCP mode\.\n/);
    assert.match(ours.stdout, /\(TCP\)\n/);
    assert.deepEqual(normalise(ours.stdout), normalise(theirs.stdout), args.join(' '));
    const short = await outpost([...args, '+short']);
    assert.equal(short.stdout.trim().split('\n').length, 30);
  }
});

test('no reply: exit 9 and dig-style message, like dig', async () => {
  const args = ['@127.0.0.1', '-p', '9', 'www.example.test', '+tries=1', '+time=1'];
  const ours = await run(process.execPath, [join(root, 'bin/outpost'), 'dig', ...args]);
  const theirs = await run('dig', args);
  assert.equal(ours.code, 9);
  assert.equal(theirs.code, 9);
  assert.match(ours.stdout, /no servers could be reached/);
});
