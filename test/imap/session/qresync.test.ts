// IMAP QRESYNC in memory (RFC 7162 §3.2): SELECT (QRESYNC …) only after ENABLE QRESYNC,
// VANISHED (EARLIER) and FETCH (UID FLAGS MODSEQ) since the client's MODSEQ (known UIDs, a
// changed UIDVALIDITY), * VANISHED instead of * n EXPUNGE (EXPUNGE, another session's expunge,
// MOVE, IDLE; held back after FETCH by number, with a HIGHESTMODSEQ below the held expunge),
// CLOSE silent, UID FETCH (CHANGEDSINCE n VANISHED), and the superset a store without its expunge
// log answers, narrowed by sequence match data and never expanded for a huge known-UID set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryMailStore } from '../../../src/mail/index.js';
import { loginAlice, startImapSession, type ScriptClient } from '../helpers/session-harness.js';

const MESSAGE = Buffer.from('Subject: hi\r\n\r\nHello.\r\n');

/** A store whose expunge log never reaches back (as past its floor): expungedSince is null. */
class NoLogStore extends MemoryMailStore {
  override expungedSince(): Promise<number[] | null> {
    return Promise.resolve(null);
  }
}

/**
 * alice's INBOX with UIDs 1…5 (MODSEQs 2…6), then: UID 2 expunged (7), UID 4 \Seen (8), UID 5
 * expunged (9), UID 6 delivered (10). Left: UIDs 1, 3, 4, 6; HIGHESTMODSEQ 10.
 */
async function changedInbox(store = new MemoryMailStore()) {
  await store.ensureMailboxes('alice@example.test');
  const info = await store.getMailbox('alice@example.test', 'INBOX');
  if (!info) throw new Error('no INBOX');
  const inbox = info.id;
  for (let i = 0; i < 5; i++) await store.append(inbox, MESSAGE);
  await store.expunge(inbox, [2]);
  await store.setFlags(inbox, [4], ['\\Seen'], 'add');
  await store.expunge(inbox, [5]);
  await store.append(inbox, MESSAGE);
  return { store, inbox, uidValidity: info.uidValidity };
}

async function enable(client: ScriptClient): Promise<void> {
  await loginAlice(client);
  await client.play(`
    C: e ENABLE QRESYNC IMAP4rev2
    S: * ENABLED QRESYNC IMAP4rev2
    S: e OK ENABLE completed
  `);
}

/** The SELECT answer's fixed lines, `exists` messages, HIGHESTMODSEQ `highest`. */
function selected(exists: number, highest: number): string {
  return `
    S: * ${String(exists)} EXISTS
    S: * FLAGS *
    S: * OK [PERMANENTFLAGS *
    S: * OK [UIDVALIDITY *
    S: * OK [UIDNEXT *
    S: * OK [HIGHESTMODSEQ ${String(highest)}] Highest`;
}

test('SELECT (QRESYNC …): BAD before ENABLE QRESYNC; VANISHED (EARLIER) and FETCH since the MODSEQ; known UIDs; another UIDVALIDITY', async () => {
  const { store, uidValidity } = await changedInbox();
  const v = String(uidValidity);
  const { client } = await startImapSession({ store });
  await loginAlice(client);
  await client.play(`
    C: a SELECT INBOX (QRESYNC (${v} 6))
    S: a BAD QRESYNC needs ENABLE QRESYNC first
    C: b UID FETCH 1 (FLAGS) (CHANGEDSINCE 1 VANISHED)
    S: b BAD FETCH is not valid in the authenticated state
    C: e ENABLE QRESYNC IMAP4rev2
    S: * ENABLED QRESYNC IMAP4rev2
    S: e OK ENABLE completed
    C: a SELECT INBOX (QRESYNC (${v} 6))
    ${selected(4, 10)}
    S: * VANISHED (EARLIER) 2,5
    S: * 3 FETCH (UID 4 FLAGS (\\Seen) MODSEQ (8))
    S: * 4 FETCH (UID 6 FLAGS () MODSEQ (10))
    S: a OK [READ-WRITE] SELECT completed
    C: b EXAMINE INBOX (QRESYNC (${v} 7 1:5))
    S: * OK [CLOSED] Previous mailbox closed
    ${selected(4, 10)}
    S: * VANISHED (EARLIER) 5
    S: * 3 FETCH (UID 4 FLAGS (\\Seen) MODSEQ (8))
    S: b OK [READ-ONLY] EXAMINE completed
    C: c SELECT INBOX (QRESYNC (${String(uidValidity + 1)} 6))
    S: * OK [CLOSED] Previous mailbox closed
    ${selected(4, 10)}
    S: c OK [READ-WRITE] SELECT completed
    C: d SELECT INBOX (QRESYNC (${v} 10 1:*))
    S: * OK [CLOSED] Previous mailbox closed
    ${selected(4, 10)}
    S: d OK [READ-WRITE] SELECT completed
    C: f SELECT INBOX (QRESYNC (${v} 1 1:3,6))
    S: * OK [CLOSED] Previous mailbox closed
    ${selected(4, 10)}
    S: * VANISHED (EARLIER) 2
    S: * 1 FETCH (UID 1 FLAGS () MODSEQ (2))
    S: * 2 FETCH (UID 3 FLAGS () MODSEQ (4))
    S: * 4 FETCH (UID 6 FLAGS () MODSEQ (10))
    S: f OK [READ-WRITE] SELECT completed
  `);
});

