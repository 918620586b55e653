// Tier-2 transcripts of the SMTP session over the in-memory script client (no sockets): a whole
// delivery, and the session's one error boundary: a throwing `authenticate` or recipient hook is
// answered `451 4.3.0`, logged without the password, and the session stays usable; a handler
// called outside its phases throws instead of returning silently; the gate is a pure function.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS, checkCommand } from '../../../src/mail/smtp/commands/table.js';
import type { SmtpSessionContext } from '../../../src/mail/smtp/session-context.js';
import type { SessionState } from '../../../src/mail/smtp/state.js';
import { captureLogs } from '../../helpers/log-capture.js';
import { HOSTNAME, plain, startSmtpSession } from './helpers/session-harness.js';

test('a delivery over the in-memory session: EHLO, MAIL, RCPT, DATA, QUIT, and the message is stored', async () => {
  const { client, done, store } = await startSmtpSession();
  await client.play(`
    S: 220 ${HOSTNAME} ESMTP Outpost
    C: EHLO client.test
    S: 250-${HOSTNAME} Hello client.test [127.0.0.1]
    S: 250-PIPELINING
    S: 250-8BITMIME
    S: 250-SMTPUTF8
    S: 250-ENHANCEDSTATUSCODES
    S: 250-DSN
    S: 250-AUTH PLAIN LOGIN
    S: 250-SIZE 26214400
    S: 250-CHUNKING
    S: 250 HELP
    C: MAIL FROM:<a@remote.test>
    S: 250 2.1.0 Sender OK
    C: RCPT TO:<bob@example.test>
    S: 250 2.1.5 Recipient OK
    C: DATA
    S: 354 End data with <CR><LF>.<CR><LF>
    C: Subject: hi
    C:
    C: hello bob
    C: .
    S: 250 2.0.0 OK: queued as *
    C: QUIT
    S: 221 2.0.0 ${HOSTNAME} Bye
    S: <closed>
  `);
  await done;
  const box = await store.getMailbox('bob@example.test', 'INBOX');
  assert.ok(box);
  const [m] = await store.listMessages(box.id);
  assert.ok(m);
  assert.match((await store.readMessage(box.id, m.uid))?.toString() ?? '', /\r\n\r\nhello bob\r\n$/);
});

test('a throwing authenticate hook: 451 4.3.0, logged without the password, the session goes on', async () => {
  const { logger, entries, raw } = captureLogs();
  let failures = 1;
  const { client, done } = await startSmtpSession({
    listener: 'submission',
    logger,
    hooks: {
      authenticate: (username) => {
        if (failures-- > 0) return Promise.reject(new Error('account database unreachable'));
        return Promise.resolve({ ok: true, user: username });
      },
    },
  });
  await client.play(`
    S: 220 *
    C: EHLO client.test
    S: /^250-/
    S: /^250-/
    S: /^250-/
    S: /^250-/
    S: /^250-/
    S: /^250-/
    S: /^250-/
    S: /^250-/
    S: /^250-/
    S: 250 HELP
    C: AUTH PLAIN ${plain('bob@example.test')}
    S: 451 4.3.0 Local error in processing, try again later
    C: MAIL FROM:<bob@example.test>
    S: 530 5.7.0 Authentication required
    C: AUTH LOGIN
    S: 334 VXNlcm5hbWU6
    C: ${Buffer.from('bob@example.test').toString('base64')}
    S: 334 UGFzc3dvcmQ6
    C: ${Buffer.from('correct horse').toString('base64')}
    S: 235 2.7.0 Authentication successful
    C: MAIL FROM:<bob@example.test>
    S: 250 2.1.0 Sender OK
    C: QUIT
    S: 221 *
    S: <closed>
  `);
  await done;
  const failure = entries.find((e) => e.msg === 'smtp: AUTH failed unexpectedly');
  assert.ok(failure, JSON.stringify(entries.map((e) => e.msg)));
  assert.match(JSON.stringify(failure.err), /account database unreachable/);
  assert.ok(!raw.some((l) => l.includes('correct horse') || l.includes(plain('bob@example.test'))));
});

test('a throwing recipient hook: 451 4.3.0 for that RCPT, the transaction goes on', async () => {
  const { client, done } = await startSmtpSession({
    hooks: {
      localUser: (address) => {
        if (address.startsWith('boom@')) return Promise.reject(new Error('directory down'));
        return Promise.resolve(address === 'bob@example.test' ? address : null);
      },
    },
  });
  await client.play(`
    S: 220 *
    C: HELO client.test
    S: 250 *
    C: MAIL FROM:<a@remote.test>
    S: 250 2.1.0 Sender OK
    C: RCPT TO:<boom@example.test>
    S: 451 4.3.0 Local error in processing, try again later
    C: RCPT TO:<bob@example.test>
    S: 250 2.1.5 Recipient OK
    C: RSET
    S: 250 2.0.0 Reset OK
    C: QUIT
    S: 221 *
    S: <closed>
  `);
  await done;
});

test('a handler called outside its phases throws instead of returning silently', () => {
  const ctx = {} as SmtpSessionContext;
  const fresh: SessionState = { phase: 'fresh', user: null };
  for (const verb of ['MAIL', 'RCPT', 'DATA', 'AUTH']) {
    const spec = COMMANDS.get(verb);
    assert.ok(spec);
    assert.throws(() => spec.run(ctx, 'x', fresh), new RegExp(`${verb} run in the fresh phase`));
  }
});

test('checkCommand is pure: phase, arguments, submission gating and HTTP on the mail port', () => {
  const fresh: SessionState = { phase: 'fresh', user: null };
  const ready: SessionState = { phase: 'ready', greeting: { name: 'c', esmtp: true }, user: null };
  const mx = { submission: false, authOffered: true };
  const verdict = (verb: string, args: string, state: SessionState, listener = mx): string => {
    const g = checkCommand({ verb, args }, { state, ...listener });
    return g.ok ? `run ${g.command.verb}` : `${String(g.reply.code)}${g.close ? ' close' : ''}`;
  };
  assert.equal(verdict('MAIL', 'FROM:<a@b.c>', fresh), '503');
  assert.equal(verdict('MAIL', 'FROM:<a@b.c>', ready), 'run MAIL');
  assert.equal(verdict('MAIL', '', ready), '501');
  assert.equal(verdict('RSET', 'x', ready), '501');
  assert.equal(verdict('XYZZY', '', ready), '500');
  assert.equal(verdict('GET', '/ HTTP/1.1', fresh), '554 close');
  assert.equal(verdict('GET', '/ HTTP/1.1', ready), '500');
  assert.equal(verdict('MAIL', 'FROM:<a@b.c>', ready, { submission: true, authOffered: false }), '530');
  assert.equal(verdict('MAIL', 'FROM:<a@b.c>', ready, { submission: true, authOffered: true }), '530');
  assert.equal(verdict('AUTH', 'PLAIN', ready, { submission: true, authOffered: true }), 'run AUTH');
  assert.equal(verdict('NOOP', '', fresh, { submission: true, authOffered: false }), 'run NOOP');
});
