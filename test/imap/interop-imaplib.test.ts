// Tier-4 interop: Python's imaplib (a client nobody here wrote) against the suite's IMAP server
// with the real store. Session commands: CAPABILITY, LOGIN, NOOP, ID (xatom), ENABLE, LOGOUT;
// IMAP4_SSL (implicit TLS); starttls() then login; AUTHENTICATE PLAIN; a wrong password; and
// LOGINDISABLED / refused LOGIN when plaintext is off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALICE, imaplib as python, startImapOutpost } from './helpers/imap-outpost.js';

/** imaplib's ['OK', [text]] of a login: the OK carries the new capabilities (RFC 9051 §6.2.3). */
function loggedIn(reply: unknown): void {
  const [status, [text]] = reply as [string, [string]];
  assert.equal(status, 'OK');
  assert.match(text, /^\[CAPABILITY IMAP4rev1 IMAP4rev2 [^\]]*\] Logged in$/);
}

const SESSION = String.raw`
m = imaplib.IMAP4(host, port, timeout=10)
out['welcome'] = s(m.welcome)
out['caps'] = sorted(m.capabilities)
out['login'] = s(m.login(user, pw))
out['caps_after'] = sorted(s(m.capability()[1][0]).split())
out['noop'] = s(m.noop())
out['id'] = s(m.xatom('ID', '("name" "imaplib")'))
out['id_data'] = s(m.untagged_responses.get('ID'))
out['enable'] = s(m.enable('UTF8=ACCEPT'))
out['logout'] = s(m.logout())

t = imaplib.IMAP4_SSL(host, tlsport, ssl_context=ctx, timeout=10)
out['ssl_login'] = s(t.login(user, pw))
out['ssl_version'] = t.sock.version()
t.logout()

st = imaplib.IMAP4(host, port, timeout=10)
out['starttls_offered'] = 'STARTTLS' in st.capabilities
out['starttls'] = s(st.starttls(ssl_context=ctx))
out['starttls_caps'] = sorted(st.capabilities)
out['starttls_login'] = s(st.login(user, pw))
st.logout()

a = imaplib.IMAP4(host, port, timeout=10)
out['auth_plain'] = s(a.authenticate('PLAIN', lambda _: ('\0' + user + '\0' + pw).encode()))
a.logout()

b = imaplib.IMAP4(host, port, timeout=10)
try:
    b.login(user, 'wrong password')
except imaplib.IMAP4.error as e:
    out['bad_login'] = str(e)
b.logout()
print(json.dumps(out))
`;

test('python imaplib: CAPABILITY, LOGIN, NOOP, ID, ENABLE, LOGOUT; IMAP4_SSL; starttls(); AUTHENTICATE PLAIN; wrong password', async () => {
  await using imap = await startImapOutpost();
  const out = await python(imap, SESSION);
  assert.match(
    out.welcome as string,
    /^\* OK \[CAPABILITY IMAP4rev1 IMAP4rev2 .*\] .* Outpost IMAP server ready$/,
  );
  const caps = out.caps as string[];
  for (const c of [
    'IMAP4REV1',
    'IMAP4REV2',
    'AUTH=PLAIN',
    'AUTH=LOGIN',
    'STARTTLS',
    'ID',
    'ENABLE',
    'LITERAL+',
  ]) {
    assert.ok(caps.includes(c), `${c} in ${caps.join(' ')}`);
  }
  loggedIn(out.login);
  const after = out.caps_after as string[];
  assert.ok(after.includes('IMAP4rev2') && !after.includes('AUTH=PLAIN') && !after.includes('STARTTLS'));
  assert.deepEqual(out.noop, ['OK', ['NOOP completed']]);
  assert.deepEqual(out.id, ['OK', ['ID completed']]);
  assert.deepEqual(out.id_data, ['("name" "Outpost" "vendor" "Outpost")']);
  assert.deepEqual(out.enable, ['OK', ['ENABLE completed']]);
  assert.equal((out.logout as [string])[0], 'BYE');
  loggedIn(out.ssl_login);
  assert.match(out.ssl_version as string, /^TLSv1\.[23]$/);
  assert.equal(out.starttls_offered, true);
  assert.equal((out.starttls as [string])[0], 'OK');
  // After STARTTLS imaplib asks again: no STARTTLS any more.
  assert.ok(!(out.starttls_caps as string[]).includes('STARTTLS'));
  loggedIn(out.starttls_login);
  loggedIn(out.auth_plain);
  assert.match(out.bad_login as string, /\[AUTHENTICATIONFAILED\] Authentication failed/);
});

