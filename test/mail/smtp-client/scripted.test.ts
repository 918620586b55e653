// SMTP client against scripted servers: exact replies, pipelining, per-recipient results, BDAT,
// HELO fallback, STARTTLS + AUTH, timeouts and malformed replies.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ErrorCodes, hasCode } from '../../../src/core/errors.js';
import { connectSmtp, SmtpClientError, type SmtpClientOptions } from '../../../src/mail/smtp/client/index.js';
import { encodeSaslPlain } from '../../../src/core/sasl.js';
import { TlsUntrustedError } from '../../../src/core/tls-trust.js';
import { recordTranscript } from '../../../src/testing/index.js';
import {
  greetAndEhlo,
  startScriptedServer,
  testTlsContext,
  type ScriptedServer,
} from '../helpers/scripted-server.js';

const servers: ScriptedServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function server(...scripts: Parameters<typeof startScriptedServer>): Promise<ScriptedServer> {
  const s = await startScriptedServer(...scripts);
  servers.push(s);
  return s;
}

function opts(port: number, extra: Partial<SmtpClientOptions> = {}): SmtpClientOptions {
  return { host: '127.0.0.1', port, clientName: 'client.test', security: 'none', ...extra };
}

const MESSAGE = Buffer.from('Subject: t\r\n\r\n.leading dot\r\nbare lf\nend\r\n');

test('pipelining: MAIL, RCPTs and DATA in one go; per-recipient results; ESMTP params', async () => {
  let mail = '';
  const rcpts: string[] = [];
  let data: string[] = [];
  const s = await server(async (c) => {
    await greetAndEhlo(c, [
      'PIPELINING',
      'SIZE 100000',
      '8BITMIME',
      'DSN',
      'SMTPUTF8',
      'ENHANCEDSTATUSCODES',
    ]);
    // Nothing is answered until DATA has arrived: a client that waits for each reply would hang.
    mail = await c.expect('MAIL FROM:');
    for (let i = 0; i < 3; i++) rcpts.push(await c.expect('RCPT TO:'));
    await c.expect('DATA');
    c.send('250 2.1.0 ok', '250 2.1.5 ok', '550 5.1.1 no such user', '450 4.2.1 try later', '354 go ahead');
    data = await c.readData();
    c.send('250 2.0.0 queued as X');
    await c.expect('QUIT');
    c.send('221 2.0.0 bye');
  });
  const client = await connectSmtp(opts(s.port));
  assert.ok(client.capabilities.has('pipelining'));
  const res = await client.send({
    mailFrom: 'alice@crepes.test',
    recipients: [
      { address: 'bob@hamburger.test', notify: ['FAILURE', 'DELAY'], orcpt: 'rfc822;bob+x=y@hamburger.test' },
      { address: 'nobody@hamburger.test' },
      { address: 'later@hamburger.test' },
    ],
    bytes: Buffer.concat([MESSAGE, Buffer.from('caf\u00e9\r\n')]),
    ret: 'HDRS',
    envId: 'id+1',
  });
  await client.quit();
  assert.deepEqual(s.errors, []);
  assert.match(
    mail,
    /^MAIL FROM:<alice@crepes\.test> SIZE=\d+ BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=id\+2B1$/,
  );
  assert.equal(
    rcpts[0],
    'RCPT TO:<bob@hamburger.test> NOTIFY=FAILURE,DELAY ORCPT=rfc822;bob+2Bx+3Dy@hamburger.test',
  );
  assert.deepEqual(data, ['Subject: t', '', '..leading dot', 'bare lf', 'end', 'café']);
  assert.deepEqual(
    res.recipients.map((r) => [r.address, r.accepted, r.reply.code, r.reply.enhanced]),
    [
      ['bob@hamburger.test', true, 250, '2.0.0'],
      ['nobody@hamburger.test', false, 550, '5.1.1'],
      ['later@hamburger.test', false, 450, '4.2.1'],
    ],
  );
});

