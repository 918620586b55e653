// UNAUTHENTICATE (RFC 8437) in memory: advertised once logged in, back to the not-authenticated
// state from selected (no expunge, the mailbox's store listener dropped, the saved search gone),
// ENABLE state reset, a pipelined AUTHENTICATE with SASL-IR as another user, the pre-login idle
// timeout again (on a fake clock), and BAD before login.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryMailStore } from '../../../src/mail/index.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import { startImapSession } from '../helpers/session-harness.js';

const MESSAGE = Buffer.from('Subject: hi\r\n\r\nHello.\r\n');

test('UNAUTHENTICATE from selected: state, listener, ENABLE and $ reset; a pipelined AUTHENTICATE logs in bob', async () => {
  const store = new MemoryMailStore();
  await store.ensureMailboxes('alice@example.test');
  const inbox = await store.getMailbox('alice@example.test', 'INBOX');
  if (!inbox) throw new Error('no INBOX');
  await store.append(inbox.id, MESSAGE, { flags: ['\\Deleted'] });
  const clock = new ManualClock();
  const { client, greeting } = await startImapSession({ store, clock });
  assert.doesNotMatch(greeting, /UNAUTHENTICATE/);
  const bob = Buffer.from('\0bob@example.test\0bob-pw').toString('base64');
  await client.play(`
    C: u0 UNAUTHENTICATE
    S: u0 BAD UNAUTHENTICATE needs a login first
    C: L1 LOGIN alice@example.test "alice pw"
    S: /^L1 OK \\[CAPABILITY .* UNAUTHENTICATE .*\\] Logged in$/
    C: e ENABLE UTF8=ACCEPT
    S: * ENABLED UTF8=ACCEPT
    S: e OK ENABLE completed
    C: s SELECT INBOX
    S: * 1 EXISTS
    S: * FLAGS *
    S: * OK [PERMANENTFLAGS *
    S: * OK [UIDVALIDITY *
    S: * OK [UIDNEXT 2] *
    S: * OK [HIGHESTMODSEQ *] Highest
    S: * 0 RECENT
    S: * OK [UNSEEN 1] *
    S: s OK [READ-WRITE] SELECT completed
    C: f SEARCH RETURN (SAVE) ALL
    S: f OK SEARCH completed, result saved
    C: u UNAUTHENTICATE
    C: a AUTHENTICATE PLAIN ${bob}
    S: u OK UNAUTHENTICATE completed
    S: /^a OK \\[CAPABILITY .*\\] Logged in$/
    C: e2 ENABLE UTF8=ACCEPT
    S: * ENABLED UTF8=ACCEPT
    S: e2 OK ENABLE completed
    C: g FETCH $ (UID)
    S: g BAD FETCH is not valid in the authenticated state
  `);
  // No expunge happened, and alice's INBOX no longer talks to this session.
  assert.equal((await store.listMessages(inbox.id)).length, 1);
  await store.append(inbox.id, MESSAGE, { origin: 'smtp' });
  await client.play(`
    C: n NOOP
    S: n OK NOOP completed
    C: u2 UNAUTHENTICATE
    S: u2 OK UNAUTHENTICATE completed
    C: c CAPABILITY
    S: /^\\* CAPABILITY .*AUTH=PLAIN/
    S: c OK CAPABILITY completed
    C: l LIST "" "*"
    S: l BAD LIST needs a login first
  `);
  // The idle timeout is the pre-login one again (1 minute here, the line layer's default).
  clock.advance(60 * 60_000);
  await client.play(`
    S: * BYE Autologout; idle for too long
    S: <closed>
  `);
});
