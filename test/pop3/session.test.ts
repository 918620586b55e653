// Tier-2 transcript tests of the POP3 session (RFC 1939, RFC 2449, RFC 5034): every command in
// every state, over an in-memory duplex with the fake store and a real (in-memory) AccountStore.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pop3TestStore } from './helpers/test-store.js';
import { loginAlice, message, startSession } from './helpers/session-harness.js';
import { MaildropLocks } from '../../src/pop3/maildrop.js';

async function aliceStore(n = 3): Promise<Pop3TestStore> {
  const store = new Pop3TestStore();
  for (let i = 1; i <= n; i++) await store.add('alice@example.test', message(`m${i}`));
  return store;
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

test('AUTHORIZATION: CAPA lists the table capabilities, USER/SASL on loopback, no STLS without a certificate', async () => {
  const { client } = await startSession();
  await client.play(`
    C: CAPA
    S: +OK Capability list follows
    S: TOP
    S: UIDL
    S: USER
    S: SASL PLAIN LOGIN
    S: RESP-CODES
    S: AUTH-RESP-CODE
    S: PIPELINING
    S: IMPLEMENTATION Outpost
    S: .
    C: QUIT
    S: +OK pop.example.test POP3 server signing off
    S: <closed>
  `);
});

test('AUTHORIZATION: transaction commands are refused with the state named', async () => {
  const { client } = await startSession({ store: await aliceStore() });
  for (const c of [
    'STAT',
    'LIST',
    'LIST 1',
    'RETR 1',
    'DELE 1',
    'RSET',
    'NOOP',
    'TOP 1 0',
    'UIDL',
    'UIDL 1',
  ]) {
    const verb = c.split(' ')[0] ?? '';
    assert.equal(await client.cmd(c), `-ERR ${verb} is not valid in the AUTHORIZATION state`, c);
  }
  assert.equal(await client.cmd('APOP alice 0123456789abcdef0123456789abcdef'), '-ERR Unknown command');
  client.end();
});

test('USER/PASS logs in, PASS before USER is refused, a wrong password gets [AUTH] and forgets USER', async () => {
  const { client } = await startSession({ store: await aliceStore(2) });
  assert.equal(await client.cmd('PASS alice pw'), '-ERR USER first');
  assert.equal(await client.cmd('USER alice@example.test'), '+OK Send your password');
  assert.equal(await client.cmd('PASS wrong'), '-ERR [AUTH] Authentication failed');
  assert.equal(await client.cmd('PASS alice pw'), '-ERR USER first');
  assert.equal(await client.cmd('USER nobody@example.test'), '+OK Send your password', 'no user enumeration');
  assert.equal(await client.cmd('PASS x'), '-ERR [AUTH] Authentication failed');
  // The password is the rest of the line: it contains a space.
  const size = Buffer.byteLength(message('m1'));
  assert.equal(
    await loginAlice(client),
    `+OK alice@example.test has 2 messages (${String(size * 2)} octets)`,
  );
  client.end();
});

test('three failed logins end the session', async () => {
  const { client } = await startSession();
  const attempt = `
    C: USER alice@example.test
    S: +OK Send your password
    C: PASS nope
    S: -ERR [AUTH] Authentication failed
  `;
  await client.play(`${attempt}${attempt}${attempt}\nS: <closed>`);
});

test('TRANSACTION: STAT, LIST, LIST n, UIDL, UIDL n, NOOP', async () => {
  const store = await aliceStore(3);
  const { client } = await startSession({ store });
  await loginAlice(client);
  const size = Buffer.byteLength(message('m1'));
  assert.equal(await client.cmd('STAT'), `+OK 3 ${String(size * 3)}`);
  assert.equal(await client.cmd('LIST'), `+OK 3 messages (${String(size * 3)} octets)`);
  assert.deepEqual(await client.body(), [`1 ${String(size)}`, `2 ${String(size)}`, `3 ${String(size)}`]);
  assert.equal(await client.cmd('LIST 2'), `+OK 2 ${String(size)}`);
  assert.equal(await client.cmd('UIDL'), '+OK Unique-ID listing follows');
  assert.deepEqual(await client.body(), ['1 1700000000.1', '2 1700000000.2', '3 1700000000.3']);
  assert.equal(await client.cmd('UIDL 3'), '+OK 3 1700000000.3');
  assert.equal(await client.cmd('NOOP'), '+OK');
  client.end();
});

test('TRANSACTION: AUTHORIZATION commands are refused; CAPA no longer offers USER/SASL', async () => {
  const { client } = await startSession({ store: await aliceStore(1) });
  await loginAlice(client);
  for (const c of ['USER alice@example.test', 'PASS x', 'AUTH PLAIN', 'STLS']) {
    const verb = c.split(' ')[0] ?? '';
    assert.equal(await client.cmd(c), `-ERR ${verb} is not valid in the TRANSACTION state`, c);
  }
  assert.equal(await client.cmd('CAPA'), '+OK Capability list follows');
  assert.deepEqual(await client.body(), [
    'TOP',
    'UIDL',
    'RESP-CODES',
    'AUTH-RESP-CODE',
    'PIPELINING',
    'IMPLEMENTATION Outpost',
  ]);
  client.end();
});

test('RETR sends the stored bytes dot-stuffed and terminated; TOP sends the header and n lines', async () => {
  const store = new Pop3TestStore();
  const body = '.leading dot\r\nline 2\r\n..two dots\r\n.\r\nlast\r\n';
  await store.add('alice@example.test', message('dots', body));
  await store.add('alice@example.test', 'Subject: no final newline\r\n\r\nabc');
  const { client } = await startSession({ store });
  await loginAlice(client);
  const size = Buffer.byteLength(message('dots', body));
  assert.equal(await client.cmd('RETR 1'), `+OK ${String(size)} octets`);
  const raw = await client.rawBody();
  assert.equal(
    raw,
    'From: bob@example.test\r\nTo: alice@example.test\r\nSubject: dots\r\n\r\n' +
      '..leading dot\r\nline 2\r\n...two dots\r\n..\r\nlast\r\n.\r\n',
  );
  const second = 'Subject: no final newline\r\n\r\nabc';
  assert.equal(await client.cmd('RETR 2'), `+OK ${String(second.length)} octets`);
  assert.equal(await client.rawBody(), 'Subject: no final newline\r\n\r\nabc\r\n.\r\n');
  assert.equal(await client.cmd('TOP 1 0'), '+OK Top of message follows');
  assert.deepEqual(await client.body(), [
    'From: bob@example.test',
    'To: alice@example.test',
    'Subject: dots',
    '',
  ]);
  assert.equal(await client.cmd('TOP 1 2'), '+OK Top of message follows');
  assert.deepEqual(await client.body(), [
    'From: bob@example.test',
    'To: alice@example.test',
    'Subject: dots',
    '',
    '.leading dot',
    'line 2',
  ]);
  assert.equal(await client.cmd('TOP 1 99999999999999999999'), '+OK Top of message follows');
  assert.equal((await client.body()).length, 9);
  client.end();
});

test('DELE marks; deleted messages refuse RETR/TOP/LIST/UIDL/DELE; STAT and LIST skip them; RSET restores', async () => {
  const store = await aliceStore(3);
  const { client } = await startSession({ store });
  await loginAlice(client);
  const size = Buffer.byteLength(message('m1'));
  assert.equal(await client.cmd('DELE 2'), '+OK Message 2 deleted');
  for (const c of ['RETR 2', 'TOP 2 1', 'LIST 2', 'UIDL 2', 'DELE 2']) {
    assert.equal(await client.cmd(c), '-ERR Message 2 already deleted', c);
  }
  assert.equal(await client.cmd('STAT'), `+OK 2 ${String(size * 2)}`);
  assert.equal(await client.cmd('LIST'), `+OK 2 messages (${String(size * 2)} octets)`);
  assert.deepEqual(await client.body(), [`1 ${String(size)}`, `3 ${String(size)}`], 'numbers stay stable');
  assert.equal(await client.cmd('UIDL'), '+OK Unique-ID listing follows');
  assert.deepEqual(await client.body(), ['1 1700000000.1', '3 1700000000.3']);
  assert.equal(await client.cmd('RSET'), `+OK Maildrop has 3 messages (${String(size * 3)} octets)`);
  assert.equal(await client.cmd('LIST 2'), `+OK 2 ${String(size)}`);
  client.end();
});

test('QUIT in TRANSACTION enters UPDATE: deletions are expunged, the lock released', async () => {
  const store = await aliceStore(3);
  const { client, locks, done } = await startSession({ store });
  await loginAlice(client);
  assert.ok(locks.isLocked('alice@example.test'));
  await client.cmd('DELE 1');
  await client.cmd('DELE 3');
  assert.deepEqual(await store.uids('alice@example.test'), [1, 2, 3], 'nothing removed before QUIT');
  assert.equal(await client.cmd('QUIT'), '+OK pop.example.test POP3 server signing off (1 messages left)');
  assert.ok(await client.closed());
  await done;
  assert.deepEqual(await store.uids('alice@example.test'), [2]);
  assert.equal(locks.size, 0);
});

test('a dropped connection applies no deletion and releases the lock', async () => {
  const store = await aliceStore(2);
  const { client, locks, done } = await startSession({ store });
  await loginAlice(client);
  await client.cmd('DELE 1');
  client.destroy();
  await done;
  assert.deepEqual(await store.uids('alice@example.test'), [1, 2]);
  assert.equal(locks.size, 0);
});

test('the idle timeout (autologout) ends the session without UPDATE', async () => {
  const store = await aliceStore(2);
  const { client, locks, done } = await startSession({ store, idleTimeoutMs: 50 });
  await loginAlice(client);
  await client.cmd('DELE 1');
  assert.equal(await client.line(), '-ERR Autologout; idle for too long');
  assert.ok(await client.closed());
  await done;
  assert.deepEqual(await store.uids('alice@example.test'), [1, 2]);
  assert.equal(locks.size, 0);
});

test('a second session for the same user gets [IN-USE]; after the first QUITs it can log in', async () => {
  const store = await aliceStore(1);
  const locks = new MaildropLocks();
  const first = await startSession({ store, locks });
  const second = await startSession({ store, locks });
  assert.match((await loginAlice(first.client)) ?? '', /^\+OK /);
  assert.equal(await loginAlice(second.client), '-ERR [IN-USE] Maildrop is locked by another POP3 session');
  assert.equal(await second.client.cmd('STAT'), '-ERR STAT is not valid in the AUTHORIZATION state');
  assert.equal((await first.client.cmd('QUIT'))?.startsWith('+OK'), true);
  await first.done;
  assert.match((await loginAlice(second.client)) ?? '', /^\+OK alice@example.test has 1 messages/);
  second.client.end();
});

test('AUTH PLAIN: with an initial response, with a continuation, "=" empty, "*" cancel, bad base64, foreign authzid', async () => {
  const store = await aliceStore(1);
  const locks = new MaildropLocks();
  const { client } = await startSession({ store, locks });
  assert.equal(await client.cmd('AUTH'), '+OK Methods supported');
  assert.deepEqual(await client.body(), ['PLAIN', 'LOGIN']);
  assert.equal(await client.cmd('AUTH CRAM-MD5'), '-ERR Unsupported authentication mechanism');
  assert.equal(await client.cmd('AUTH PLAIN ='), '-ERR Malformed PLAIN response');
  assert.equal(await client.cmd('AUTH PLAIN'), '+ ');
  assert.equal(await client.cmd('*'), '-ERR Authentication cancelled');
  assert.equal(await client.cmd('AUTH PLAIN'), '+ ');
  assert.equal(await client.cmd('not base64!'), '-ERR Malformed PLAIN response');
  // Two malformed responses so far; the third failure would end the session, so use a new one.
  const other = await startSession({ store, locks });
  assert.equal(
    await other.client.cmd(`AUTH PLAIN ${b64('bob@example.test\0alice@example.test\0alice pw')}`),
    '-ERR [AUTH] Authorization identity not permitted',
  );
  assert.equal(await other.client.cmd('AUTH PLAIN'), '+ ');
  assert.match(
    (await other.client.cmd(b64('\0alice@example.test\0alice pw'))) ?? '',
    /^\+OK alice@example.test has 1 messages/,
  );
  other.client.end();
  await other.done;
  const third = await startSession({ store, locks });
  assert.match(
    (await third.client.cmd(`AUTH PLAIN ${b64('alice@example.test\0alice@example.test\0alice pw')}`)) ?? '',
    /^\+OK /,
  );
  third.client.end();
  client.end();
});

test('AUTH LOGIN: username and password challenges, initial response, "*" cancel at either step, bad base64, empty name', async () => {
  const store = await aliceStore(1);
  const locks = new MaildropLocks();
  const { client } = await startSession({ store, locks });
  assert.equal(await client.cmd('AUTH LOGIN'), '+ VXNlcm5hbWU6');
  assert.equal(await client.cmd('*'), '-ERR Authentication cancelled');
  assert.equal(await client.cmd('auth login'), '+ VXNlcm5hbWU6');
  assert.equal(await client.cmd(b64('alice@example.test')), '+ UGFzc3dvcmQ6');
  assert.equal(await client.cmd('*'), '-ERR Authentication cancelled');
  assert.equal(await client.cmd('AUTH LOGIN'), '+ VXNlcm5hbWU6');
  assert.equal(await client.cmd('alice@example.test'), '-ERR Malformed LOGIN response');
  // A wrong password is a failed login like any other.
  assert.equal(await client.cmd(`AUTH LOGIN ${b64('alice@example.test')}`), '+ UGFzc3dvcmQ6');
  assert.equal(await client.cmd(b64('wrong')), '-ERR [AUTH] Authentication failed');
  const other = await startSession({ store, locks });
  assert.equal(await other.client.cmd('AUTH LOGIN ='), '+ UGFzc3dvcmQ6');
  assert.equal(await other.client.cmd(b64('alice pw')), '-ERR Malformed LOGIN response');
  assert.equal(await other.client.cmd('AUTH LOGIN'), '+ VXNlcm5hbWU6');
  assert.equal(await other.client.cmd(b64('alice@example.test')), '+ UGFzc3dvcmQ6');
  assert.match((await other.client.cmd(b64('alice pw'))) ?? '', /^\+OK alice@example.test has 1 messages/);
  other.client.end();
  client.end();
});

test('AUTH: a response over the line limit gets -ERR and a hang-up; an over-long initial response is refused by the gate', async () => {
  const { client, done } = await startSession({ maxLineOctets: 256 });
  assert.equal(await client.cmd('AUTH LOGIN'), '+ VXNlcm5hbWU6');
  assert.equal(await client.cmd('A'.repeat(4000)), '-ERR Response too long');
  assert.ok(await client.closed());
  await done;
  const second = await startSession();
  assert.match((await second.client.cmd(`AUTH PLAIN ${'A'.repeat(3000)}`)) ?? '', /^-ERR /);
  assert.equal(await second.client.cmd('NOOP'), '-ERR NOOP is not valid in the AUTHORIZATION state');
  second.client.end();
});

test('passwords never reach the transcript (PASS, AUTH initial response, AUTH continuation)', async () => {
  const { client, transcript, done } = await startSession({ store: await aliceStore(0) });
  await client.cmd('USER alice@example.test');
  await client.cmd('PASS wrong secret');
  await client.cmd(`AUTH PLAIN ${b64('\0alice@example.test\0initial secret')}`);
  await client.cmd('AUTH LOGIN');
  await client.cmd(b64('alice@example.test'));
  await client.cmd(b64('login secret'));
  await client.cmd('AUTH PLAIN');
  await client.cmd(b64('\0alice@example.test\0alice pw'));
  await client.cmd('QUIT');
  await done;
  const lines = transcript().map((e) => `${e.direction}: ${e.text}`);
  const all = lines.join('\n');
  assert.ok(!all.includes('secret'), all);
  assert.ok(!all.includes(b64('\0alice@example.test\0alice pw')), all);
  assert.ok(!all.includes(b64('login secret')), all);
  // LOGIN's user name is not secret; only the password line is redacted.
  assert.ok(lines.includes(`C: ${b64('alice@example.test')}`), all);
  assert.ok(lines.includes('C: PASS ****'), all);
  assert.ok(lines.includes('C: AUTH PLAIN ****'), all);
  assert.ok(lines.includes('C: ****'), all);
  assert.ok(lines.includes('C: USER alice@example.test'), all);
});

test('without TLS off loopback: USER/PASS/AUTH refused with [AUTH], CAPA hides USER and SASL', async () => {
  const { client } = await startSession({ remoteAddress: '192.0.2.7' });
  assert.equal(
    await client.cmd('USER alice@example.test'),
    '-ERR [AUTH] Plaintext authentication disallowed without TLS; use STLS',
  );
  assert.equal(
    await client.cmd('PASS alice pw'),
    '-ERR [AUTH] Plaintext authentication disallowed without TLS; use STLS',
  );
  assert.equal(
    await client.cmd('AUTH PLAIN ='),
    '-ERR [AUTH] Plaintext authentication disallowed without TLS; use STLS',
  );
  await client.cmd('CAPA');
  const capa = await client.body();
  assert.ok(!capa.includes('USER') && !capa.some((l) => l.startsWith('SASL')), capa.join(','));
  client.end();
});

test('loopback with allow_plaintext_on_loopback = false is refused too', async () => {
  const { client } = await startSession({ loginPolicy: { allowPlaintextOnLoopback: false } });
  assert.match((await client.cmd('USER alice@example.test')) ?? '', /^-ERR \[AUTH\] Plaintext/);
  client.end();
});

test('allow_plaintext_login admits non-loopback clients without TLS; require_tls refuses even loopback', async () => {
  const open = await startSession({ remoteAddress: '192.0.2.7', loginPolicy: { allowPlaintextLogin: true } });
  await open.client.cmd('CAPA');
  const capa = await open.client.body();
  assert.ok(capa.includes('USER') && capa.includes('SASL PLAIN LOGIN'), capa.join(','));
  assert.equal(await open.client.cmd('USER alice@example.test'), '+OK Send your password');
  open.client.end();
  const strict = await startSession({ loginPolicy: { requireTls: true } });
  assert.match((await strict.client.cmd('USER alice@example.test')) ?? '', /^-ERR \[AUTH\] Plaintext/);
  assert.match((await strict.client.cmd('AUTH LOGIN')) ?? '', /^-ERR \[AUTH\] Plaintext/);
  strict.client.end();
});

test('STLS without a certificate is refused', async () => {
  const { client } = await startSession();
  assert.equal(await client.cmd('STLS'), '-ERR TLS is not available');
  client.end();
});

test('store failures: [SYS/TEMP] at login (lock released), on RETR, and on QUIT expunge', async () => {
  const store = await aliceStore(2);
  const locks = new MaildropLocks();
  const { client, done } = await startSession({ store, locks });
  store.failNext('getMailbox');
  assert.equal(await loginAlice(client), '-ERR [SYS/TEMP] Cannot open the maildrop; try again later');
  assert.equal(locks.size, 0);
  assert.match((await loginAlice(client)) ?? '', /^\+OK/);
  store.failNext('readMessage');
  assert.equal(await client.cmd('RETR 1'), '-ERR [SYS/TEMP] Cannot read the message; try again later');
  assert.equal(await client.cmd('DELE 1'), '+OK Message 1 deleted');
  store.failNext('expunge');
  assert.equal(await client.cmd('QUIT'), '-ERR [SYS/TEMP] Some deleted messages not removed');
  await done;
  assert.equal(locks.size, 0);
  assert.deepEqual(await store.uids('alice@example.test'), [1, 2]);
});

test('a message expunged by another client after login: RETR says so, QUIT still succeeds', async () => {
  const store = await aliceStore(2);
  const { client, done } = await startSession({ store });
  await loginAlice(client);
  await store.expunge(1, [1]);
  assert.equal(await client.cmd('RETR 1'), '-ERR Message 1 was removed by another client');
  assert.equal(
    await client.cmd('LIST 1'),
    `+OK 1 ${String(Buffer.byteLength(message('m1')))}`,
    'snapshot is stable',
  );
  await client.cmd('DELE 1');
  assert.match((await client.cmd('QUIT')) ?? '', /^\+OK/);
  await done;
  assert.deepEqual(await store.uids('alice@example.test'), [2]);
});

test('RETR reads the next message ahead: in-order downloads read each message once, other orders stay correct', async () => {
  const store = new Pop3TestStore();
  for (let i = 1; i <= 4; i++)
    await store.add('alice@example.test', message(`m${String(i)}`, `body ${String(i)}\r\n`));
  const { client } = await startSession({ store });
  await loginAlice(client);
  for (const n of [1, 2, 3]) {
    assert.match((await client.cmd(`RETR ${String(n)}`)) ?? '', /^\+OK \d+ octets$/);
    assert.ok((await client.body()).includes(`body ${String(n)}`));
  }
  // Let the read-ahead of message 4 run, then count: one read per message, none twice.
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(store.calls.get('readMessage'), 4);
  assert.match((await client.cmd('RETR 1')) ?? '', /^\+OK/);
  assert.ok(
    (await client.body()).includes('body 1'),
    'out of order: the right message, not the read-ahead one',
  );
  await client.cmd('DELE 2');
  assert.equal(await client.cmd('RETR 2'), '-ERR Message 2 already deleted');
  assert.match((await client.cmd('TOP 3 1')) ?? '', /^\+OK/);
  assert.ok((await client.body()).includes('body 3'));
  assert.match((await client.cmd('RETR 4')) ?? '', /^\+OK/);
  assert.ok((await client.body()).includes('body 4'));
  client.end();
});
