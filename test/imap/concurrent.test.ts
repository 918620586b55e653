// Tier-4: one mailbox, four clients at once over real TCP, all of them real peers (Python's
// imaplib, smtplib and poplib in one script that orders the steps). Session A IDLEs and must
// hear every change as it happens: B's STORE (FETCH FLAGS), B's EXPUNGE (EXPUNGE), an SMTP
// delivery (EXISTS), POP3's \Seen and deletion at QUIT. Session C, which was not told of B's
// expunge, keeps its sequence numbers until a command that may say EXPUNGE (RFC 9051 §7.5.1).
// POP3 keeps the snapshot it took at login: the message IMAP expunged answers -ERR to RETR and
// TOP, its DELE is accepted and costs nothing at QUIT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runText as run } from '../helpers/run.js';
import { startTestOutpost } from '../../src/testing/index.js';
import { sharedMailStore } from '../../src/mail/service/mail-store.js';
import { ALICE, BOB, testMessage } from './helpers/imap-outpost.js';

const SCRIPT = String.raw`
import imaplib, poplib, smtplib, json, socket, sys, time
host = '127.0.0.1'
imap_port, pop_port, smtp_port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
user, pw = sys.argv[4], sys.argv[5]
out = {'idle': [], 'latency_ms': []}

def s(v):
    if isinstance(v, bytes): return v.decode('utf-8', 'replace')
    if isinstance(v, (list, tuple)): return [s(x) for x in v]
    return v

def session():
    m = imaplib.IMAP4(host, imap_port, timeout=10)
    m.login(user, pw)
    m.select('INBOX')
    return m

# POP3 first: its snapshot holds all four messages.
p = poplib.POP3(host, pop_port, timeout=10)
p.user(user)
p.pass_(pw)
out['pop_stat'] = list(p.stat())

a = session()
a.sock.settimeout(5)  # the generous bound: each change must reach the IDLE within it
a.send(b'A1 IDLE\r\n')
out['idle_start'] = s(a.readline()).strip()

def heard(what, expect):
    """Reads A's untagged lines until one starts with each of 'expect', in any order."""
    start = time.monotonic()
    want = list(expect)
    got = []
    while want:
        line = s(a.readline()).strip()
        if not line:
            raise RuntimeError('A lost its connection waiting for ' + what)
        got.append(line)
        want = [w for w in want if not line.startswith(w)]
    out['idle'].append([what, got])
    out['latency_ms'].append([what, round((time.monotonic() - start) * 1000)])

b = session()
c = session()

out['b_store'] = s(b.store('1', '+FLAGS', '(\\Flagged)'))
heard('B flags 1', ['* 1 FETCH (UID 1 FLAGS (\\Flagged))'])

b.store('2', '+FLAGS.SILENT', '(\\Deleted)')
heard('B deletes 2', ['* 2 FETCH (UID 2 FLAGS (\\Deleted))'])
out['b_expunge'] = s(b.expunge())
heard('B expunges 2', ['* 2 EXPUNGE'])

# C has not been told: its 2 is still UID 2 (gone), its 3 still UID 3.
out['c_fetch_old'] = s(c.fetch('2:4', '(UID)'))
out['c_store_old'] = s(c.store('3', '+FLAGS', '(\\Answered)'))
out['c_untagged_before'] = s(c.untagged_responses.pop('EXPUNGE', None))
heard('C answers UID 3', ['* 2 FETCH (UID 3 FLAGS (\\Answered))'])
out['c_noop'] = s(c.noop())
out['c_untagged_after'] = s(c.untagged_responses.pop('EXPUNGE', None))
out['c_fetch_new'] = s(c.fetch('1:*', '(UID)'))

smtp = smtplib.SMTP(host, smtp_port, timeout=10)
smtp.sendmail('bob@example.test', [user], b'From: bob@example.test\r\nTo: ' + user.encode() + b'\r\nSubject: by SMTP\r\n\r\nHello.\r\n')
smtp.quit()
heard('SMTP delivers', ['* 4 EXISTS'])

# POP3's snapshot still has the four messages it saw; message 2 is gone.
def pop_err(f):
    try:
        return f()
    except poplib.error_proto as e:
        return str(e)
out['pop_retr_gone'] = s(pop_err(lambda: p.retr(2)))
out['pop_top_gone'] = s(pop_err(lambda: p.top(2, 0)))
out['pop_dele_gone'] = s(p.dele(2))
out['pop_retr_4'] = s(p.retr(4)[0])
out['pop_dele_3'] = s(p.dele(3))
out['pop_quit'] = s(p.quit())
heard('POP3 QUIT', ['* 2 EXPUNGE', '* 2 FETCH (UID 4 FLAGS (\\Seen))'])

a.send(b'DONE\r\n')
out['idle_done'] = s(a.readline()).strip()
a.sock.settimeout(10)
out['a_after'] = s(a.fetch('1:*', '(UID FLAGS)'))
b.untagged_responses.clear()  # imaplib keeps SELECT's EXISTS
b.noop()  # B, too, hears of POP3's expunge only at a command that allows it
out['b_noop'] = {k: s(b.untagged_responses.pop(k, None)) for k in ('EXPUNGE', 'FETCH', 'EXISTS')}
out['b_after'] = s(b.fetch('1:*', '(UID FLAGS)'))
for m in (a, b, c):
    m.logout()
print(json.dumps(out))
`;

