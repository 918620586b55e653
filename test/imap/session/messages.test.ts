// IMAP session, message commands in memory: APPEND over the limit refused with NO [TOOBIG]
// before the client sends it, message commands outside the selected state, STORE in a
// read-only mailbox, UNCHANGEDSINCE with [MODIFIED], and an expunge by another writer held
// back during FETCH/STORE by sequence number (RFC 9051 §7.5.1) until NOOP.
import { test } from 'node:test';
import { aliceInbox, enableRev2AndSelect, loginAlice, startImapSession } from '../helpers/session-harness.js';

const MESSAGE = Buffer.from('Subject: hi\r\n\r\nHello.\r\n');

test('APPEND over max_message_size: NO [TOOBIG] before the literal; message commands need a selected mailbox', async () => {
  const { client } = await startImapSession({ maxMessageSize: 1000 });
  await loginAlice(client);
  await client.play(`
    C: a APPEND INBOX {1001}
    S: a NO [TOOBIG] *
    C: b FETCH 1 FLAGS
    S: b BAD FETCH is not valid in the authenticated state
    C: c APPEND INBOX {5+}
    C: hello
    S: /^c OK \\[APPENDUID \\d+ 1\\] APPEND completed$/
    C: d EXAMINE INBOX
    S: * 1 EXISTS
    S: * FLAGS *
    S: * OK [PERMANENTFLAGS ()] *
    S: * OK [UIDVALIDITY *
    S: * OK [UIDNEXT 2] *
    S: * OK [HIGHESTMODSEQ *] Highest
    S: * 0 RECENT
    S: * OK [UNSEEN 1] *
    S: d OK [READ-ONLY] EXAMINE completed
    C: e STORE 1 +FLAGS (\\Seen)
    S: e NO [READ-ONLY] Mailbox is read-only
    C: f FETCH 1 (BODY[])
    S: * 1 FETCH (BODY[] {5}
  `);
});

test('UNCHANGEDSINCE: [MODIFIED]; an expunge by someone else waits through FETCH and STORE by number', async () => {
  const { store, inbox } = await aliceInbox([MESSAGE, MESSAGE]);
  const { client } = await startImapSession({ store });
  await loginAlice(client);
  await client.play(`
    ${enableRev2AndSelect(2, 3)}
    C: b STORE 1 (UNCHANGEDSINCE 0) +FLAGS (\\Flagged)
    S: b OK [MODIFIED 1] STORE completed
  `);
  await store.expunge(inbox, [1], { origin: 'other' });
  await client.play(`
    C: c FETCH 1:* (UID)
    S: * 1 FETCH (UID 1)
    S: * 2 FETCH (UID 2)
    S: c OK FETCH completed
    C: d STORE 2 +FLAGS (\\Seen)
    S: * 2 FETCH (UID 2 FLAGS (\\Seen) MODSEQ (5))
    S: d OK STORE completed
    C: f NOOP
    S: * 1 EXPUNGE
    S: f OK NOOP completed
    C: g FETCH 1 (UID FLAGS)
    S: * 1 FETCH (UID 2 FLAGS (\\Seen))
    S: g OK FETCH completed
  `);
});
