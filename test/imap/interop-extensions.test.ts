// Tier-4 interop for the IMAP extensions against the suite's server and real store: SEARCHRES
// through Python's imaplib (SEARCH RETURN (SAVE), then FETCH $, UID SEARCH $, COPY $ as
// imaplib sends them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imaplib, startImapOutpost, testMessage, ALICE } from './helpers/imap-outpost.js';

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
