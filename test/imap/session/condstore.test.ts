// IMAP CONDSTORE in memory (RFC 7162 §3.1): ENABLE CONDSTORE and its answers, the enabling
// commands (SELECT (CONDSTORE), FETCH MODSEQ, SEARCH MODSEQ, STORE UNCHANGEDSINCE, STATUS
// HIGHESTMODSEQ), [HIGHESTMODSEQ] in every SELECT, FETCH (CHANGEDSINCE n), MODSEQ in every
// FETCH a flag change causes (another session's, the session's own STORE and .SILENT STORE, a
// non-PEEK body fetch), UNCHANGEDSINCE against the store's MODSEQ rather than the session's,
// SEARCH's (MODSEQ n) and ESEARCH's MODSEQ, and EXPUNGE's tagged [HIGHESTMODSEQ n].
import { test } from 'node:test';
import { aliceInbox, loginAlice, startImapSession, type ScriptClient } from '../helpers/session-harness.js';

const MESSAGE = Buffer.from('Subject: hi\r\n\r\nHello.\r\n');

/** A store with alice's INBOX holding `count` messages: UIDs 1…count, MODSEQs 2…count+1. */
const aliceStore = (count: number): ReturnType<typeof aliceInbox> =>
  aliceInbox(Array<Buffer>(count).fill(MESSAGE));

/** Logs in, and SELECTs INBOX (`params` appended) expecting `exists` messages and HIGHESTMODSEQ `highest`. */
async function select(client: ScriptClient, exists: number, highest: number, params = ''): Promise<void> {
  await loginAlice(client);
  await client.play(`
    C: a SELECT INBOX${params}
    S: * ${String(exists)} EXISTS
    S: * FLAGS *
    S: * OK [PERMANENTFLAGS *
    S: * OK [UIDVALIDITY *
    S: * OK [UIDNEXT *
    S: * OK [HIGHESTMODSEQ ${String(highest)}] Highest
    S: * 0 RECENT
    S: * OK [UNSEEN 1] *
    S: a OK [READ-WRITE] SELECT completed
  `);
}

test('ENABLE CONDSTORE / QRESYNC: ENABLED lists what was newly turned on; mailbox names stay modified UTF-7', async () => {
  const { client } = await startImapSession();
  await loginAlice(client);
  await client.play(`
    C: a CAPABILITY
    S: /^\\* CAPABILITY .* CONDSTORE QRESYNC /
    S: a OK *
    C: b ENABLE CONDSTORE
    S: * ENABLED CONDSTORE
    S: b OK ENABLE completed
    C: c ENABLE CONDSTORE QRESYNC
    S: * ENABLED QRESYNC
    S: c OK ENABLE completed
    C: d ENABLE QRESYNC CONDSTORE
    S: * ENABLED
    S: d OK ENABLE completed
    C: e CREATE "&AOQ-b"
    S: e OK *
    C: f LIST "" "&AOQ-b"
    S: * LIST (\\HasNoChildren) "/" "&AOQ-b"
    S: f OK *
  `);
  const other = await startImapSession();
  await loginAlice(other.client);
  await other.client.play(`
    C: a ENABLE QRESYNC
    S: * ENABLED QRESYNC
    S: a OK ENABLE completed
    C: b ENABLE CONDSTORE
    S: * ENABLED
    S: b OK ENABLE completed
  `);
});

test('SELECT (CONDSTORE), FETCH (CHANGEDSINCE n), and MODSEQ in the FETCH of another session’s flag change', async () => {
  const { store, inbox } = await aliceStore(3);
  await store.setFlags(inbox, [2], ['\\Seen'], 'add');
  const { client } = await startImapSession({ store });
  await loginAlice(client);
  await client.play(`
    C: a EXAMINE INBOX (CONDSTORE)
    S: * 3 EXISTS
    S: * FLAGS *
    S: * OK [PERMANENTFLAGS ()] *
    S: * OK [UIDVALIDITY *
    S: * OK [UIDNEXT 4] *
    S: * OK [HIGHESTMODSEQ 5] Highest
    S: * 0 RECENT
    S: * OK [UNSEEN 1] *
    S: a OK [READ-ONLY] EXAMINE completed
    C: b FETCH 1:* (FLAGS) (CHANGEDSINCE 3)
    S: * 2 FETCH (FLAGS (\\Seen) MODSEQ (5))
    S: * 3 FETCH (FLAGS () MODSEQ (4))
    S: b OK FETCH completed
    C: c UID FETCH 1:2 (UID) (CHANGEDSINCE 4)
    S: * 2 FETCH (UID 2 MODSEQ (5))
    S: c OK FETCH completed
    C: d FETCH 1:* (UID) (CHANGEDSINCE 5)
    S: d OK FETCH completed
  `);
  await store.setFlags(inbox, [3], ['\\Flagged'], 'add', { origin: 'other' });
  await client.play(`
    C: e NOOP
    S: * 3 FETCH (UID 3 FLAGS (\\Flagged) MODSEQ (6))
    S: e OK NOOP completed
    C: f FETCH 3 (FLAGS) (CHANGEDSINCE 5)
    S: * 3 FETCH (FLAGS (\\Flagged) MODSEQ (6))
    S: f OK FETCH completed
  `);
});

