// IMAP session, not-authenticated state and the commands of every state, in memory: the
// greeting's capabilities, CAPABILITY by state (LOGINDISABLED, AUTH=, STARTTLS), LOGIN with
// quoted strings and literals, AUTHENTICATE PLAIN/LOGIN with SASL-IR, cancel and bad base64,
// failed logins ending the session, commands in the wrong state, ENABLE, ID, NOOP, LOGOUT,
// the transcript's redaction, and literals over the limit refused before the client sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loginAlice, startImapSession } from '../helpers/session-harness.js';

test('greeting and CAPABILITY before login: AUTH=PLAIN, AUTH=LOGIN, SASL-IR, no STARTTLS without a certificate', async () => {
  const { client, greeting } = await startImapSession();
  assert.match(
    greeting,
    /^\* OK \[CAPABILITY IMAP4rev1 IMAP4rev2 .*\] imap\.example\.test Outpost IMAP server ready$/,
  );
  const caps = await client.cmd('a CAPABILITY');
  assert.ok(caps);
  const atoms = caps.split(' ').slice(2);
  for (const a of [
    'IMAP4rev1',
    'IMAP4rev2',
    'AUTH=PLAIN',
    'AUTH=LOGIN',
    'SASL-IR',
    'LITERAL+',
    'ID',
    'ENABLE',
  ]) {
    assert.ok(atoms.includes(a), `${a} in ${caps}`);
  }
  assert.ok(!atoms.includes('STARTTLS'));
  assert.ok(!atoms.includes('LOGINDISABLED'));
  await client.play(`
    S: a OK CAPABILITY completed
    C: b NOOP
    S: b OK NOOP completed
    C: c LOGOUT
    S: * BYE Logging out
    S: c OK LOGOUT completed
    S: <closed>
  `);
});

test('plaintext refused off loopback: LOGINDISABLED, no AUTH=, LOGIN and AUTHENTICATE answer NO [PRIVACYREQUIRED]', async () => {
  const { client } = await startImapSession({ remoteAddress: '192.0.2.7' });
  const caps = await client.cmd('a CAPABILITY');
  assert.ok(caps !== null && caps.includes(' LOGINDISABLED'), caps ?? '');
  assert.ok(!caps.includes('AUTH='), caps);
  await client.play(`
    S: a OK *
    C: b LOGIN alice@example.test "alice pw"
    S: b NO [PRIVACYREQUIRED] *
    C: c AUTHENTICATE PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABhbGljZSBwdw==
    S: c NO [PRIVACYREQUIRED] *
  `);
});

test('LOGIN with quoted strings and with literals; capabilities change after login; wrong states are BAD', async () => {
  const { client } = await startImapSession();
  await client.play(`
    C: e1 ENABLE IMAP4rev2
    S: e1 BAD ENABLE needs a login first
    C: a1 LOGIN {18}
    S: + Ready for literal data
    C: alice@example.test {8}
    S: + Ready for literal data
    C: alice pw
    S: /^a1 OK \\[CAPABILITY IMAP4rev1 IMAP4rev2 (?!.*AUTH=).*\\] Logged in$/
    C: a2 LOGIN alice@example.test "alice pw"
    S: a2 BAD LOGIN is not valid in the authenticated state
    C: a3 ENABLE IMAP4rev2 FOO
    S: * ENABLED IMAP4rev2
    S: a3 OK ENABLE completed
    C: a4 ENABLE IMAP4rev2
    S: * ENABLED
    S: a4 OK ENABLE completed
    C: a5 ID ("name" "test client")
    S: * ID ("name" "Outpost" "vendor" "Outpost")
    S: a5 OK ID completed
  `);
});