test('no PIPELINING: one command at a time; MAIL refused applies to all and RSETs', async () => {
  const s = await server(async (c) => {
    await greetAndEhlo(c, ['SIZE']);
    await c.expect('MAIL FROM:<>');
    c.send('553 5.7.1 sender refused');
    await c.expect('RSET');
    c.send('250 ok');
    await c.expect('MAIL FROM:<a@x.test>');
    c.send('250 ok');
    await c.expect('RCPT TO:<b@y.test>');
    c.send('250 ok');
    await c.expect('DATA');
    c.send('354 go');
    await c.readData();
    c.send('554 5.6.0 content refused');
    await c.expect('RSET');
    c.send('250 ok');
  });
  const client = await connectSmtp(opts(s.port));
  const first = await client.send({
    mailFrom: '',
    recipients: [{ address: 'b@y.test' }, { address: 'c@y.test' }],
    bytes: MESSAGE,
  });
  assert.deepEqual(
    first.recipients.map((r) => r.reply.code),
    [553, 553],
  );
  const second = await client.send({
    mailFrom: 'a@x.test',
    recipients: [{ address: 'b@y.test' }],
    bytes: MESSAGE,
  });
  assert.deepEqual([second.recipients[0]?.reply.code, second.recipients[0]?.accepted], [554, false]);
  client.destroy();
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(s.errors, []);
});

test('BDAT when CHUNKING is offered: canonical CRLF bytes, no dot-stuffing', async () => {
  let chunk: Buffer = Buffer.alloc(0);
  const s = await server(async (c) => {
    await greetAndEhlo(c, ['PIPELINING', 'CHUNKING', 'BINARYMIME']);
    await c.expect('MAIL');
    await c.expect('RCPT');
    c.send('250 ok', '250 ok');
    const bdat = await c.expect('BDAT ');
    const m = /^BDAT (\d+) LAST$/.exec(bdat);
    assert.ok(m, bdat);
    chunk = await c.readExactly(Number(m[1]));
    c.send('250 2.0.0 got it');
  });
  const client = await connectSmtp(opts(s.port));
  const res = await client.send({
    mailFrom: 'a@x.test',
    recipients: [{ address: 'b@y.test' }],
    bytes: MESSAGE,
  });
  client.destroy();
  assert.equal(res.chunked, true);
  assert.equal(res.recipients[0]?.accepted, true);
  assert.equal(chunk.toString(), 'Subject: t\r\n\r\n.leading dot\r\nbare lf\r\nend\r\n');
  assert.deepEqual(s.errors, []);
});

test('EHLO refused: falls back to HELO and plain SMTP', async () => {
  const s = await server(async (c) => {
    c.send('220 old.test SMTP');
    await c.expect('EHLO');
    c.send('502 command not implemented');
    await c.expect('HELO client.test');
    c.send('250 old.test');
    await c.expect('MAIL FROM:<a@x.test>');
    c.send('250 ok');
    await c.expect('RCPT');
    c.send('250 ok');
    await c.expect('DATA');
    c.send('354 go');
    await c.readData();
    c.send('250 ok');
  });
  const client = await connectSmtp(opts(s.port));
  assert.deepEqual(client.capabilities.keywords, []);
  const res = await client.send({
    mailFrom: 'a@x.test',
    recipients: [{ address: 'b@y.test' }],
    bytes: MESSAGE,
  });
  client.destroy();
  assert.equal(res.recipients[0]?.accepted, true);
  assert.deepEqual(s.errors, []);
});

