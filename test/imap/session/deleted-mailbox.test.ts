// A selected mailbox that another session deletes (RFC 9051 leaves the answer to the server):
// its messages are reported expunged at the next command that may say so, an IDLE hears it at
// once, and FETCH, STORE, SEARCH, COPY, MOVE and EXPUNGE answer NO [NONEXISTENT] instead of
// reaching the store for a mailbox that is gone (they answered NO [SERVERBUG] before); CLOSE
// leaves it quietly, and a new mailbox of the same name is a new mailbox.
import { test } from 'node:test';
import { MemoryMailStore } from '../../../src/mail/index.js';
import { loginAlice, startImapSession } from '../helpers/session-harness.js';

const ALICE = 'alice@example.test';

async function storeWithProjects(): Promise<MemoryMailStore> {
  const store = new MemoryMailStore();
  await store.ensureMailboxes(ALICE);
  const box = await store.createMailbox(ALICE, 'Projects');
  await store.append(box.id, Buffer.from('Subject: one\r\n\r\n1\r\n'));
  await store.append(box.id, Buffer.from('Subject: two\r\n\r\n2\r\n'), { flags: ['\\Deleted'] });
  return store;
}

const SELECT = `
  C: s SELECT Projects
  S: * 2 EXISTS
  S: * FLAGS *
  S: * OK [PERMANENTFLAGS *
  S: * OK [UIDVALIDITY *
  S: * OK [UIDNEXT 3] *
  S: * OK [HIGHESTMODSEQ *
  S: * 0 RECENT
  S: * OK [UNSEEN 1] *
  S: s OK [READ-WRITE] SELECT completed
`;

test('commands on a selected mailbox another session deleted: NO [NONEXISTENT], then EXPUNGE for each message', async () => {
  const store = await storeWithProjects();
  const { client } = await startImapSession({ store });
  await loginAlice(client);
  await client.play(SELECT);
  await store.deleteMailbox(ALICE, 'Projects', { origin: 'other' });
  // FETCH and STORE by number may not say EXPUNGE (RFC 9051 §7.5.1): just NO.
  await client.play(`
    C: f1 FETCH 1 BODY[]
    S: f1 NO [NONEXISTENT] The selected mailbox was deleted
    C: f2 FETCH 1:* (ENVELOPE RFC822.SIZE)
    S: f2 NO [NONEXISTENT] The selected mailbox was deleted
    C: f3 STORE 1 +FLAGS (\\Seen)
    S: f3 NO [NONEXISTENT] The selected mailbox was deleted
    C: f4 SEARCH ALL
    S: f4 NO [NONEXISTENT] The selected mailbox was deleted
    C: f5 COPY 1 INBOX
    S: * 1 EXPUNGE
    S: * 1 EXPUNGE
    S: f5 NO [NONEXISTENT] The selected mailbox was deleted
    C: f6 UID MOVE 1 INBOX
    S: f6 NO [NONEXISTENT] The selected mailbox was deleted
    C: f7 EXPUNGE
    S: f7 NO [NONEXISTENT] The selected mailbox was deleted
    C: f8 NOOP
    S: f8 OK NOOP completed
    C: f9 CLOSE
    S: f9 OK CLOSE completed
    C: c CREATE Projects
    S: c OK CREATE completed
    C: s SELECT Projects
    S: * 0 EXISTS
    S: * FLAGS *
    S: * OK [PERMANENTFLAGS *
    S: * OK [UIDVALIDITY *
    S: * OK [UIDNEXT 1] *
    S: * OK [HIGHESTMODSEQ *
    S: * 0 RECENT
    S: s OK [READ-WRITE] SELECT completed
  `);
});

test('an IDLE on a mailbox another session deletes hears every message expunged', async () => {
  const store = await storeWithProjects();
  const { client } = await startImapSession({ store });
  await loginAlice(client);
  await client.play(`${SELECT}
    C: i IDLE
    S: + idling
  `);
  await store.deleteMailbox(ALICE, 'Projects', { origin: 'other' });
  await client.play(`
    S: * 1 EXPUNGE
    S: * 1 EXPUNGE
    C: DONE
    S: i OK IDLE terminated
  `);
});