test('IDLE hears STORE, EXPUNGE, SMTP and POP3 as they happen; no renumbering before EXPUNGE may be said; POP3 keeps its snapshot', async (t) => {
  await using outpost = await startTestOutpost({ users: [ALICE, BOB], smtp: true, pop3: true, imap: true });
  const store = sharedMailStore(outpost.suite.context);
  for (const n of [1, 2, 3, 4]) {
    await store.accept({
      receivedAt: new Date(),
      local: [{ user: ALICE.address }],
      localBytes: Buffer.from(testMessage(n).replace(/\n/g, '\r\n')),
    });
  }
  const { imap, pop3, smtp } = outpost;
  assert.ok(imap && pop3 && smtp);
  const r = await run('python3', [
    '-c',
    SCRIPT,
    String(imap.port),
    String(pop3.port),
    String(smtp.port),
    ALICE.address,
    ALICE.password,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Record<string, unknown>;
  // For the record only (no timed assertion): how long after the changing client's answer each
  // change reached the IDLE.
  t.diagnostic(`IDLE latency (ms): ${JSON.stringify(out.latency_ms)}`);
  assert.deepEqual(out.pop_stat, [4, (out.pop_stat as number[])[1]]);
  assert.equal(out.idle_start, '+ idling');
  // Each change reached the IDLE on its own, before the next one was made.
  assert.deepEqual(
    (out.idle as [string, string[]][]).map(([what, lines]) => [what, lines.sort()]),
    [
      ['B flags 1', ['* 1 FETCH (UID 1 FLAGS (\\Flagged))']],
      ['B deletes 2', ['* 2 FETCH (UID 2 FLAGS (\\Deleted))']],
      ['B expunges 2', ['* 2 EXPUNGE']],
      ['C answers UID 3', ['* 2 FETCH (UID 3 FLAGS (\\Answered))']],
      ['SMTP delivers', ['* 4 EXISTS']],
      ['POP3 QUIT', ['* 2 EXPUNGE', '* 2 FETCH (UID 4 FLAGS (\\Seen))']],
    ],
  );
  assert.deepEqual(out.b_store, ['OK', ['1 (UID 1 FLAGS (\\Flagged))']]);
  assert.deepEqual(out.b_expunge, ['OK', ['2']]);
  // C: old numbering (2 is the expunged UID 2, 3 is UID 3), no EXPUNGE after FETCH or STORE;
  // B's flag on 1 is news C may hear then.
  assert.deepEqual(out.c_fetch_old, [
    'OK',
    ['2 (UID 2)', '3 (UID 3)', '4 (UID 4)', '1 (UID 1 FLAGS (\\Flagged))'],
  ]);
  assert.deepEqual(out.c_store_old, ['OK', ['3 (UID 3 FLAGS (\\Answered))']]);
  assert.equal(out.c_untagged_before, null);
  assert.equal((out.c_noop as [string])[0], 'OK');
  assert.deepEqual(out.c_untagged_after, ['2']);
  assert.deepEqual(out.c_fetch_new, ['OK', ['1 (UID 1)', '2 (UID 3)', '3 (UID 4)']]);
  // POP3: the snapshot's message 2 is gone; its DELE is accepted and QUIT removes only 3.
  assert.equal(out.pop_retr_gone, "b'-ERR Message 2 was removed by another client'");
  assert.equal(out.pop_top_gone, "b'-ERR Message 2 was removed by another client'");
  assert.match(out.pop_dele_gone as string, /^\+OK/);
  assert.match(out.pop_retr_4 as string, /^\+OK/);
  assert.match(out.pop_quit as string, /^\+OK .*\(2 messages left\)$/);
  assert.equal(out.idle_done, 'A1 OK IDLE terminated');
  const after = ['1 (UID 1 FLAGS (\\Flagged))', '2 (UID 4 FLAGS (\\Seen))', '3 (UID 5 FLAGS ())'];
  assert.deepEqual(out.a_after, ['OK', after]);
  assert.deepEqual(out.b_noop, { EXPUNGE: ['2'], FETCH: ['2 (UID 4 FLAGS (\\Seen))'], EXISTS: ['3'] });
  assert.deepEqual(out.b_after, ['OK', after]);
  const inbox = await store.getMailbox(ALICE.address, 'INBOX');
  assert.ok(inbox);
  assert.deepEqual(
    (await store.listMessages(inbox.id)).map((m) => m.uid),
    [1, 4, 5],
  );
});
