/**
 * Hostile input over real TCP (issue #16): a literal cut short by a disconnect, 1000-deep
 * parentheses, a sequence set of more ranges than the limit, a line far over the limit, and
 * literals that claim 4 GB (synchronising and not). Each gets a clear protocol error or a clean
 * close, never a crash or a hang, nothing half-stored, and the server serves the next connection.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ImapWire } from './helpers/imap-wire.js';
import { ALICE, startImapOutpost, type ImapOutpost } from './helpers/imap-outpost.js';

let outpost: ImapOutpost;

before(async () => {
  outpost = await startImapOutpost();
});
after(async () => {
  await outpost.close();
});

/** A connection past the greeting and LOGIN, with INBOX selected when asked. */
async function session(select = false): Promise<ImapWire> {
  const wire = await ImapWire.connect(outpost.port);
  assert.match((await wire.response())?.text ?? '', /^\* OK /);
  wire.send(`l LOGIN "${ALICE.address}" "${ALICE.password}"\r\n`);
  assert.match(await tagged(wire, 'l'), /^l OK /);
  if (select) {
    wire.send('s SELECT INBOX\r\n');
    assert.match(await tagged(wire, 's'), /^s OK /);
  }
  return wire;
}

/** Reads up to the tagged response of `tag` and returns it ('' when the server closed first). */
async function tagged(wire: ImapWire, tag: string): Promise<string> {
  for (;;) {
    const r = await wire.response();
    if (r === null) return '';
    if (r.text.startsWith(`${tag} `)) return r.text;
  }
}

/** The server still works: a fresh connection logs in and sees INBOX's message count. */
async function inboxCount(): Promise<number> {
  const wire = await session();
  wire.send('c STATUS INBOX (MESSAGES)\r\n');
  let count = -1;
  for (;;) {
    const r = await wire.response();
    assert.ok(r !== null, 'closed before STATUS answered');
    const m = /^\* STATUS \S+ \(MESSAGES (\d+)\)/.exec(r.text);
    if (m) count = Number(m[1]);
    if (r.text.startsWith('c ')) {
      assert.match(r.text, /^c OK /);
      break;
    }
  }
  wire.destroy();
  return count;
}

test('an APPEND literal cut short by a disconnect stores nothing', async () => {
  const before = await inboxCount();
  const wire = await session();
  wire.send('a APPEND INBOX {100}\r\n');
  assert.match((await wire.response())?.text ?? '', /^\+ /);
  wire.send('Subject: half\r\n\r\nonly th');
  wire.destroy();
  assert.equal(await inboxCount(), before);
});

test('1000-deep parentheses are BAD and the session goes on', async () => {
  const wire = await session(true);
  wire.send(`f FETCH 1 ${'('.repeat(1000)}FLAGS${')'.repeat(1000)}\r\n`);
  assert.match(await tagged(wire, 'f'), /^f BAD /);
  wire.send(`g SEARCH ${'('.repeat(1000)}ALL${')'.repeat(1000)}\r\n`);
  assert.match(await tagged(wire, 'g'), /^g BAD /);
  wire.send('n NOOP\r\n');
  assert.match(await tagged(wire, 'n'), /^n OK /);
  wire.destroy();
});

test('a sequence set of 20,000 ranges is BAD; a 100,000-range line is refused without a crash', async () => {
  const wire = await session(true);
  // 40 KB: under the line limit, over the 16,384 ranges a set may have.
  wire.send(`f FETCH ${'1,'.repeat(19_999)}1 FLAGS\r\n`);
  assert.match(await tagged(wire, 'f'), /^f BAD /);
  wire.send('n NOOP\r\n');
  assert.match(await tagged(wire, 'n'), /^n OK /);
  // 100,000 ranges is some 700 KB: far over the 64 KiB line limit.
  wire.send(
    `h UID FETCH ${Array.from({ length: 100_000 }, (_, i) => `${String(3 * i + 1)}:${String(3 * i + 2)}`).join(',')} FLAGS\r\n`,
  );
  const answer = await tagged(wire, 'h');
  assert.ok(answer === '' || /^h BAD /.test(answer), answer);
  wire.destroy();
  assert.ok((await inboxCount()) >= 0);
});

test('a literal claiming 4 GB is BAD; one just under it gets NO [TOOBIG] without a continuation', async () => {
  const before = await inboxCount();
  const wire = await session();
  wire.send('a APPEND INBOX {4294967296}\r\n');
  assert.match((await wire.response())?.text ?? '', /^a BAD .*32-bit/);
  wire.send('b APPEND INBOX {4294967295}\r\n');
  assert.match((await wire.response())?.text ?? '', /^b NO \[TOOBIG\]/);
  wire.send('n NOOP\r\n');
  assert.match(await tagged(wire, 'n'), /^n OK /);
  wire.destroy();
  assert.equal(await inboxCount(), before);
});

test('a non-synchronising literal of 4 GB - 1 is refused and the connection closed', async () => {
  const wire = await session();
  wire.send('a APPEND INBOX {4294967295+}\r\n');
  wire.send(Buffer.alloc(256 * 1024, 0x61));
  const answer = await tagged(wire, 'a');
  assert.ok(answer === '' || /^a BAD \[TOOBIG\]/.test(answer), answer);
  assert.ok(await wire.closedWithin(5000), 'the server kept the connection open');
  assert.ok((await inboxCount()) >= 0);
});
