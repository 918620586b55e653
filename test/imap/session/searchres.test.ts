// SEARCHRES (RFC 5182) in memory: SEARCH RETURN (SAVE) with no ESEARCH line, `$` in FETCH,
// UID FETCH, STORE, COPY, MOVE, SEARCH and UID EXPUNGE, the MIN/MAX rule, `$` empty before any
// save and after a NO, an unchanged `$` after a SEARCH without SAVE, expunged messages leaving
// it, and a new selection (SELECT, CLOSE/UNSELECT then SELECT) starting with none.
import { test } from 'node:test';
import {
  aliceInbox,
  loginAlice,
  selectInbox as select,
  startImapSession,
} from '../helpers/session-harness.js';

const MESSAGE = Buffer.from('Subject: hi\r\n\r\nHello.\r\n');

/** alice's INBOX with `n` messages (UIDs 1..n); messages 2 and 4 are \Flagged. */
function inboxWith(n: number): ReturnType<typeof aliceInbox> {
  return aliceInbox(Array<Buffer>(n).fill(MESSAGE), (uid) => (uid === 2 || uid === 4 ? ['\\Flagged'] : []));
}

test('SEARCH RETURN (SAVE) then $ in FETCH, UID FETCH, SEARCH, STORE, COPY; SAVE MIN MAX keeps only those', async () => {
  const { store } = await inboxWith(5);
  const { client, greeting } = await startImapSession({ store });
  if (!greeting.includes('SEARCHRES') && !greeting.includes('IMAP4rev2')) throw new Error(greeting);
  await loginAlice(client);
  await client.play(`
    C: e ENABLE IMAP4rev2
    S: * ENABLED IMAP4rev2
    S: e OK *
    C: c CAPABILITY
    S: /^\\* CAPABILITY .* ESEARCH SEARCHRES /
    S: c OK CAPABILITY completed
    ${select('s', 5, 6)}
    C: f0 FETCH $ (UID)
    S: f0 OK FETCH completed
    C: a SEARCH RETURN (SAVE) FLAGGED
    S: a OK SEARCH completed, result saved
    C: b FETCH $ (UID)
    S: * 2 FETCH (UID 2)
    S: * 4 FETCH (UID 4)
    S: b OK FETCH completed
    C: b2 UID FETCH $ (FLAGS)
    S: * 2 FETCH (UID 2 FLAGS (\\Flagged))
    S: * 4 FETCH (UID 4 FLAGS (\\Flagged))
    S: b2 OK FETCH completed
    C: d SEARCH RETURN (ALL) $ NOT 4
    S: * ESEARCH (TAG "d") ALL 2
    S: d OK SEARCH completed
    C: d2 UID SEARCH OR UID $ 5
    S: * SEARCH 2 4 5
    S: d2 OK SEARCH completed
    C: g STORE $ +FLAGS.SILENT (\\Seen)
    S: g OK STORE completed
    C: h COPY $ Archive
    S: /^h OK \\[COPYUID \\d+ 2,4 1:2\\] COPY completed$/
    C: i SEARCH RETURN (SAVE MIN MAX) ALL
    S: * ESEARCH (TAG "i") MIN 1 MAX 5
    S: i OK SEARCH completed, result saved
    C: j FETCH $ (UID)
    S: * 1 FETCH (UID 1)
    S: * 5 FETCH (UID 5)
    S: j OK FETCH completed
    C: k SEARCH RETURN (SAVE COUNT) SEEN
    S: * ESEARCH (TAG "k") COUNT 2
    S: k OK SEARCH completed, result saved
    C: l FETCH $ (UID)
    S: * 2 FETCH (UID 2)
    S: * 4 FETCH (UID 4)
    S: l OK FETCH completed
  `);
});

test('$: unchanged by a SEARCH without SAVE and by BAD, emptied by NO; expunged messages leave it; a new selection starts empty', async () => {
  const { store, inbox } = await inboxWith(5);
  const { client } = await startImapSession({ store });
  await loginAlice(client);
  await client.play(`
    C: e ENABLE IMAP4rev2
    S: * ENABLED IMAP4rev2
    S: e OK *
    ${select('s', 5, 6)}
    C: a UID SEARCH RETURN (SAVE) 2:4
    S: a OK SEARCH completed, result saved
    C: b SEARCH ALL
    S: * SEARCH 1 2 3 4 5
    S: b OK SEARCH completed
    C: c SEARCH RETURN (SAVE) NOSUCHKEY
    S: c BAD *
    C: d FETCH $ (UID)
    S: * 2 FETCH (UID 2)
    S: * 3 FETCH (UID 3)
    S: * 4 FETCH (UID 4)
    S: d OK FETCH completed
  `);
  await store.expunge(inbox, [3], { origin: 'other' });
  await client.play(`
    C: n NOOP
    S: * 3 EXPUNGE
    S: n OK NOOP completed
    C: f FETCH $ (UID)
    S: * 2 FETCH (UID 2)
    S: * 3 FETCH (UID 4)
    S: f OK FETCH completed
    C: g STORE $ +FLAGS.SILENT (\\Deleted)
    S: g OK STORE completed
    C: h UID EXPUNGE $
    S: * 2 EXPUNGE
    S: * 2 EXPUNGE
    S: h OK EXPUNGE completed
    C: i FETCH $ (UID)
    S: i OK FETCH completed
    C: j SEARCH RETURN (SAVE) ALL
    S: j OK SEARCH completed, result saved
    C: k SEARCH RETURN (SAVE) CHARSET KOI8-R ALL
    S: k NO [BADCHARSET (UTF-8)] Unsupported charset
    C: l FETCH $ (UID)
    S: l OK FETCH completed
    C: m SEARCH RETURN (SAVE) ALL
    S: m OK SEARCH completed, result saved
    C: o UNSELECT
    S: o OK UNSELECT completed
    C: p FETCH $ (UID)
    S: p BAD FETCH is not valid in the authenticated state
    ${select('q', 2, 6)}
    C: r FETCH $ (UID)
    S: r OK FETCH completed
    C: t SEARCH RETURN (SAVE) ALL
    S: t OK SEARCH completed, result saved
    ${select('u', 2, 6).replace('S: * 2 EXISTS', 'S: * OK [CLOSED] Previous mailbox closed\n  S: * 2 EXISTS')}
    C: v MOVE $ Archive
    S: v OK MOVE completed
  `);
});
