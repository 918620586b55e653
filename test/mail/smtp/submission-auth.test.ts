/**
 * STARTTLS (and its injection defence), AUTH PLAIN/LOGIN over TLS, AUTH refused before TLS off
 * loopback, submission rules (TLS then AUTH required, envelope sender = the user, remote
 * recipients queued in the same accept), implicit-TLS SMTPS, and credentials kept out of
 * transcripts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { subscribeTranscript } from '../../../src/core/transcript.js';
import { isLoopback } from '../../../src/core/net.js';
import { DEFAULT_LOGIN_POLICY, passwordAllowed } from '../../../src/core/auth/login-policy.js';
import { RawClient } from '../../helpers/line-client.js';
import { greeted, inbox, PASSWORD, plain, readReply, startSmtp, talk } from './helpers.js';

test('isLoopback / passwordAllowed decide plaintext AUTH', () => {
  for (const ip of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) assert.ok(isLoopback(ip), ip);
  for (const ip of ['10.0.0.1', '::ffff:10.0.0.1', '128.0.0.1', '::2', 'unknown', '1127.0.0.1'])
    assert.ok(!isLoopback(ip), ip);
  const on = DEFAULT_LOGIN_POLICY;
  const off = { ...on, allowPlaintextOnLoopback: false };
  assert.equal(passwordAllowed(on, { secure: false, remoteAddress: '192.0.2.1' }), false);
  assert.equal(passwordAllowed(on, { secure: false, remoteAddress: '127.0.0.1' }), true);
  assert.equal(passwordAllowed(off, { secure: false, remoteAddress: '127.0.0.1' }), false);
  assert.equal(passwordAllowed(off, { secure: true, remoteAddress: '192.0.2.1' }), true);
});

test('STARTTLS discards commands pipelined after it (injection)', async () => {
  const f = await startSmtp();
  try {
    const c = await greeted(f.ports.mx);
    c.send('STARTTLS\r\nMAIL FROM:<injected@evil.test>\r\nRCPT TO:<bob@example.test>\r\n');
    assert.equal((await readReply(c))?.[0], '220 2.0.0 Ready to start TLS');
    await c.startTls(f.ca);
    // After TLS the state is fresh: the injected MAIL never happened.
    assert.match(await talk(c, 'RCPT TO:<bob@example.test>'), /^503 5\.5\.1 Send HELO\/EHLO first/);
    const ehlo = await talk(c, 'EHLO tls.test');
    assert.doesNotMatch(ehlo, /STARTTLS/, 'not offered twice');
    assert.match(await talk(c, 'MAIL FROM:<a@remote.test>'), /^250 /);
    assert.match(await talk(c, 'STARTTLS'), /^503 /);
  } finally {
    await f.close();
  }
});

test('submission: STARTTLS required before AUTH/MAIL when plaintext on loopback is off', async () => {
  const f = await startSmtp({ loginPolicy: { allowPlaintextOnLoopback: false } });
  try {
    const c = await greeted(f.ports.submission);
    assert.match(
      await talk(c, `AUTH PLAIN ${plain('bob@example.test')}`),
      /^530 5\.7\.0 Must issue a STARTTLS/,
    );
    assert.match(await talk(c, 'MAIL FROM:<bob@example.test>'), /^530 5\.7\.0 Must issue a STARTTLS/);
    const ehlo = await talk(c, 'EHLO again.test');
    assert.doesNotMatch(ehlo, /AUTH/, 'AUTH not offered before TLS');
    // MX too: no AUTH offered in plaintext
    const mx = await greeted(f.ports.mx);
    assert.match(await talk(mx, `AUTH PLAIN ${plain('bob@example.test')}`), /^538 5\.7\.11/);
    assert.match(await talk(c, 'STARTTLS'), /^220 /);
    await c.startTls(f.ca);
    assert.match(await talk(c, 'EHLO tls.test'), /250-AUTH PLAIN LOGIN/);
    assert.match(await talk(c, 'MAIL FROM:<bob@example.test>'), /^530 5\.7\.0 Authentication required/);
    assert.match(await talk(c, `AUTH PLAIN ${plain('bob@example.test', 'wrong')}`), /^535 5\.7\.8/);
    const proxy = Buffer.from(`alice@example.test\0bob@example.test\0${PASSWORD}`).toString('base64');
    assert.match(await talk(c, `AUTH PLAIN ${proxy}`), /^535 5\.7\.8/, 'no acting as another user');
    assert.match(await talk(c, `AUTH PLAIN ${plain('bob@example.test')}`), /^235 2\.7\.0/);
    assert.match(await talk(c, `AUTH PLAIN ${plain('bob@example.test')}`), /^503 /);
    assert.match(
      await talk(c, 'MAIL FROM:<alice@example.test>'),
      /^553 5\.7\.1 .*not owned by bob@example\.test/,
    );
    assert.match(await talk(c, 'MAIL FROM:<>'), /^553 5\.7\.1/);
    assert.match(await talk(c, 'MAIL FROM:<BOB@example.test>'), /^250 /);
    assert.match(await talk(c, 'RCPT TO:<friend@remote.test> NOTIFY=FAILURE'), /^250 /);
    assert.match(await talk(c, 'RCPT TO:<alice@example.test>'), /^250 /);
    assert.match(await talk(c, 'RCPT TO:<ghost@example.test>'), /^550 5\.1\.1/);
    await talk(c, 'DATA');
    assert.match(await talk(c, 'Subject: out\r\n\r\nhello\r\n.'), /^250 2\.0\.0 OK: queued as \w+/);
    const [entry] = await f.store.queue.list();
    assert.ok(entry);
    assert.deepEqual(
      entry.recipients.map((r) => [r.address, r.notify]),
      [['friend@remote.test', ['FAILURE']]],
    );
    const bytes = (await f.store.queue.readBytes(entry.id))?.toString() ?? '';
    assert.match(
      bytes,
      /^Received: from tls\.test \(\[127\.0\.0\.1\]\)\r\n\tby mx\.example\.test with ESMTPSA \(TLSv1\.[23]\) id /,
    );
    assert.match(bytes, /\r\nMessage-ID: <[^>]+@mx\.example\.test>\r\nDate: /, 'Message-ID and Date added');
    assert.doesNotMatch(bytes, /Return-Path/);
    const [local] = await inbox(f.store, 'alice@example.test');
    assert.match(local ?? '', /^Return-Path: <BOB@example\.test>/);
    assert.equal(f.queued, 1, 'queue runner kicked');
  } finally {
    await f.close();
  }
});

test('require_tls: no AUTH and no submission in plaintext even on loopback; AUTH over STARTTLS works', async () => {
  const f = await startSmtp({ loginPolicy: { requireTls: true, allowPlaintextOnLoopback: true } });
  try {
    const c = await greeted(f.ports.submission);
    assert.doesNotMatch(await talk(c, 'EHLO plain.test'), /AUTH/);
    assert.match(await talk(c, 'MAIL FROM:<bob@example.test>'), /^530 5\.7\.0 Must issue a STARTTLS/);
    assert.match(await talk(c, 'STARTTLS'), /^220 /);
    await c.startTls(f.ca);
    assert.match(await talk(c, 'EHLO tls.test'), /250-AUTH PLAIN LOGIN/);
    assert.match(await talk(c, `AUTH PLAIN ${plain('bob@example.test')}`), /^235 2\.7\.0/);
  } finally {
    await f.close();
  }
});

test('AUTH LOGIN and PLAIN without initial response; cancel; transcripts hide secrets', async () => {
  const f = await startSmtp({ loginPolicy: { allowPlaintextOnLoopback: false } });
  const lines: string[] = [];
  const off = subscribeTranscript((e) => lines.push(`${e.direction}: ${e.text}`));
  try {
    const c = await greeted(f.ports.submission);
    await talk(c, 'STARTTLS');
    await c.startTls(f.ca);
    await talk(c, 'EHLO tls.test');
    assert.equal(await talk(c, 'AUTH LOGIN'), '334 VXNlcm5hbWU6');
    assert.equal(await talk(c, Buffer.from('bob@example.test').toString('base64')), '334 UGFzc3dvcmQ6');
    assert.match(await talk(c, '*'), /^501 5\.7\.0/);
    assert.equal(await talk(c, 'AUTH PLAIN'), '334 ');
    assert.match(await talk(c, '!!notbase64'), /^501 5\.5\.2/);
    assert.equal(
      await talk(c, `AUTH LOGIN ${Buffer.from('alice@example.test').toString('base64')}`),
      '334 UGFzc3dvcmQ6',
    );
    assert.match(await talk(c, Buffer.from(PASSWORD).toString('base64')), /^235 /);
    const c2 = await greeted(f.ports.submission);
    await talk(c2, 'STARTTLS');
    await c2.startTls(f.ca);
    await talk(c2, 'EHLO tls.test');
    assert.equal(await talk(c2, 'AUTH PLAIN'), '334 ');
    assert.match(await talk(c2, plain('bob@example.test')), /^235 /);
    assert.match(await talk(c2, `AUTH PLAIN ${plain('bob@example.test')}`), /^503/);
  } finally {
    off();
    await f.close();
  }
  const text = lines.join('\n');
  assert.ok(!text.includes(Buffer.from(PASSWORD).toString('base64')), 'LOGIN password hidden');
  assert.ok(!text.includes(plain('bob@example.test')), 'PLAIN response hidden');
  assert.match(text, /C: AUTH PLAIN \*\*\*\*/);
});

