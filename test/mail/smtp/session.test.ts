/**
 * SMTP server transcripts over real sockets: EHLO keywords, MX delivery with trace headers,
 * sequence errors, hostile input, the error limit, open-relay attempts, PIPELINING, SIZE,
 * recipients limit, VRFY/HELP/RSET/NOOP/QUIT, early talkers and HTTP on the mail port.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient } from '../../helpers/line-client.js';
import { greeted, HOSTNAME, inbox, readReply, startData, startSmtp, talk } from './helpers.js';

const BOB = 'bob@example.test';

test('greeting and EHLO keywords come from the command table', async () => {
  const f = await startSmtp();
  try {
    const c = await RawClient.connect(f.ports.mx);
    assert.equal((await readReply(c))?.[0], `220 ${HOSTNAME} ESMTP Outpost`);
    const ehlo = (await talk(c, 'EHLO client.test')).split('\n');
    assert.equal(ehlo[0], `250-${HOSTNAME} Hello client.test [127.0.0.1]`);
    const keywords = ehlo.slice(1).map((l) => l.slice(4));
    for (const k of [
      'PIPELINING',
      'SIZE 26214400',
      '8BITMIME',
      'SMTPUTF8',
      'ENHANCEDSTATUSCODES',
      'CHUNKING',
      'DSN',
      'STARTTLS',
      'AUTH PLAIN LOGIN',
      'HELP',
    ]) {
      assert.ok(keywords.includes(k), `${k} in ${keywords.join(',')}`);
    }
    const help = await talk(c, 'HELP');
    assert.match(help, /^214-2\.0\.0 Commands:/);
    assert.match(help, /BDAT size \[LAST\]/);
    assert.equal(await talk(c, 'HELO again.test'), `250 ${HOSTNAME} Hello again.test [127.0.0.1]`);
    assert.match(await talk(c, 'VRFY bob'), /^252 2\.5\.0/);
    assert.match(await talk(c, 'NOOP'), /^250 2\.0\.0/);
    assert.match(await talk(c, 'QUIT'), /^221 2\.0\.0/);
    assert.ok(await c.closed());
  } finally {
    await f.close();
  }
});

test('MX delivery: stored once committed, with Return-Path and Received, dot-unstuffed', async () => {
  const f = await startSmtp();
  try {
    const c = await greeted(f.ports.mx, 'sender.test');
    assert.match(await talk(c, 'MAIL FROM:<carol@remote.test> BODY=8BITMIME SIZE=100'), /^250 2\.1\.0/);
    assert.match(await talk(c, 'RCPT TO:<Bob@Example.TEST>'), /^250 2\.1\.5/);
    assert.match(await talk(c, 'RCPT TO:<"alice"@example.test>'), /^250 2\.1\.5/);
    assert.match(await talk(c, 'RCPT TO:<bob@example.test>'), /^250/, 'duplicate is accepted once');
    assert.match(await talk(c, 'DATA'), /^354 /);
    const reply = await talk(
      c,
      'Subject: hi\r\n\r\n..leading dot\r\n.\r\nno: this is the stuffed line above\r\n.',
    );
    assert.match(reply, /^250 2\.0\.0 OK: queued as /);
    const [msg] = await inbox(f.store, BOB);
    assert.ok(msg);
    assert.match(
      msg,
      /^Return-Path: <carol@remote\.test>\r\nReceived: from sender\.test \(\[127\.0\.0\.1\]\)\r\n\tby mx\.example\.test with ESMTP id \S+;\r\n\t\w{3}, /,
    );
    assert.ok(msg.endsWith('Subject: hi\r\n\r\n.leading dot\r\n'), JSON.stringify(msg));
    assert.equal((await inbox(f.store, 'alice@example.test')).length, 1);
    assert.equal((await inbox(f.store, BOB)).length, 1, 'the duplicate RCPT did not deliver twice');
    assert.equal(f.queued, 0);
  } finally {
    await f.close();
  }
});

test('commands out of order get 503; unknown, malformed and unsupported get 500/501/555', async () => {
  const f = await startSmtp();
  try {
    const c = await RawClient.connect(f.ports.mx);
    await readReply(c);
    assert.match(await talk(c, 'MAIL FROM:<a@b.test>'), /^503 5\.5\.1 Send HELO\/EHLO first/);
    await talk(c, 'EHLO x.test');
    assert.match(await talk(c, 'RCPT TO:<bob@example.test>'), /^503 5\.5\.1 Need MAIL/);
    assert.match(await talk(c, 'DATA'), /^503 /);
    assert.match(await talk(c, 'BDAT 0 LAST'), /^503 /);
    assert.match(await talk(c, 'MAIL FROM:<a@b.test>'), /^250/);
    assert.match(await talk(c, 'MAIL FROM:<a@b.test>'), /^503 5\.5\.1 Sender already/);
    assert.match(await talk(c, 'DATA'), /^503 5\.5\.1 Need RCPT/);
    assert.match(await talk(c, 'RSET'), /^250 2\.0\.0/);
    assert.match(await talk(c, 'XYZZY'), /^500 5\.5\.1/);
    assert.match(await talk(c, 'MAIL TO:<a@b.test>'), /^501 5\.5\.4/);
    assert.match(await talk(c, 'MAIL FROM:a@b.test'), /^501 5\.1\.7/);
    assert.match(await talk(c, 'MAIL FROM:<a@b.test> FROBNICATE=1'), /^555 5\.5\.4/);
    assert.match(
      (await readReply(c))?.[0] ?? '',
      /^421 4\.7\.0 .*Too many errors/,
      'the 10th error ends the session',
    );
    assert.ok(await c.closed());
  } finally {
    await f.close();
  }
});

test('hostile input: overlong lines, NUL, bare CR; the session survives', async () => {
  const f = await startSmtp();
  try {
    const c = await greeted(f.ports.mx);
    assert.match(await talk(c, `NOOP ${'x'.repeat(600)}`), /^500 5\.5\.2 Line too long/);
    assert.match(await talk(c, `NOOP ${'x'.repeat(5000)}`), /^500 5\.5\.2 Line too long/);
    assert.match(await talk(c, 'NOOP \0evil'), /^500 5\.5\.2/);
    assert.match(await talk(c, 'NOOP a\rRCPT TO:<x@evil.test>'), /^500 5\.5\.2/);
    c.send(Buffer.from([0xff, 0xfe, 0x0d, 0x0a]));
    assert.match((await readReply(c))?.[0] ?? '', /^500 /);
    assert.match(await talk(c, 'NOOP'), /^250 /);
  } finally {
    await f.close();
  }
});

test('MX refuses every relay trick', async () => {
  const f = await startSmtp();
  try {
    const c = await greeted(f.ports.mx);
    await talk(c, 'MAIL FROM:<spammer@evil.test>');
    const cases: [string, RegExp][] = [
      ['victim@elsewhere.test', /^550 5\.7\.1 Relay access denied/],
      ['victim%elsewhere.test@example.test', /^550 5\.1\.1/],
      ['@example.test:victim@elsewhere.test', /^550 5\.7\.1/],
      ['@example.test,@other.test:bob@example.test', /^550 5\.7\.1/],
      ['victim@[127.0.0.1]', /^550 5\.7\.1/],
      ['"victim@elsewhere.test"@example.test', /^550 5\.1\.1/],
      ['victim@elsewhere.test.', /^501 |^550 5\.7\.1/],
      ['nobody@example.test', /^550 5\.1\.1 User unknown/],
      ['victim@ELSEWHERE.test', /^550 5\.7\.1/],
    ];
    for (const [rcpt, expected] of cases) {
      assert.match(await talk(c, `RCPT TO:<${rcpt}>`), expected, rcpt);
      await talk(c, 'RSET');
      await talk(c, 'MAIL FROM:<spammer@evil.test>');
    }
    assert.match(await talk(c, 'DATA'), /^503 /);
    assert.equal((await f.store.queue.list()).length, 0);
  } finally {
    await f.close();
  }
});

test('PIPELINING: a whole transaction in one write, replies in order', async () => {
  const f = await startSmtp();
  try {
    const c = await RawClient.connect(f.ports.mx);
    await readReply(c);
    c.send(
      'EHLO p.test\r\nMAIL FROM:<a@remote.test>\r\nRCPT TO:<bob@example.test>\r\nRCPT TO:<nobody@example.test>\r\n' +
        'RCPT TO:<alice@example.test>\r\nDATA\r\n',
    );
    assert.match((await readReply(c))?.[0] ?? '', /^250-/);
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push(((await readReply(c))?.[0] ?? '').slice(0, 3));
    assert.deepEqual(codes, ['250', '250', '550', '250', '354']);
    c.send('Subject: pipelined\r\n\r\nbody\r\n.\r\nQUIT\r\n');
    assert.match((await readReply(c))?.[0] ?? '', /^250 /);
    assert.match((await readReply(c))?.[0] ?? '', /^221 /);
    assert.equal((await inbox(f.store, BOB)).length, 1);
    assert.equal((await inbox(f.store, 'alice@example.test')).length, 1);
  } finally {
    await f.close();
  }
});

test('SIZE: declared too big at MAIL, actually too big after DATA; recipients limit 452', async () => {
  const f = await startSmtp({ limits: { maxMessageOctets: 1000, maxRecipients: 2 } });
  try {
    const c = await greeted(f.ports.mx);
    assert.match(await talk(c, 'MAIL FROM:<a@remote.test> SIZE=1001'), /^552 5\.3\.4/);
    assert.match(await talk(c, 'MAIL FROM:<a@remote.test> SIZE=999'), /^250 /);
    await talk(c, 'RCPT TO:<bob@example.test>');
    await talk(c, 'RCPT TO:<alice@example.test>');
    assert.match(await talk(c, 'RCPT TO:<bob2@example.test>'), /^452 4\.5\.3/);
    await talk(c, 'DATA');
    const big = `${'y'.repeat(80)}\r\n`.repeat(20);
    assert.match(await talk(c, `${big}.`), /^552 5\.3\.4/);
    assert.equal((await inbox(f.store, BOB)).length, 0);
    assert.match(await talk(c, 'MAIL FROM:<a@remote.test>'), /^250 /, 'back in step after the refusal');
  } finally {
    await f.close();
  }
});

test('DATA line over 1000 octets is refused after the end', async () => {
  const f = await startSmtp();
  try {
    const c = await greeted(f.ports.mx);
    await startData(c);
    assert.match(await talk(c, `Subject: x\r\n\r\n${'z'.repeat(1200)}\r\nmore\r\n.`), /^500 5\.5\.2 .*1000/);
    assert.equal((await inbox(f.store, BOB)).length, 0);
    assert.match(await talk(c, 'NOOP'), /^250 /);
    // Right before the terminating dot: the CRLF of the long line is seen, so the dot ends the
    // data (it used to be discarded with the line, and the session waited for the idle timeout).
    await startData(c);
    assert.match(await talk(c, `Subject: x\r\n\r\n${'z'.repeat(5000)}\r\n.`), /^500 5\.5\.2 .*1000/);
    assert.match(await talk(c, 'NOOP'), /^250 /);
    // Longer than the connection reads at all (discarded up to its LF): its ending still counts.
    await startData(c);
    assert.match(await talk(c, `Subject: x\r\n\r\n${'z'.repeat(20_000)}\r\n.`), /^500 5\.5\.2 .*1000/);
    assert.match(await talk(c, 'NOOP'), /^250 /);
    // ...and a bare LF ending it means the "." after it ends nothing (SMTP smuggling): only the
    // second dot does, so NOOP gets its own 250, not a reply to a stray "." command.
    await startData(c);
    assert.match(await talk(c, `Subject: x\r\n\r\n${'z'.repeat(20_000)}\n.\r\n.`), /^500 5\.5\.2 /);
    assert.match(await talk(c, 'NOOP'), /^250 /);
    assert.equal((await inbox(f.store, BOB)).length, 0);
  } finally {
    await f.close();
  }
});

test('SMTPUTF8: UTF-8 addresses need the parameter', async () => {
  const f = await startSmtp();
  try {
    const c = await greeted(f.ports.mx);
    assert.match(await talk(c, 'MAIL FROM:<jösé@remote.test>'), /^553 5\.6\.7/);
    assert.match(await talk(c, 'MAIL FROM:<jösé@remote.test> SMTPUTF8'), /^250 /);
    assert.match(
      await talk(c, 'RCPT TO:<bob@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@example.test'),
      /^250 /,
    );
    assert.match(await talk(c, 'RCPT TO:<alice@example.test> NOTIFY=NEVER,SUCCESS'), /^501 5\.5\.4/);
    await talk(c, 'DATA');
    assert.match(await talk(c, 'Subject: caf\u00e9\r\n\r\nd\u00e9j\u00e0 vu\r\n.'), /^250 /);
    assert.match((await inbox(f.store, BOB))[0] ?? '', /with UTF8SMTP id[\s\S]*déjà vu/);
  } finally {
    await f.close();
  }
});

test('early talker and HTTP on the mail port are refused', async () => {
  const f = await startSmtp({ limits: { greetingDelayMs: 300 } });
  try {
    const c = await RawClient.connect(f.ports.mx);
    c.send('EHLO impatient.test\r\n');
    assert.match((await readReply(c))?.[0] ?? '', /^554 5\.5\.0/);
    assert.ok(await c.closed());
    const h = await RawClient.connect(f.ports.mx);
    assert.match((await readReply(h))?.[0] ?? '', /^220 /);
    assert.match(await talk(h, 'GET / HTTP/1.1'), /^554 5\.7\.0/);
    assert.ok(await h.closed());
  } finally {
    await f.close();
  }
});

test('idle timeout ends the session with 421 (RFC 5321 §4.5.3.2.7)', async () => {
  const f = await startSmtp({ idleTimeoutMs: 200 });
  try {
    const c = await greeted(f.ports.mx);
    assert.match((await readReply(c))?.[0] ?? '', /^421 4\.4\.2/);
    assert.ok(await c.closed());
  } finally {
    await f.close();
  }
});

test('server close: a session waiting for a command gets 421', async () => {
  const f = await startSmtp();
  const c = await greeted(f.ports.mx);
  const closing = f.close();
  assert.match((await readReply(c))?.[0] ?? '', /^421 4\.3\.2/);
  await closing;
});

test('connections per IP are limited: the excess gets 421 and is closed', async () => {
  const f = await startSmtp({ maxConnectionsPerIp: 2 });
  try {
    const a = await greeted(f.ports.mx);
    const b = await greeted(f.ports.mx);
    const c = await RawClient.connect(f.ports.mx);
    assert.match((await readReply(c))?.[0] ?? '', /^421 4\.7\.0 Too many connections/);
    assert.ok(await c.closed());
    assert.match(await talk(a, 'NOOP'), /^250 /);
    assert.match(await talk(b, 'NOOP'), /^250 /);
  } finally {
    await f.close();
  }
});