const REFUSED = String.raw`
m = imaplib.IMAP4(host, port, timeout=10)
out['caps'] = sorted(m.capabilities)
try:
    m.login(user, pw)
except imaplib.IMAP4.error as e:
    out['login'] = str(e)
m.starttls(ssl_context=ctx)
out['tls_caps'] = sorted(m.capabilities)
out['tls_login'] = s(m.login(user, pw))
m.logout()
print(json.dumps(out))
`;

test('python imaplib: require_tls gives LOGINDISABLED and refuses LOGIN until STARTTLS', async () => {
  await using imap = await startImapOutpost({ require_tls: true });
  const out = await python(imap, REFUSED);
  const caps = out.caps as string[];
  assert.ok(caps.includes('LOGINDISABLED') && !caps.some((c) => c.startsWith('AUTH=')), caps.join(' '));
  assert.match(out.login as string, /PRIVACYREQUIRED/);
  const tlsCaps = out.tls_caps as string[];
  assert.ok(!tlsCaps.includes('LOGINDISABLED') && tlsCaps.includes('AUTH=PLAIN'), tlsCaps.join(' '));
  loggedIn(out.tls_login);
});

const MAILBOXES = String.raw`
m = imaplib.IMAP4(host, port, timeout=10)
m.login(user, pw)
out['select'] = s(m.select('INBOX'))
out['exists'] = s(m.untagged_responses.get('EXISTS'))
out['uidvalidity'] = s(m.response('UIDVALIDITY'))
out['examine'] = s(m.select('INBOX', readonly=True))
out['close'] = s(m.close())
out['create'] = s(m.create('Work/Reports'))
out['create_again'] = s(m.create('Work/Reports'))
out['rename'] = s(m.rename('Work/Reports', 'Work/Old'))
out['list'] = s(m.list())
out['list_pattern'] = s(m.list('Work/', '%'))
out['subscribe'] = s(m.subscribe('Work/Old'))
out['lsub'] = s(m.lsub('""', 'Work/*'))
out['unsubscribe'] = s(m.unsubscribe('Work/Old'))
out['namespace'] = s(m.namespace())
out['status'] = s(m.status('INBOX', '(MESSAGES UNSEEN UIDNEXT)'))
out['delete'] = s(m.delete('Work/Old'))
out['delete_missing'] = s(m.delete('Work/Old'))
out['select_missing'] = s(m.select('Nope'))
m.select('INBOX')
out['unselect'] = s(m.unselect())
out['utf7_create'] = s(m.create('&ZeVnLIqe-'))
out['utf7_list'] = s(m.list('""', '&ZeVnLIqe-'))
m.logout()
print(json.dumps(out))
`;

test('python imaplib: SELECT, EXAMINE, CLOSE, CREATE, RENAME, LIST, SUBSCRIBE, LSUB, NAMESPACE, STATUS, DELETE, UNSELECT, modified UTF-7', async () => {
  await using imap = await startImapOutpost();
  await imap.deliver(ALICE.address, 'Subject: one\n\nbody\n');
  await imap.deliver(ALICE.address, 'Subject: two\n\nbody\n');
  const out = await python(imap, MAILBOXES);
  assert.deepEqual(out.select, ['OK', ['2']]);
  assert.deepEqual(out.exists, ['2']);
  assert.match((out.uidvalidity as [string, [string]])[1][0], /^\d+$/);
  assert.deepEqual(out.examine, ['OK', ['2']]);
  assert.deepEqual(out.close, ['OK', ['CLOSE completed']]);
  assert.deepEqual(out.create, ['OK', ['CREATE completed']]);
  assert.deepEqual(out.create_again, ['NO', ['[ALREADYEXISTS] Mailbox already exists']]);
  assert.deepEqual(out.rename, ['OK', ['RENAME completed']]);
  const list = (out.list as [string, string[]])[1];
  assert.ok(list.includes('(\\HasNoChildren) "/" "INBOX"'), list.join('\n'));
  assert.ok(list.includes('(\\HasNoChildren \\Sent) "/" "Sent"'), list.join('\n'));
  assert.ok(list.includes('(\\HasChildren) "/" "Work"'), list.join('\n'));
  assert.ok(list.includes('(\\HasNoChildren) "/" "Work/Old"'), list.join('\n'));
  assert.ok(!list.some((l) => l.includes('Work/Reports')));
  assert.deepEqual(out.list_pattern, ['OK', ['(\\HasNoChildren) "/" "Work/Old"']]);
  assert.deepEqual(out.lsub, ['OK', ['() "/" "Work/Old"']]);
  assert.deepEqual(out.namespace, ['OK', ['(("" "/")) NIL NIL']]);
  assert.deepEqual(out.status, ['OK', ['"INBOX" (MESSAGES 2 UNSEEN 2 UIDNEXT 3)']]);
  assert.deepEqual(out.delete, ['OK', ['DELETE completed']]);
  assert.deepEqual(out.delete_missing, ['NO', ['[NONEXISTENT] No such mailbox']]);
  assert.deepEqual(out.select_missing, ['NO', ['[NONEXISTENT] No such mailbox']]);
  assert.deepEqual(out.unselect, ['OK', ['UNSELECT completed']]);
  assert.deepEqual(out.utf7_create, ['OK', ['CREATE completed']]);
  assert.deepEqual(out.utf7_list, ['OK', ['(\\HasNoChildren) "/" "&ZeVnLIqe-"']]);
  const names = (await imap.store.listMailboxes(ALICE.address)).map((m) => m.name);
  assert.ok(names.includes('日本語'), names.join(', '));
});

