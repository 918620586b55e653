// IMAP session, mailbox commands in memory: SELECT/EXAMINE responses (rev1 and rev2), CLOSE
// expunging \Deleted, UNSELECT, SELECT of a missing mailbox leaving the session authenticated,
// CREATE/RENAME/DELETE with RFC 5530 codes, SUBSCRIBE/LSUB, LIST (plain, extended, special-use,
// \Noselect levels, RETURN STATUS), NAMESPACE, STATUS, a user who sees only their own
// mailboxes, and another writer's changes reported at the next command boundary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryMailStore } from '../../../src/mail/index.js';
import {
  enableRev2AndSelect,
  loginAlice,
  selectInbox,
  startImapSession,
} from '../helpers/session-harness.js';

const MESSAGE = Buffer.from('From: bob@example.test\r\nSubject: hi\r\n\r\nHello.\r\n');

async function storeWithMail(): Promise<MemoryMailStore> {
  const store = new MemoryMailStore();
  await store.ensureMailboxes('alice@example.test');
  await store.ensureMailboxes('bob@example.test');
  const inbox = await store.getMailbox('alice@example.test', 'INBOX');
  if (!inbox) throw new Error('no INBOX');
  await store.append(inbox.id, MESSAGE, { flags: ['\\Seen'] });
  await store.append(inbox.id, MESSAGE);
  await store.append(inbox.id, MESSAGE, { flags: ['\\Deleted', '$Work'] });
  return store;
}

test('SELECT and EXAMINE (rev1 answers with RECENT and UNSEEN), UNSELECT, CLOSE expunges \\Deleted', async () => {
  const store = await storeWithMail();
  const { client } = await startImapSession({ store });
  await loginAlice(client);
  await client.play(`
    C: a EXAMINE inbox
    S: * 3 EXISTS
    S: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)
    S: * OK [PERMANENTFLAGS ()] No permanent flags permitted
    S: /^\\* OK \\[UIDVALIDITY \\d+\\] UIDs valid$/
    S: * OK [UIDNEXT 4] Predicted next UID
    S: * OK [HIGHESTMODSEQ *] Highest
    S: * 0 RECENT
    S: * OK [UNSEEN 2] First unseen
    S: a OK [READ-ONLY] EXAMINE completed
    C: b CLOSE
    S: b OK CLOSE completed
    C: c SELECT INBOX
    S: * 3 EXISTS
    S: * FLAGS (*)
    S: * OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work \\\\*)] Flags permitted
    S: * OK [UIDVALIDITY *
    S: * OK [UIDNEXT 4] *
    S: * OK [HIGHESTMODSEQ *] Highest
    S: * 0 RECENT
    S: * OK [UNSEEN 2] *
    S: c OK [READ-WRITE] SELECT completed
    C: d SELECT Nope
    S: * OK [CLOSED] Previous mailbox closed
    S: d NO [NONEXISTENT] No such mailbox
    C: e CLOSE
    S: e BAD CLOSE is not valid in the authenticated state
    C: f SELECT INBOX
    S: * 3 EXISTS
    S: * FLAGS *
    S: * OK [PERMANENTFLAGS *
    S: * OK [UIDVALIDITY *
    S: * OK [UIDNEXT 4] *
    S: * OK [HIGHESTMODSEQ *] Highest
    S: * 0 RECENT
    S: * OK [UNSEEN 2] *
    S: f OK [READ-WRITE] SELECT completed
    C: g CLOSE
    S: g OK CLOSE completed
    C: h ENABLE IMAP4rev2
    S: * ENABLED IMAP4rev2
    S: h OK *
    ${selectInbox('i', 2, 4)}
    C: j UNSELECT
    S: j OK UNSELECT completed
  `);
  const inbox = await store.getMailbox('alice@example.test', 'INBOX');
  assert.deepEqual(
    (await store.listMessages(inbox?.id ?? 0)).map((m) => m.uid),
    [1, 2],
    'CLOSE expunged the \\Deleted message; EXAMINE+CLOSE did not',
  );
});

