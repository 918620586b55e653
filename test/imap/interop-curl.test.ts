// Tier-4 interop: curl's IMAP client (imap:// with and without STARTTLS, imaps://) against the
// suite's server: listing mailboxes, fetching a message by UID, a wrong password, and APPEND
// by upload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runText as run } from '../helpers/run.js';
import { tempDir } from '../helpers/temp.js';
import { ALICE, startImapOutpost } from './helpers/imap-outpost.js';

test('curl imap:// and imaps://: LIST, FETCH by UID, STARTTLS (--ssl-reqd), APPEND by upload, wrong password', async () => {
  await using imap = await startImapOutpost();
  await imap.deliver(ALICE.address, 'Subject: for curl\n\nHello from the store.\n');
  const dir = tempDir('imap-curl-');
  const cafile = join(dir, 'ca.pem');
  writeFileSync(cafile, imap.ca);
  const auth = ['-u', `${ALICE.address}:${ALICE.password}`];
  const list = await run('curl', ['-sS', ...auth, `imap://127.0.0.1:${String(imap.port)}/`]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^\* LIST \(\\HasNoChildren\) "\/" "INBOX"\r$/m);
  assert.match(list.stdout, /^\* LIST \(\\HasNoChildren \\Sent\) "\/" "Sent"\r$/m);

  const plain = await run('curl', ['-sS', ...auth, `imap://127.0.0.1:${String(imap.port)}/INBOX;UID=1`]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.stdout, 'Subject: for curl\r\n\r\nHello from the store.\r\n');

  const starttls = await run('curl', [
    '-sS',
    '--ssl-reqd',
    '--cacert',
    cafile,
    ...auth,
    `imap://localhost:${String(imap.port)}/INBOX;UID=1;SECTION=HEADER`,
  ]);
  assert.equal(starttls.code, 0, starttls.stderr);
  assert.equal(starttls.stdout, 'Subject: for curl\r\n\r\n');

  const upload = join(dir, 'upload.eml');
  writeFileSync(upload, 'Subject: uploaded\r\n\r\nBy curl.\r\n');
  const append = await run('curl', [
    '-sS',
    '--cacert',
    cafile,
    ...auth,
    '-T',
    upload,
    `imaps://localhost:${String(imap.tlsPort)}/Drafts`,
  ]);
  assert.equal(append.code, 0, append.stderr);
  const drafts = await imap.store.getMailbox(ALICE.address, 'Drafts');
  assert.equal(drafts?.messages, 1);
  const fetched = await run('curl', [
    '-sS',
    '--cacert',
    cafile,
    ...auth,
    `imaps://localhost:${String(imap.tlsPort)}/Drafts;UID=1`,
  ]);
  assert.equal(fetched.code, 0, fetched.stderr);
  assert.equal(fetched.stdout, 'Subject: uploaded\r\n\r\nBy curl.\r\n');

  const wrong = await run('curl', [
    '-sS',
    '-u',
    `${ALICE.address}:wrong`,
    `imap://127.0.0.1:${String(imap.port)}/`,
  ]);
  assert.equal(wrong.code, 67, `curl exit 67 is a refused login: ${wrong.stderr}`);
});