test('STARTTLS then EHLO again, AUTH PLAIN over TLS, password kept out of the transcript', async () => {
  const ctx = await testTlsContext();
  const s = await server(async (c) => {
    await greetAndEhlo(c, ['STARTTLS', 'AUTH LOGIN']);
    await c.expect('STARTTLS');
    await c.line.startTls(ctx, '220 2.0.0 ready');
    await c.expect('EHLO');
    c.send('250-mx.test', '250 AUTH PLAIN LOGIN');
    const auth = await c.expect('AUTH PLAIN ');
    c.send(
      auth === `AUTH PLAIN ${encodeSaslPlain('alice@crepes.test', 's3cret!')}`
        ? '235 2.7.0 ok'
        : '535 5.7.8 bad',
    );
    await c.expect('QUIT');
    c.send('221 bye');
  });
  const transcript = recordTranscript((e) => e.protocol === 'smtp-client');
  const client = await connectSmtp(
    opts(s.port, {
      security: 'starttls',
      tls: { rejectUnauthorized: false },
      auth: { username: 'alice@crepes.test', password: 's3cret!' },
    }),
  );
  assert.equal(client.secure, true);
  assert.equal(client.authenticated, true);
  await client.quit();
  transcript.stop();
  const text = transcript.entries.map((e) => e.text).join('\n');
  assert.ok(!text.includes(encodeSaslPlain('alice@crepes.test', 's3cret!')));
  assert.match(text, /AUTH PLAIN \*\*\*\*/);
  const labelled = (prefix: string): string | undefined =>
    transcript.entries.find((e) => e.text.startsWith(prefix))?.direction;
  assert.equal(labelled('EHLO'), 'C', 'our commands are the client side of the transcript');
  assert.equal(labelled('220'), 'S', 'the replies we read are the server side');
  assert.deepEqual(s.errors, []);
});

test('AUTH LOGIN when PLAIN is not offered; 535 is a permanent SMTP_REPLY error', async () => {
  const ctx = await testTlsContext();
  const script = (ok: boolean) => async (c: Parameters<Parameters<typeof startScriptedServer>[0]>[0]) => {
    await greetAndEhlo(c, ['STARTTLS']);
    await c.expect('STARTTLS');
    await c.line.startTls(ctx, '220 ready');
    await c.expect('EHLO');
    c.send('250-mx.test', '250 AUTH=LOGIN');
    await c.expect('AUTH LOGIN');
    c.send('334 VXNlcm5hbWU6');
    assert.equal(await c.read(), Buffer.from('bob').toString('base64'));
    c.send('334 UGFzc3dvcmQ6');
    assert.equal(await c.read(), Buffer.from('pw').toString('base64'));
    c.send(ok ? '235 ok' : '535 5.7.8 authentication failed');
    await c.read();
  };
  const s = await server(script(true), script(false));
  const o = opts(s.port, {
    security: 'starttls',
    tls: { rejectUnauthorized: false },
    auth: { username: 'bob', password: 'pw' },
  });
  const client = await connectSmtp(o);
  assert.equal(client.authenticated, true);
  client.destroy();
  await assert.rejects(
    connectSmtp(o),
    (e) =>
      e instanceof SmtpClientError &&
      e.code === ErrorCodes.SMTP_REPLY &&
      !e.transient &&
      e.reply?.code === 535,
  );
  assert.deepEqual(s.errors, []);
});