test('AUTHENTICATE PLAIN (SASL-IR, and with a challenge), LOGIN, cancel, bad base64, proxy identity', async () => {
  const plain = Buffer.from('\0alice@example.test\0alice pw').toString('base64');
  const proxy = Buffer.from('bob@example.test\0alice@example.test\0alice pw').toString('base64');
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  {
    const { client } = await startImapSession();
    await client.play(`
      C: a AUTHENTICATE PLAIN ${plain}
      S: a OK [CAPABILITY *] Logged in
    `);
  }
  {
    const { client, transcript } = await startImapSession();
    await client.play(`
      C: a AUTHENTICATE PLAIN
      S: /^\\+ $/
      C: *
      S: a BAD Authentication cancelled
      C: b AUTHENTICATE PLAIN
      S: /^\\+ $/
      C: not base64!
      S: b BAD Malformed PLAIN response
      C: c AUTHENTICATE PLAIN ${proxy}
      S: c NO [AUTHORIZATIONFAILED] Authorization identity not permitted
      C: d AUTHENTICATE CRAM-MD5
      S: d NO [CANNOT] Unsupported authentication mechanism
      C: e AUTHENTICATE LOGIN
      S: + VXNlcm5hbWU6
      C: ${b64('alice@example.test')}
      S: + UGFzc3dvcmQ6
      C: ${b64('alice pw')}
      S: e OK [CAPABILITY *] Logged in
    `);
    const lines = transcript().map((e) => e.text);
    assert.ok(!lines.some((l) => l.includes(b64('alice pw'))), 'the password never reaches the transcript');
    assert.ok(!lines.some((l) => l.includes(proxy)));
  }
});

test('failed logins: NO [AUTHENTICATIONFAILED], the third ends the session; passwords are redacted', async () => {
  const { client, transcript, done } = await startImapSession();
  await client.play(`
    C: a LOGIN alice@example.test wrong1
    S: a NO [AUTHENTICATIONFAILED] Authentication failed
    C: b LOGIN alice@example.test "wrong 2"
    S: b NO [AUTHENTICATIONFAILED] Authentication failed
    C: c LOGIN nobody@example.test wrong3
    S: c NO [AUTHENTICATIONFAILED] Authentication failed
    S: <closed>
  `);
  await done;
  const lines = transcript().map((e) => e.text);
  assert.ok(lines.includes('a LOGIN ****'), lines.join('\n'));
  assert.ok(!lines.some((l) => l.includes('wrong')));
});

test('a synchronising literal over the limit is refused with NO [TOOBIG] before the client sends it', async () => {
  const { client } = await startImapSession();
  await client.play(`
    C: a LOGIN {999999999}
    S: a NO [TOOBIG] *
    C: b LOGIN alice@example.test "alice pw"
    S: b OK *
  `);
});

test('a non-synchronising literal over the limit is read and dropped, then BAD [TOOBIG]; one past the cap closes', async () => {
  const { client } = await startImapSession();
  client.send(`a LOGIN {70000+}\r\n${'x'.repeat(70000)} y\r\n`);
  await client.play(`
    S: a BAD [TOOBIG] *
    C: b NOOP
    S: b OK NOOP completed
    C: c LOGIN {4294967295+}
    S: c BAD *
    S: * BYE Literal too large to skip; closing
    S: <closed>
  `);
});

test('syntax errors are BAD with the tag, unknown tags are * BAD, and 20 bad commands end the session', async () => {
  const { client } = await startImapSession({ limits: { maxBadCommands: 3 } });
  await client.play(`
    C: a FROB
    S: a BAD unknown command FROB
    C: (
    S: * BAD *
    C: b LOGIN onlyone
    S: b BAD *
    S: * BYE Too many bad commands; closing
    S: <closed>
  `);
});

test('the idle timeout before login says BYE', async () => {
  const { client } = await startImapSession({ idleTimeoutMs: 50 });
  await client.play(`
    S: * BYE Autologout; idle for too long
    S: <closed>
  `);
});

test('after login the session is authenticated: NOOP, CAPABILITY without AUTH=, LOGOUT', async () => {
  const { client } = await startImapSession();
  await loginAlice(client);
  const caps = await client.cmd('x CAPABILITY');
  assert.ok(caps !== null && !caps.includes('AUTH=') && !caps.includes('LOGINDISABLED'), caps ?? '');
  await client.play(`
    S: x OK CAPABILITY completed
    C: y LOGOUT
    S: * BYE Logging out
    S: y OK LOGOUT completed
    S: <closed>
  `);
});

test('a command line over the limit: * BAD [TOOBIG], BYE, close (its literal marker is lost with it)', async () => {
  const { client } = await startImapSession();
  client.send(`a LOGIN ${'x'.repeat(9000)} {5+}\r\nhello\r\n`);
  await client.play(`
    S: * BAD [TOOBIG] Line too long
    S: * BYE Line too long; closing
    S: <closed>
  `);
});
