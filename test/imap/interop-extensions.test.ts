// Tier-4 interop for the IMAP extensions against the suite's server and real store: SEARCHRES
// through Python's imaplib (SEARCH RETURN (SAVE), then FETCH $, UID SEARCH $, COPY $ as
// imaplib sends them) and UNAUTHENTICATE (then a login as another user on the same
// connection, over STARTTLS); BINARY through imapflow (APPEND of a message with NUL octets as
// literal8, FETCH BINARY.PEEK of a base64 part and of the whole message, download() of the part).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { recordTranscript } from '../../src/testing/index.js';
import {
  imaplib,
  startImapOutpost,
  testMessage,
  ALICE,
  BOB,
  type ImapOutpost,
} from './helpers/imap-outpost.js';

/** An imapflow client for ALICE on the plain port (STARTTLS when offered, trusting the suite's CA). */
function imapflow(imap: ImapOutpost, options: Record<string, unknown> = {}): ImapFlow {
  return new ImapFlow({
    host: 'localhost',
    port: imap.port,
    secure: false,
    auth: { user: ALICE.address, pass: ALICE.password },
    tls: { ca: [imap.ca] },
    logger: false,
    ...options,
  });
}

const SEARCHRES = String.raw`
m = imaplib.IMAP4(host, port, timeout=10)
m.login(user, pw)
out['caps'] = sorted(s(m.capability()[1][0]).split())
m.select('INBOX')
out['save'] = s(m._simple_command('SEARCH', 'RETURN', '(SAVE)', 'SUBJECT', '"message 2"'))
out['save_untagged'] = s(m.untagged_responses.pop('ESEARCH', None))
out['fetch'] = s(m.fetch('$', '(UID)'))
out['uid_search'] = s(m.uid('SEARCH', '$'))
m.create('Kept')
out['copy'] = s(m.copy('$', 'Kept'))
out['kept'] = s(m.select('Kept'))
out['fetch_empty'] = s(m.fetch('$', '(UID)'))
m.logout()
print(json.dumps(out))
`;

test('python imaplib: SEARCH RETURN (SAVE), FETCH $, UID SEARCH $, COPY $; $ is empty in a new selection', async () => {
  await using imap = await startImapOutpost();
  for (let i = 1; i <= 3; i++) await imap.deliver(ALICE.address, testMessage(i));
  const out = await imaplib(imap, SEARCHRES);
  assert.ok((out.caps as string[]).includes('SEARCHRES'));
  assert.deepEqual(out.save, ['OK', ['SEARCH completed, result saved']]);
  assert.equal(out.save_untagged, null);
  assert.deepEqual(out.fetch, ['OK', ['2 (UID 2)']]);
  assert.deepEqual(out.uid_search, ['OK', ['2']]);
  assert.equal((out.copy as string[])[0], 'OK');
  assert.deepEqual(out.kept, ['OK', ['1']]);
  assert.deepEqual(out.fetch_empty, ['OK', [null]]);
});

const BLOB = Buffer.from([0, 1, 2, 0xff, 0, 0x0d, 0x0a, 0x41, 0]);

test('imapflow: APPEND with NUL octets as literal8, FETCH BINARY.PEEK of a base64 part, and download() of that part', async () => {
  await using imap = await startImapOutpost();
  const wire = recordTranscript((e) => e.protocol === 'imap');
  const client = imapflow(imap);
  await client.connect();
  try {
    assert.ok(client.capabilities.has('BINARY'));
    const raw = Buffer.concat([Buffer.from('Subject: nul octets\r\n\r\n'), BLOB]);
    const appended = await client.append('INBOX', raw);
    assert.ok(appended !== false);
    const mime = [
      'Subject: attachment',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'see attached',
      '--b',
      'Content-Type: application/octet-stream',
      'Content-Transfer-Encoding: base64',
      '',
      BLOB.toString('base64'),
      '--b--',
      '',
    ].join('\r\n');
    const second = await client.append('INBOX', mime);
    assert.ok(second !== false);
    const lock = await client.getMailboxLock('INBOX');
    try {
      const first = await client.fetchOne(
        String(appended.uid),
        { source: true },
        { uid: true, binary: true },
      );
      assert.ok(first !== false);
      assert.deepEqual(first.source, raw);
      const part = await client.fetchOne(
        String(second.uid),
        { bodyParts: ['2'] },
        { uid: true, binary: true },
      );
      assert.ok(part !== false);
      assert.deepEqual(part.bodyParts?.get('2'), BLOB);
      const { content } = await client.download(String(second.uid), '2', { uid: true });
      const chunks: Buffer[] = [];
      for await (const chunk of content ?? []) chunks.push(chunk as Buffer);
      assert.deepEqual(Buffer.concat(chunks), BLOB);
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
    wire.stop();
  }
  // What went over the wire: literal8 for the APPEND, BINARY.PEEK for the part (its NUL octets
  // came back whole above, so as literal8).
  const lines = wire.entries.map((e) => `${e.direction}: ${e.text}`);
  assert.ok(
    lines.some((l) => /^C: \S+ APPEND INBOX .*~\{\d+\+?\}$/.test(l)),
    lines.join('\n'),
  );
  assert.ok(
    lines.some((l) => /^C: \S+ UID FETCH \d+ \(.*BINARY\.PEEK\[2\]/.test(l)),
    lines.join('\n'),
  );
});

const UNAUTHENTICATE = String.raw`
bob, bobpw = sys.argv[7:9]
imaplib.Commands['UNAUTHENTICATE'] = ('AUTH', 'SELECTED')
m = imaplib.IMAP4(host, port, timeout=10)
m.starttls(ssl_context=ctx)
m.login(user, pw)
out['caps'] = sorted(s(m.capability()[1][0]).split())
out['alice_inbox'] = s(m.select('INBOX'))
out['unauth'] = s(m._simple_command('UNAUTHENTICATE'))
m.state = 'NONAUTH'
out['caps_after'] = sorted(s(m.capability()[1][0]).split())
out['bob'] = s(m.login(bob, bobpw))
out['bob_inbox'] = s(m.select('INBOX'))
out['tls'] = m.sock.version()
m.logout()
print(json.dumps(out))
`;

test('python imaplib: UNAUTHENTICATE after SELECT over STARTTLS, then LOGIN as bob on the same connection', async () => {
  await using imap = await startImapOutpost();
  await imap.deliver(ALICE.address, testMessage(1));
  await imap.deliver(ALICE.address, testMessage(2));
  const out = await imaplib(imap, UNAUTHENTICATE, [BOB.address, BOB.password]);
  assert.ok((out.caps as string[]).includes('UNAUTHENTICATE'));
  assert.deepEqual(out.alice_inbox, ['OK', ['2']]);
  assert.deepEqual(out.unauth, ['OK', ['UNAUTHENTICATE completed']]);
  assert.ok((out.caps_after as string[]).includes('AUTH=PLAIN'));
  assert.ok(!(out.caps_after as string[]).includes('UNAUTHENTICATE'));
  assert.equal((out.bob as string[])[0], 'OK');
  assert.deepEqual(out.bob_inbox, ['OK', ['0']]);
  assert.match(out.tls as string, /^TLSv1\.[23]$/);
});