test('CHANGEDSINCE reports what the store has now, even before the session was told of it', async () => {
  const { store, inbox } = await aliceStore(2);
  const { client } = await startImapSession({ store });
  await select(client, 2, 3, ' (CONDSTORE)');
  await store.setFlags(inbox, [1], ['\\Answered'], 'add', { origin: 'other' });
  await client.play(`
    C: b UID FETCH 1:* (FLAGS) (CHANGEDSINCE 3)
    S: * 1 FETCH (UID 1 FLAGS (\\Answered) MODSEQ (4))
    S: b OK FETCH completed
    C: c NOOP
    S: c OK NOOP completed
  `);
});

test('FETCH MODSEQ enables CONDSTORE: later flag changes carry UID and MODSEQ, a body fetch that sets \\Seen too', async () => {
  const { store, inbox } = await aliceStore(2);
  const { client } = await startImapSession({ store });
  await select(client, 2, 3);
  await store.setFlags(inbox, [1], ['\\Flagged'], 'add', { origin: 'other' });
  await client.play(`
    C: b NOOP
    S: * 1 FETCH (UID 1 FLAGS (\\Flagged))
    S: b OK NOOP completed
    C: c FETCH 2 (MODSEQ)
    S: * 2 FETCH (MODSEQ (3))
    S: c OK FETCH completed
  `);
  await store.setFlags(inbox, [1], ['\\Flagged'], 'remove', { origin: 'other' });
  await client.play(`
    C: d NOOP
    S: * 1 FETCH (UID 1 FLAGS () MODSEQ (5))
    S: d OK NOOP completed
    C: e FETCH 2 (BODY[TEXT])
    S: * 2 FETCH (BODY[TEXT] {8}
    S: Hello.
    S: * FLAGS (\\Seen) UID 2 MODSEQ (6))
    S: e OK FETCH completed
    C: f STORE 1 +FLAGS (\\Deleted)
    S: * 1 FETCH (UID 1 FLAGS (\\Deleted) MODSEQ (7))
    S: f OK STORE completed
  `);
});

test('STORE: UNCHANGEDSINCE checks the store’s MODSEQ; .SILENT still gives a CONDSTORE client the new MODSEQ', async () => {
  const { store, inbox } = await aliceStore(3);
  const { client } = await startImapSession({ store });
  await select(client, 3, 4, ' (CONDSTORE)');
  // Another writer changes message 2 (MODSEQ 5); this session has not been told yet.
  await store.setFlags(inbox, [2], ['$Label'], 'add', { origin: 'other' });
  await client.play(`
    C: b STORE 1:3 (UNCHANGEDSINCE 4) +FLAGS.SILENT (\\Deleted)
    S: * 1 FETCH (UID 1 MODSEQ (6))
    S: * 3 FETCH (UID 3 MODSEQ (6))
    S: * 2 FETCH (UID 2 FLAGS ($Label) MODSEQ (5))
    S: b OK [MODIFIED 2] STORE completed
    C: c UID STORE 1,3 (UNCHANGEDSINCE 6) FLAGS.SILENT (\\Deleted)
    S: c OK STORE completed
    C: d UID STORE 1 (UNCHANGEDSINCE 5) -FLAGS (\\Deleted)
    S: d OK [MODIFIED 1] STORE completed
    C: e STORE 1 -FLAGS (\\Deleted)
    S: * 1 FETCH (UID 1 FLAGS () MODSEQ (7))
    S: e OK STORE completed
  `);
});

test('SEARCH MODSEQ: (MODSEQ n) of the matches, ESEARCH MODSEQ; nothing without matches; it enables CONDSTORE', async () => {
  const { store, inbox } = await aliceStore(3);
  await store.setFlags(inbox, [2], ['\\Seen'], 'add');
  const { client } = await startImapSession({ store });
  await select(client, 3, 5);
  await client.play(`
    C: b SEARCH MODSEQ 4
    S: * SEARCH 2 3 (MODSEQ 5)
    S: b OK SEARCH completed
    C: c UID SEARCH RETURN (COUNT ALL) OR MODSEQ 5 DELETED
    S: * ESEARCH (TAG "c") UID COUNT 1 ALL 2 MODSEQ 5
    S: c OK SEARCH completed
    C: d SEARCH MODSEQ 9
    S: * SEARCH
    S: d OK SEARCH completed
    C: e SEARCH SEEN
    S: * SEARCH 2
    S: e OK SEARCH completed
  `);
  await store.setFlags(inbox, [1], ['\\Seen'], 'add', { origin: 'other' });
  await client.play(`
    C: f NOOP
    S: * 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (6))
    S: f OK NOOP completed
  `);
});

test('STATUS (HIGHESTMODSEQ) enables CONDSTORE; EXPUNGE then answers with [HIGHESTMODSEQ n]', async () => {
  const { store, inbox } = await aliceStore(2);
  const { client } = await startImapSession({ store });
  await select(client, 2, 3);
  await client.play(`
    C: b STORE 1 +FLAGS (\\Deleted)
    S: * 1 FETCH (UID 1 FLAGS (\\Deleted))
    S: b OK STORE completed
    C: c EXPUNGE
    S: * 1 EXPUNGE
    S: c OK EXPUNGE completed
    C: d STATUS INBOX (HIGHESTMODSEQ)
    S: * STATUS "INBOX" (HIGHESTMODSEQ 5)
    S: d OK STATUS completed
  `);
  await store.setFlags(inbox, [2], ['\\Deleted'], 'add', { origin: 'other' });
  await client.play(`
    C: e EXPUNGE
    S: * 1 EXPUNGE
    S: e OK [HIGHESTMODSEQ 7] EXPUNGE completed
    C: f UID EXPUNGE 1:*
    S: f OK [HIGHESTMODSEQ 7] EXPUNGE completed
  `);
});