test('certificate verification: required STARTTLS verifies by default, opportunistic does not', async () => {
  const ctx = await testTlsContext();
  const script = async (c: Parameters<Parameters<typeof startScriptedServer>[0]>[0]) => {
    await greetAndEhlo(c, ['STARTTLS']);
    await c.expect('STARTTLS');
    await c.line.startTls(ctx, '220 ready').catch(() => undefined);
    await c.read();
    c.send('250 mx.test');
    await c.read();
  };
  const s = await server(script);
  await assert.rejects(connectSmtp(opts(s.port, { security: 'starttls' })), (e) => {
    // The refusal says whose certificate it was and why, and nothing was sent over that TLS.
    assert.ok(hasCode(e, ErrorCodes.TLS_UNTRUSTED));
    const cause = (e as Error).cause;
    assert.ok(cause instanceof TlsUntrustedError);
    assert.equal(cause.certificate.reason, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.equal(cause.certificate.selfSigned, true);
    assert.match(cause.certificate.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.match(
      (e as Error).message,
      /^starttls: the server's certificate is not trusted: it is self-signed/,
    );
    return true;
  });
  assert.equal(s.conns[0]?.received.filter((l) => l.startsWith('EHLO')).length, 1);
  const relay = await connectSmtp(opts(s.port, { security: 'opportunistic' }));
  assert.equal(relay.secure, true);
  relay.destroy();
});

test('STARTTLS required but not offered fails; no password goes out in plaintext', async () => {
  const s = await server(async (c) => {
    await greetAndEhlo(c, ['AUTH PLAIN']);
    await c.read();
  });
  await assert.rejects(connectSmtp(opts(s.port, { security: 'starttls' })), (e) =>
    hasCode(e, ErrorCodes.TLS_UNAVAILABLE),
  );
  assert.ok(!s.conns.some((c) => c.received.some((l) => l.startsWith('AUTH'))));
});

test('greeting 554 is permanent, 421 transient; silence times out; malformed and huge replies are protocol errors', async () => {
  const s = await server(
    (c) => {
      c.send('554 5.7.1 go away');
      return Promise.resolve();
    },
    (c) => {
      c.send('421 4.3.2 busy');
      return Promise.resolve();
    },
    async (c) => {
      await c.read();
    },
    (c) => {
      c.send('220 ok', '');
      return Promise.resolve();
    },
    async (c) => {
      c.send('220 ok');
      await c.expect('EHLO');
      c.send(`250 ${'x'.repeat(10_000)}`);
    },
    async (c) => {
      c.send('220 ok');
      await c.expect('EHLO');
      c.send('250-a', '251 b');
    },
    async (c) => {
      c.send('220 ok');
      await c.expect('EHLO');
      c.send(...Array.from({ length: 500 }, () => '250-more'));
      await c.read();
    },
  );
  await assert.rejects(
    connectSmtp(opts(s.port)),
    (e) => e instanceof SmtpClientError && e.reply?.code === 554 && !e.transient,
  );
  await assert.rejects(
    connectSmtp(opts(s.port)),
    (e) => e instanceof SmtpClientError && e.reply?.code === 421 && e.transient,
  );
  await assert.rejects(connectSmtp(opts(s.port, { timeouts: { greetingTimeoutMs: 100 } })), (e) =>
    hasCode(e, ErrorCodes.TIMEOUT),
  );
  await assert.rejects(connectSmtp(opts(s.port)), (e) => hasCode(e, ErrorCodes.SMTP_PROTOCOL));
  await assert.rejects(connectSmtp(opts(s.port)), (e) => hasCode(e, ErrorCodes.SMTP_PROTOCOL));
  // An endless multi-line reply stops at 100 lines.
  await assert.rejects(connectSmtp(opts(s.port)), (e) => hasCode(e, ErrorCodes.SMTP_PROTOCOL));
  const port = s.port;
  await s.close();
  await assert.rejects(connectSmtp(opts(port)), (e) => hasCode(e, ErrorCodes.CONNECTION_CLOSED));
});

test('local refusals: SIZE over the limit and UTF-8 addresses without SMTPUTF8 send nothing', async () => {
  const s = await server(async (c) => {
    await greetAndEhlo(c, ['SIZE 10']);
    await c.read();
  });
  const client = await connectSmtp(opts(s.port));
  const big = await client.send({
    mailFrom: 'a@x.test',
    recipients: [{ address: 'b@y.test' }],
    bytes: MESSAGE,
  });
  assert.deepEqual([big.recipients[0]?.reply.code, big.recipients[0]?.reply.enhanced], [552, '5.3.4']);
  const utf8 = await client.send({
    mailFrom: 'a@x.test',
    recipients: [{ address: 'ü@y.test' }],
    bytes: Buffer.from('x'),
  });
  assert.deepEqual([utf8.recipients[0]?.reply.code, utf8.recipients[0]?.reply.enhanced], [553, '5.6.7']);
  client.destroy();
  assert.ok(!s.conns[0]?.received.some((l) => l.startsWith('MAIL')));
  await assert.rejects(
    client.send({
      mailFrom: 'a@x.test>\r\nRCPT TO:<evil@x',
      recipients: [{ address: 'b@y.test' }],
      bytes: MESSAGE,
    }),
  );
});
