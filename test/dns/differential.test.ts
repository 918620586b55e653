// Tier 4, differential: the fixture zone (wildcards, a delegation with glue, CNAME chains in and
// out of the zone, an empty non-terminal, DNAME, SRV, CAA, multi-string TXT, RRsets too big for
// 512 octets) served by Outpost (the whole stack: `outpost/testing`, UDP and TCP) and by NSD from
// Debian, asked the same questions by ISC `dig` in batch mode; the answers must agree section by
// section once ids, timings and server addresses are set aside.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startNsd, type NsdInstance } from '../helpers/nsd.js';
import { startTestOutpost, type TestOutpost } from '../../src/testing/index.js';
import { tempDir } from '../helpers/temp.js';

const zoneFile = resolve(import.meta.dirname, 'fixtures/example.test.zone');

const NAMES = [
  'example.test',
  'www.example.test',
  'WwW.ExAmPle.TeSt',
  'ns1.example.test',
  'ftp.example.test',
  'alias1.example.test',
  'alias2.example.test',
  'outside.example.test',
  'foo.wild.example.test',
  'a.b.wild.example.test',
  'exists.wild.example.test',
  'x.exists.wild.example.test',
  'wild.example.test',
  'b.c.example.test',
  'x.b.c.example.test',
  'zz.c.example.test',
  'c.example.test',
  'a.b.c.example.test',
  'sub.example.test',
  'ns1.sub.example.test',
  'x.y.sub.example.test',
  'dname.example.test',
  'foo.dname.example.test',
  '_sip._tcp.example.test',
  '_sip._udp.example.test',
  'nothing.example.test',
  'ptr.example.test',
  'unknown.example.test',
  'generic-a.example.test',
  'host.example.test',
  'txt.example.test',
  'big.example.test',
  'bigtxt.example.test',
  'big-txt.example.test',
  'mail.example.test',
  'mail2.example.test',
  'sip.example.test',
  'v4mapped.example.test',
  'foo.example.org',
];
const TYPES = ['A', 'AAAA', 'MX', 'NS', 'SOA', 'CNAME', 'TXT', 'SRV', 'CAA', 'PTR', 'ANY', 'DS'];

let nsd: NsdInstance;
let outpost: TestOutpost;
let dir: string;

before(async () => {
  dir = tempDir('outpost-diff-');
  nsd = await startNsd('example.test', zoneFile);
  outpost = await startTestOutpost({
    zones: [{ name: 'example.test', text: readFileSync(zoneFile, 'utf8') }],
  });
});

after(async () => {
  await outpost.close();
  await nsd.stop();
});

const run = promisify(execFile);

/**
 * Runs one dig batch against a server and returns its output with per-run noise removed. Async:
 * Outpost answers from this very process.
 */
async function digBatch(
  port: number,
  lines: readonly string[],
  options: readonly string[],
): Promise<string[]> {
  const batch = join(dir, `batch-${port}-${options.join('')}.txt`);
  writeFileSync(batch, lines.join('\n') + '\n');
  const { stdout: out } = await run(
    'dig',
    ['@127.0.0.1', '-p', String(port), '+norec', '+nocookie', '+time=3', '+tries=2', ...options, '-f', batch],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  return out
    .split(/\n(?=; <<>> DiG)/)
    .map((block) =>
      block
        .replace(/^; <<>> DiG.*$/m, '')
        .replace(/id: \d+/g, 'id: X')
        .replace(/^;; (Query time|SERVER|WHEN|MSG SIZE).*$/gm, '')
        .replace(/^;; global options.*$/gm, '')
        .replace(/\n{2,}/g, '\n')
        .trim(),
    )
    .filter((b) => b !== '');
}

async function compare(lines: readonly string[], options: readonly string[]): Promise<void> {
  const theirs = await digBatch(nsd.port, lines, options);
  const ours = await digBatch(outpost.dns?.port ?? 0, lines, options);
  assert.equal(ours.length, lines.length, 'one answer per question from Outpost');
  assert.equal(theirs.length, lines.length, 'one answer per question from NSD');
  const differences: string[] = [];
  lines.forEach((line, i) => {
    if (ours[i] !== theirs[i])
      differences.push(`### ${line} ${options.join(' ')}\n--- NSD\n${theirs[i]}\n+++ Outpost\n${ours[i]}`);
  });
  assert.equal(
    differences.length,
    0,
    `${differences.length} of ${lines.length} answers differ:\n${differences.slice(0, 5).join('\n')}`,
  );
}

const questions = NAMES.flatMap((name) => TYPES.map((type) => `${name} ${type}`));

test(`${questions.length} questions over UDP with EDNS: same answers as NSD`, async () => {
  await compare(questions, []);
});

test('the same questions over TCP: same answers as NSD', async () => {
  await compare(questions, ['+tcp']);
});

test('without EDNS (512-octet UDP), truncated answers agree too (TC=1 as NSD sets it)', async () => {
  const big = [
    'big.example.test A',
    'bigtxt.example.test TXT',
    'big-txt.example.test TXT',
    'www.example.test A',
    'example.test MX',
    'example.test ANY',
  ];
  await compare(big, ['+noedns', '+ignore']);
});