test('after ENABLE QRESYNC expunges are * VANISHED: EXPUNGE, another session, MOVE, IDLE; held after FETCH by number; CLOSE is silent', async () => {
  const { store, inbox, uidValidity } = await changedInbox();
  const { client } = await startImapSession({ store, limits: { idleKeepaliveMs: 3_600_000 } });
  await enable(client);
  await client.play(`
    C: a SELECT INBOX (QRESYNC (${String(uidValidity)} 10))
    ${selected(4, 10)}
    S: a OK [READ-WRITE] SELECT completed
    C: b STORE 1 +FLAGS.SILENT (\\Deleted)
    S: * 1 FETCH (UID 1 MODSEQ (11))
    S: b OK STORE completed
    C: c EXPUNGE
    S: * VANISHED 1
    S: c OK [HIGHESTMODSEQ 12] EXPUNGE completed
  `);
  // UIDs 3, 4, 6 now. Another session expunges 3 and flags 6: held through FETCH by number.
  await store.expunge(inbox, [3], { origin: 'other' });
  await store.setFlags(inbox, [6], ['\\Flagged'], 'add', { origin: 'other' });
  await client.play(`
    C: d FETCH 1:* (UID)
    S: * 1 FETCH (UID 3)
    S: * 2 FETCH (UID 4)
    S: * 3 FETCH (UID 6)
    S: * 3 FETCH (UID 6 FLAGS (\\Flagged) MODSEQ (14))
    S: * OK [HIGHESTMODSEQ 12] Expunges pending
    S: d OK FETCH completed
    C: e NOOP
    S: * VANISHED 3
    S: e OK NOOP completed
    C: f UID FETCH 1:* (FLAGS) (CHANGEDSINCE 9 VANISHED)
    S: * VANISHED (EARLIER) 1,3
    S: * 2 FETCH (UID 6 FLAGS (\\Flagged) MODSEQ (14))
    S: f OK FETCH completed
    C: g UID FETCH 4:5 (FLAGS) (CHANGEDSINCE 8 VANISHED)
    S: * VANISHED (EARLIER) 5
    S: g OK FETCH completed
    C: h UID MOVE 4 Trash
    S: * OK [COPYUID *] Moved
    S: * VANISHED 4
    S: h OK MOVE completed
    C: i IDLE
    S: + idling
  `);
  await store.expunge(inbox, [6], { origin: 'pop3' });
  await client.play(`
    S: * VANISHED 6
    C: DONE
    S: i OK IDLE terminated
  `);
  await store.append(inbox, MESSAGE);
  await client.play(`
    C: j NOOP
    S: * 1 EXISTS
    S: j OK NOOP completed
    C: k STORE 1 +FLAGS.SILENT (\\Deleted)
    S: * 1 FETCH (UID 7 MODSEQ (*))
    S: k OK STORE completed
    C: l CLOSE
    S: l OK CLOSE completed
    C: m UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1)
    S: m BAD FETCH is not valid in the authenticated state
  `);
  assert.deepEqual(await store.listMessages(inbox), []);
});

test('UID FETCH … VANISHED needs ENABLE QRESYNC (CONDSTORE is not enough)', async () => {
  const { store } = await changedInbox();
  const { client } = await startImapSession({ store });
  await loginAlice(client);
  await client.play(`
    C: e ENABLE CONDSTORE IMAP4rev2
    S: * ENABLED CONDSTORE IMAP4rev2
    S: e OK *
    C: a SELECT INBOX
    ${selected(4, 10)}
    S: a OK [READ-WRITE] SELECT completed
    C: b UID FETCH 1:* (FLAGS) (CHANGEDSINCE 9 VANISHED)
    S: b BAD VANISHED needs ENABLE QRESYNC first
    C: c FETCH 1:* (FLAGS) (CHANGEDSINCE 9 VANISHED)
    S: c BAD *
  `);
});

test('without the expunge log: every known UID below UIDNEXT not in the mailbox, narrowed by sequence match data; huge sets stay ranges', async () => {
  const { store, uidValidity } = await changedInbox(new NoLogStore());
  const v = String(uidValidity);
  const { client } = await startImapSession({ store });
  await enable(client);
  const started = Date.now();
  await client.play(`
    C: a EXAMINE INBOX (QRESYNC (${v} 10 1:4294967295))
    ${selected(4, 10)}
    S: * VANISHED (EARLIER) 2,5
    S: a OK [READ-ONLY] EXAMINE completed
    C: b EXAMINE INBOX (QRESYNC (${v} 10 1:10 (1:2 1,3)))
    S: * OK [CLOSED] *
    ${selected(4, 10)}
    S: * VANISHED (EARLIER) 5
    S: b OK [READ-ONLY] EXAMINE completed
    C: c EXAMINE INBOX (QRESYNC (${v} 10 1:10 (1,2 1,2)))
    S: * OK [CLOSED] *
    ${selected(4, 10)}
    S: * VANISHED (EARLIER) 2,5
    S: c OK [READ-ONLY] EXAMINE completed
    C: d EXAMINE INBOX (QRESYNC (${v} 10 3:4,6 (1:4294967295 1:4294967295)))
    S: * OK [CLOSED] *
    ${selected(4, 10)}
    S: d OK [READ-ONLY] EXAMINE completed
    C: e UID FETCH 1:4294967295 (UID) (CHANGEDSINCE 10 VANISHED)
    S: * VANISHED (EARLIER) 2,5
    S: e OK FETCH completed
  `);
  assert.ok(Date.now() - started < 5000, 'huge sets are never expanded');
});