const MESSAGES = String.raw`
import time
m = imaplib.IMAP4(host, port, timeout=10)
m.login(user, pw)
msg = b'From: Bob <bob@example.test>\r\nTo: alice@example.test\r\nSubject: appended\r\nX-Extra: yes\r\n\r\nAppended body.\r\n'
out['append'] = s(m.append('INBOX', '(\\Flagged)', imaplib.Time2Internaldate(time.mktime((2026, 12, 1, 10, 0, 0, 0, 0, 0))), msg))
out['append_missing'] = s(m.append('Nope', None, None, msg))
out['select'] = s(m.select('INBOX'))
out['fetch_meta'] = s(m.fetch('1:*', '(UID FLAGS RFC822.SIZE INTERNALDATE)'))
out['fetch_envelope'] = s(m.fetch('3', '(ENVELOPE)'))
out['fetch_bodystructure'] = s(m.fetch('1', '(BODYSTRUCTURE)'))
out['fetch_peek'] = s(m.fetch('3', '(BODY.PEEK[HEADER.FIELDS (SUBJECT X-EXTRA)])'))
out['flags_after_peek'] = s(m.fetch('3', '(FLAGS)'))
out['fetch_text_partial'] = s(m.fetch('3', '(BODY[TEXT]<0.8>)'))
out['fetch_rfc822'] = s(m.fetch('1', '(RFC822)'))
out['flags_after_body'] = s(m.fetch('1', '(FLAGS)'))
out['uid_fetch'] = s(m.uid('FETCH', '2', '(FLAGS)'))
out['store'] = s(m.store('2', '+FLAGS', '(\\Deleted $Label1)'))
out['store_silent'] = s(m.store('1', '-FLAGS.SILENT', '(\\Seen)'))
out['uid_store'] = s(m.uid('STORE', '3', 'FLAGS', '(\\Answered)'))
out['expunge'] = s(m.expunge())
out['after'] = s(m.fetch('1:*', '(UID FLAGS)'))
out['store_bad_state'] = None
m.logout()
print(json.dumps(out))
`;