test('CREATE, RENAME, DELETE with RFC 5530 codes; LIST shows \\Noselect levels and special use; LSUB; NAMESPACE', async () => {
  const store = await storeWithMail();
  const { client } = await startImapSession({ store });
  await loginAlice(client);
  await client.play(`
    C: a CREATE Work/2026/
    S: a OK CREATE completed
    C: b CREATE Work
    S: b NO [ALREADYEXISTS] Mailbox already exists
    C: c CREATE Spam (USE (\\Junk \\Sent))
    S: c NO [USEATTR] *
    C: d RENAME Work/2026 Projects/Old
    S: d OK RENAME completed
    C: e RENAME Missing Other
    S: e NO [NONEXISTENT] No such mailbox
    C: f DELETE INBOX
    S: f NO [CANNOT] *
    C: g DELETE Work
    S: g OK DELETE completed
    C: g2 DELETE Projects
    S: g2 OK DELETE completed
    C: h LIST "" *
    S: * LIST (\\HasNoChildren) "/" "INBOX"
    S: * LIST (\\HasNoChildren \\Archive) "/" "Archive"
    S: * LIST (\\HasNoChildren \\Drafts) "/" "Drafts"
    S: * LIST (\\HasNoChildren \\Junk) "/" "Junk"
    S: * LIST (\\Noselect \\HasChildren) "/" "Projects"
    S: * LIST (\\HasNoChildren) "/" "Projects/Old"
    S: * LIST (\\HasNoChildren \\Sent) "/" "Sent"
    S: * LIST (\\HasNoChildren \\Trash) "/" "Trash"
    S: h OK LIST completed
    C: i LIST "" %
    S: * LIST (\\HasNoChildren) "/" "INBOX"
    S: * LIST *"/" "Archive"
    S: * LIST *"/" "Drafts"
    S: * LIST *"/" "Junk"
    S: * LIST (\\Noselect \\HasChildren) "/" "Projects"
    S: * LIST *"/" "Sent"
    S: * LIST *"/" "Trash"
    S: i OK LIST completed
    C: j LIST "" ""
    S: * LIST (\\Noselect) "/" ""
    S: j OK LIST completed
    C: k LIST (SPECIAL-USE) "" * RETURN (STATUS (MESSAGES UNSEEN))
    S: * LIST (\\HasNoChildren \\Archive) "/" "Archive"
    S: * STATUS "Archive" (MESSAGES 0 UNSEEN 0)
    S: * LIST (\\HasNoChildren \\Drafts) "/" "Drafts"
    S: * STATUS "Drafts" (MESSAGES 0 UNSEEN 0)
    S: * LIST (\\HasNoChildren \\Junk) "/" "Junk"
    S: * STATUS "Junk" (MESSAGES 0 UNSEEN 0)
    S: * LIST (\\HasNoChildren \\Sent) "/" "Sent"
    S: * STATUS "Sent" (MESSAGES 0 UNSEEN 0)
    S: * LIST (\\HasNoChildren \\Trash) "/" "Trash"
    S: * STATUS "Trash" (MESSAGES 0 UNSEEN 0)
    S: k OK LIST completed
    C: l UNSUBSCRIBE Projects/Old
    S: l OK UNSUBSCRIBE completed
    C: m SUBSCRIBE Gone/Away
    S: m OK SUBSCRIBE completed
    C: n LSUB "" Gone*
    S: * LSUB (\\Noselect) "/" "Gone/Away"
    S: n OK LSUB completed
    C: o LIST (SUBSCRIBED) "" "Gone/*"
    S: * LIST (\\NonExistent \\HasNoChildren \\Subscribed) "/" "Gone/Away"
    S: o OK LIST completed
    C: p NAMESPACE
    S: * NAMESPACE (("" "/")) NIL NIL
    S: p OK NAMESPACE completed
    C: q STATUS INBOX (MESSAGES UIDNEXT UNSEEN DELETED SIZE RECENT APPENDLIMIT)
    S: * STATUS "INBOX" (MESSAGES 3 UIDNEXT 4 UNSEEN 2 DELETED 1 SIZE ${String(3 * MESSAGE.length)} RECENT 0 APPENDLIMIT 1048576)
    S: q OK STATUS completed
    C: r STATUS Nope (MESSAGES)
    S: r NO [NONEXISTENT] No such mailbox
  `);
});

test("a user sees only their own mailboxes: bob's names are not alice's", async () => {
  const store = await storeWithMail();
  await store.createMailbox('bob@example.test', 'Secret');
  const { client } = await startImapSession({ store });
  await loginAlice(client);
  await client.play(`
    C: a SELECT Secret
    S: a NO [NONEXISTENT] No such mailbox
    C: b STATUS Secret (MESSAGES)
    S: b NO [NONEXISTENT] No such mailbox
    C: c DELETE Secret
    S: c NO [NONEXISTENT] *
    C: d LIST "" Secret
    S: d OK LIST completed
  `);
  assert.ok(await store.getMailbox('bob@example.test', 'Secret'));
});

test("another writer's changes reach the selected session at its next command: EXPUNGE, EXISTS, FETCH FLAGS", async () => {
  const store = await storeWithMail();
  const inbox = await store.getMailbox('alice@example.test', 'INBOX');
  if (!inbox) throw new Error('no INBOX');
  const { client } = await startImapSession({ store });
  await loginAlice(client);
  await client.play(enableRev2AndSelect(3, 4));
  await store.expunge(inbox.id, [1], { origin: 'other' });
  await store.setFlags(inbox.id, [2], ['\\Flagged'], 'add', { origin: 'other' });
  await store.append(inbox.id, MESSAGE);
  await client.play(`
    C: b NOOP
    S: * 1 EXPUNGE
    S: * 1 FETCH (UID 2 FLAGS (\\Flagged))
    S: * 3 EXISTS
    S: b OK NOOP completed
    C: c NOOP
    S: c OK NOOP completed
  `);
});
