// End to end on loopback: alice@crepes.test submits (nodemailer, then `outpost mail send`) to
// her Outpost on 127.0.0.1; it queues, resolves hamburger.test's MX through the other Outpost's
// DNS, relays to 127.0.0.2, and the message lands in bob@hamburger.test's INBOX. A refusal by
// the receiver comes back to alice's INBOX as a DSN. `outpost queue list|flush|delete` work on
// the running sender's data directory.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { getHeader, getHeaders, parseHeaderSection } from '../../../src/mail/message/headers.js';
import { parseMime } from '../../../src/mail/message/mime-parse.js';
import { parseDeliveryStatus } from '../../../src/mail/message/dsn.js';
import type { TestOutpost } from '../../../src/testing/index.js';
import { ALICE, BOB, startReceiver, startSender, submitAsAlice, waitForInbox } from './helpers.js';
import { eventually } from '../../helpers/eventually.js';

const root = resolve(import.meta.dirname, '../../..');
let receiver: TestOutpost;
let sender: TestOutpost;
let submissionPort = 0;

before(async () => {
  const r = await startReceiver();
  receiver = r.outpost;
  const s = await startSender(r.dns, r.mxPort);
  sender = s.outpost;
  submissionPort = s.submissionPort;
});
after(async () => {
  await sender.close();
  await receiver.close();
});

/** Runs the CLI in a child process (asynchronously: the servers live in this process). */
async function outpost(
  args: string[],
  input = '',
  env: Record<string, string> = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end(input);
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [status] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { status, stdout, stderr };
}

test('nodemailer → submission (STARTTLS + AUTH) → queue → MX → relay → bob’s INBOX', async () => {
  const info = await submitAsAlice(submissionPort, {
    from: `Alice <${ALICE.address}>`,
    to: `Bob <${BOB.address}>`,
    subject: 'Crêpes tonight?',
    text: 'Bring burgers.',
  });
  assert.deepEqual(info.accepted, [BOB.address]);
  const msgs = await waitForInbox(receiver.dataDir, BOB.address, (m) =>
    m.some((x) => x.includes('Bring burgers.')),
  );
  const msg = msgs.find((x) => x.includes('Bring burgers.'));
  assert.ok(msg, 'relayed into bob’s INBOX');
  const h = parseHeaderSection(Buffer.from(msg));
  assert.equal(getHeader(h.fields, 'Return-Path'), `<${ALICE.address}>`);
  const received = getHeaders(h.fields, 'Received');
  assert.ok(received.length >= 2, 'a Received: per hop');
  assert.match(received[0] ?? '', /by mx\.hamburger\.test/);
  assert.match(received[1] ?? '', /by mx\.crepes\.test/);
  assert.ok(getHeader(h.fields, 'Message-ID'));
});

test('`outpost mail send` with AUTH over STARTTLS ends in bob’s INBOX (attachment intact)', async () => {
  const r = await outpost(
    [
      'mail',
      'send',
      '--from',
      ALICE.address,
      '--to',
      BOB.address,
      '--subject',
      'Menü',
      '--server',
      `127.0.0.1:${String(submissionPort)}`,
      '--insecure',
      '--attach',
      join(root, 'package.json'),
    ],
    'Sent by the CLI.\n',
    { OUTPOST_SMTP_PASSWORD: ALICE.password },
  );
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /^250 /);
  const msgs = await waitForInbox(receiver.dataDir, BOB.address, (m) =>
    m.some((x) => x.includes('Sent by the CLI.')),
  );
  const msg = msgs.find((x) => x.includes('Sent by the CLI.'));
  assert.ok(msg);
  const root2 = parseMime(Buffer.from(msg));
  assert.equal(root2.contentType, 'multipart/mixed');
  assert.equal(root2.children[1]?.params.get('name'), 'package.json');
  // Wrong password: the server's refusal, exit 1.
  const bad = await outpost(
    [
      'mail',
      'send',
      '--from',
      ALICE.address,
      '--to',
      BOB.address,
      '--server',
      `127.0.0.1:${String(submissionPort)}`,
      '--insecure',
    ],
    'x',
    {
      OUTPOST_SMTP_PASSWORD: 'wrong',
    },
  );
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /535/);
});

test('a recipient the receiver refuses comes back to alice as a DSN', async () => {
  await submitAsAlice(submissionPort, {
    to: 'nobody@hamburger.test',
    subject: 'lost',
    text: 'nobody home',
  });
  const msgs = await waitForInbox(sender.dataDir, ALICE.address, (m) =>
    m.some((x) => x.includes('delivery-status')),
  );
  const dsn = msgs.find((x) => x.includes('delivery-status'));
  assert.ok(dsn, 'bounce in alice’s INBOX');
  const rootPart = parseMime(Buffer.from(dsn));
  const status = rootPart.children.find((c) => c.contentType === 'message/delivery-status');
  assert.ok(status);
  const rec = parseDeliveryStatus(status.body).recipients[0] ?? [];
  assert.equal(getHeader(rec, 'Final-Recipient'), 'rfc822; nobody@hamburger.test');
  assert.equal(getHeader(rec, 'Action'), 'failed');
  assert.match(getHeader(rec, 'Status') ?? '', /^5\./);
  assert.equal(getHeader(parseHeaderSection(Buffer.from(dsn)).fields, 'Return-Path'), '<>');
});

test('`outpost queue list | flush | delete` on the running sender', async () => {
  // The receiver's DNS refuses unknown zones: a transient failure, so the message stays queued.
  await submitAsAlice(submissionPort, {
    to: 'zed@unknown.test',
    subject: 'stuck',
    text: 'waiting',
  });
  const list = await eventually(
    async () => {
      const out = await outpost(['queue', 'list', '--data', sender.dataDir]);
      return /attempts [1-9]/.test(out.stdout) && out;
    },
    { timeoutMs: 10_000, intervalMs: 100, what: 'a first attempt in `outpost queue list`' },
  );
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /to <zed@unknown\.test> {2}pending {2}451 4\.4\.3/);
  const id = /^(\S+) {2}\d+ bytes/m.exec(list.stdout)?.[1];
  assert.ok(id, list.stdout);
  const flush = await outpost(['queue', 'flush', id, '--data', sender.dataDir]);
  assert.equal(flush.stdout, '1 message(s) due now\n');
  const del = await outpost(['queue', 'delete', id, '--data', sender.dataDir]);
  assert.equal(del.stdout, `deleted ${id}\n`);
  assert.equal((await outpost(['queue', 'delete', id, '--data', sender.dataDir])).status, 1);
  assert.doesNotMatch((await outpost(['queue', 'list', '--data', sender.dataDir])).stdout, new RegExp(id));
});