test('three failed logins end the session', async () => {
  const f = await startSmtp();
  try {
    const c = await greeted(f.ports.submission);
    for (let i = 0; i < 2; i++)
      assert.match(await talk(c, `AUTH PLAIN ${plain('bob@example.test', 'nope')}`), /^535 /);
    const last = await talk(c, `AUTH PLAIN ${plain('bob@example.test', 'nope')}`);
    assert.match(last, /^535 /);
    assert.match((await readReply(c))?.[0] ?? '', /^421 4\.7\.0/);
  } finally {
    await f.close();
  }
});

test('SMTPS: implicit TLS with the submission rules; loopback plaintext submission allowed by default', async () => {
  const f = await startSmtp();
  try {
    const c = await RawClient.connectTls(f.ports.smtps, f.ca);
    assert.match((await readReply(c))?.[0] ?? '', /^220 /);
    const ehlo = await talk(c, 'EHLO tls.test');
    assert.doesNotMatch(ehlo, /STARTTLS/);
    assert.match(ehlo, /AUTH PLAIN LOGIN/);
    assert.match(await talk(c, 'MAIL FROM:<bob@example.test>'), /^530 5\.7\.0 Authentication required/);
    assert.match(await talk(c, `AUTH PLAIN ${plain('bob@example.test')}`), /^235 /);
    assert.match(await talk(c, 'MAIL FROM:<bob@example.test>'), /^250 /);
    // plaintext submission from loopback (allowed by default)
    const p = await greeted(f.ports.submission);
    assert.match(await talk(p, `AUTH PLAIN ${plain('alice@example.test')}`), /^235 /);
    assert.match(await talk(p, 'MAIL FROM:<alice@example.test>'), /^250 /);
  } finally {
    await f.close();
  }
});

test('AUTH responses up to 12288 octets are read (RFC 4954 §4); longer ones are refused', async () => {
  const f = await startSmtp();
  try {
    // A 900-character password (accounts take up to 1024 octets): its PLAIN response is 1,228
    // characters of base64, over the 1000 octets of a text line. It used to be cut off (501).
    const long = 'p'.repeat(900);
    await f.accounts.setPassword('alice@example.test', { password: long });
    const c = await greeted(f.ports.submission);
    assert.match(await talk(c, 'AUTH PLAIN'), /^334 /);
    assert.match(await talk(c, plain('alice@example.test', long)), /^235 /);
    const d = await greeted(f.ports.submission);
    assert.match(await talk(d, 'AUTH LOGIN'), /^334 /);
    assert.match(await talk(d, Buffer.from('alice@example.test').toString('base64')), /^334 /);
    assert.match(await talk(d, 'A'.repeat(13_000)), /^501 5\.5\.2/);
    assert.match(await talk(d, 'NOOP'), /^250 /, 'the session is in step after the over-long line');
  } finally {
    await f.close();
  }
});