test('python imaplib: APPEND (APPENDUID, TRYCREATE), FETCH items and sections, \\Seen by BODY[], STORE, UID STORE, EXPUNGE', async () => {
  await using imap = await startImapOutpost();
  await imap.deliver(ALICE.address, 'From: Bob <bob@example.test>\nSubject: one\n\nfirst body\n');
  await imap.deliver(ALICE.address, 'Subject: two\n\nsecond body\n');
  const out = await python(imap, MESSAGES);
  const [status, [appendText]] = out.append as [string, [string]];
  assert.equal(status, 'OK');
  assert.match(appendText, /^\[APPENDUID \d+ 3\] APPEND completed$/);
  assert.equal((out.append_missing as [string, [string]])[1][0], '[TRYCREATE] No such mailbox');
  assert.deepEqual(out.select, ['OK', ['3']]);
  const meta = (out.fetch_meta as [string, string[]])[1];
  assert.equal(meta.length, 3);
  assert.match(
    meta[0] ?? '',
    /^1 \(UID 1 FLAGS \(\) RFC822\.SIZE \d+ INTERNALDATE "\d\d-\w{3}-\d{4} \d\d:\d\d:\d\d [+-]\d{4}"\)$/,
  );
  assert.match(meta[2] ?? '', /^3 \(UID 3 FLAGS \(\\Flagged\) RFC822\.SIZE 105 INTERNALDATE "01-Dec-2026 /);
  assert.match(
    (out.fetch_envelope as [string, string[]])[1][0] ?? '',
    /^3 \(ENVELOPE \(NIL "appended" \(\("Bob" NIL "bob" "example\.test"\)\) .*\(\(NIL NIL "alice" "example\.test"\)\) NIL NIL NIL NIL\)\)$/,
  );
  assert.match(
    (out.fetch_bodystructure as [string, string[]])[1][0] ?? '',
    /^1 \(BODYSTRUCTURE \("TEXT" "PLAIN" /i,
  );
  const peek = (out.fetch_peek as [string, [[string, string], string]])[1][0];
  assert.deepEqual(peek, [
    '3 (BODY[HEADER.FIELDS (SUBJECT X-EXTRA)] {35}',
    'Subject: appended\r\nX-Extra: yes\r\n\r\n',
  ]);
  assert.deepEqual(out.flags_after_peek, ['OK', ['3 (FLAGS (\\Flagged))']]);
  const partial = (out.fetch_text_partial as [string, [[string, string], string]])[1][0];
  assert.deepEqual(partial[1], 'Appended');
  assert.match(partial[0], /^3 \(BODY\[TEXT\]<0> \{8\}$/);
  const rfc822 = (out.fetch_rfc822 as [string, [[string, string], string]])[1][0];
  assert.equal(rfc822[1], 'From: Bob <bob@example.test>\r\nSubject: one\r\n\r\nfirst body\r\n');
  assert.deepEqual(out.flags_after_body, ['OK', ['1 (FLAGS (\\Seen))']]);
  assert.deepEqual(out.uid_fetch, ['OK', ['2 (UID 2 FLAGS ())']]);
  assert.deepEqual(out.store, ['OK', ['2 (UID 2 FLAGS ($Label1 \\Deleted))']]);
  assert.deepEqual(out.store_silent, ['OK', [null]]);
  assert.deepEqual(out.uid_store, ['OK', ['3 (UID 3 FLAGS (\\Answered))']]);
  assert.deepEqual(out.expunge, ['OK', ['2']]);
  assert.deepEqual(out.after, ['OK', ['1 (UID 1 FLAGS ())', '2 (UID 3 FLAGS (\\Answered))']]);
});

const COPY_MOVE = String.raw`
m = imaplib.IMAP4(host, port, timeout=10)
m.login(user, pw)
m.select('INBOX')
out['copy'] = s(m.copy('1', 'Archive'))
out['copy_missing'] = s(m.copy('1', 'Nope'))
out['move'] = s(m._simple_command('MOVE', '1', 'Trash'))
out['move_data'] = s(m.untagged_responses.pop('OK', None))
out['expunged'] = s(m.untagged_responses.pop('EXPUNGE', None))
out['uid_move'] = s(m.uid('MOVE', '3', 'Archive'))
out['inbox'] = s(m.fetch('1:*', '(UID)'))
out['archive'] = s(m.status('Archive', '(MESSAGES)'))
out['trash'] = s(m.status('Trash', '(MESSAGES)'))
m.logout()
print(json.dumps(out))
`;

test('python imaplib: COPY and MOVE / UID MOVE with COPYUID, TRYCREATE, EXPUNGE responses', async () => {
  await using imap = await startImapOutpost();
  for (const n of [1, 2, 3]) await imap.deliver(ALICE.address, `Subject: ${String(n)}\n\nbody\n`);
  const out = await python(imap, COPY_MOVE);
  assert.match((out.copy as [string, [string]])[1][0], /^\[COPYUID \d+ 1 1\] COPY completed$/);
  assert.deepEqual(out.copy_missing, ['NO', ['[TRYCREATE] No such mailbox']]);
  assert.deepEqual(out.move, ['OK', ['MOVE completed']]);
  assert.match(((out.move_data as string[] | null) ?? []).join(' '), /\[COPYUID \d+ 1 1\] Moved/);
  assert.deepEqual(out.expunged, ['1']);
  assert.equal((out.uid_move as [string])[0], 'OK');
  assert.deepEqual(out.inbox, ['OK', ['1 (UID 2)']]);
  assert.deepEqual(out.archive, ['OK', ['"Archive" (MESSAGES 2)']]);
  assert.deepEqual(out.trash, ['OK', ['"Trash" (MESSAGES 1)']]);
});

const IDLE = String.raw`
m = imaplib.IMAP4(host, port, timeout=10)
m.login(user, pw)
m.select('INBOX')
m.send(b'i1 IDLE\r\n')
out['continuation'] = s(m.readline()).strip()
other = imaplib.IMAP4(host, port, timeout=10)
other.login(user, pw)
other.append('INBOX', None, None, b'Subject: during idle\r\n\r\nHi.\r\n')
out['event'] = s(m.readline()).strip()
m.send(b'DONE\r\n')
out['done'] = s(m.readline()).strip()
other.logout()
m.logout()
print(json.dumps(out))
`;

test("IDLE over a real connection (imaplib's transport): another session's APPEND arrives as EXISTS", async () => {
  await using imap = await startImapOutpost();
  await imap.deliver(ALICE.address, 'Subject: one\n\nbody\n');
  const out = await python(imap, IDLE);
  assert.equal(out.continuation, '+ idling');
  assert.equal(out.event, '* 2 EXISTS');
  assert.equal(out.done, 'i1 OK IDLE terminated');
});

const SEARCH = String.raw`
m = imaplib.IMAP4(host, port, timeout=10)
m.login(user, pw)
m.select('INBOX')
m.store('2', '+FLAGS', '(\\Flagged)')
out['all'] = s(m.search(None, 'ALL'))
out['flagged'] = s(m.search(None, 'FLAGGED'))
out['unflagged_or'] = s(m.search(None, 'OR', 'FLAGGED', 'SUBJECT', 'gamma'))
out['subject'] = s(m.search(None, 'SUBJECT', 'beta'))
out['body'] = s(m.search('UTF-8', 'BODY', 'kaffee'))
out['not_from'] = s(m.search(None, 'NOT', 'FROM', 'carol'))
out['larger'] = s(m.search(None, 'LARGER', '60'))
out['since'] = s(m.search(None, 'SENTSINCE', '1-Jan-2026', 'SENTBEFORE', '1-Mar-2026'))
out['uid'] = s(m.uid('SEARCH', 'UID', '2:*', 'UNSEEN'))
out['esearch'] = s(m._simple_command('SEARCH', 'RETURN', '(MIN MAX COUNT)', 'ALL'))
out['esearch_data'] = s(m.untagged_responses.pop('ESEARCH', None))
out['badcharset'] = s(m.search('KOI8-R', 'ALL'))
m.logout()
print(json.dumps(out))
`;

test('python imaplib: SEARCH by flags, header, body (decoded), sizes, sent dates, OR/NOT, UID SEARCH, ESEARCH, BADCHARSET', async () => {
  await using imap = await startImapOutpost();
  await imap.deliver(
    ALICE.address,
    'From: carol@example.test\nSubject: alpha\nDate: Thu, 15 Jan 2026 10:00:00 +0000\n\nplain text\n',
  );
  await imap.deliver(
    ALICE.address,
    'From: bob@example.test\nSubject: beta\nDate: Sun, 15 Mar 2026 10:00:00 +0000\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nKaffee und Kuchen =E2=98=95\n',
  );
  await imap.deliver(ALICE.address, 'From: bob@example.test\nSubject: gamma\n\nthird\n');
  const out = await python(imap, SEARCH);
  assert.deepEqual(out.all, ['OK', ['1 2 3']]);
  assert.deepEqual(out.flagged, ['OK', ['2']]);
  assert.deepEqual(out.unflagged_or, ['OK', ['2 3']]);
  assert.deepEqual(out.subject, ['OK', ['2']]);
  assert.deepEqual(out.body, ['OK', ['2']]);
  assert.deepEqual(out.not_from, ['OK', ['2 3']]);
  assert.deepEqual(out.larger, ['OK', ['1 2']]);
  assert.deepEqual(out.since, ['OK', ['1']]);
  assert.deepEqual(out.uid, ['OK', ['2 3']]);
  assert.equal((out.esearch as [string])[0], 'OK');
  assert.match((out.esearch_data as string[])[0] ?? '', /^\(TAG "\w+"\) MIN 1 MAX 3 COUNT 3$/);
  assert.match((out.badcharset as [string, [string]])[1][0], /^\[BADCHARSET \(UTF-8\)\]/);
});
