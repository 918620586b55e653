// outpost/testing as another project's test suite uses it: switch services on, point real clients
// (nodemailer, swaks, curl, Python's poplib and ftplib, basic-ftp, node:tls/https) at the
// returned addresses, trusting `ca` for TLS, and read or wait for the mail the suite delivered,
// parsed (text, HTML, attachments, encoded headers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { get as httpsGet } from 'node:https';
import { Readable } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { Client as FtpClient } from 'basic-ftp';
import nodemailer from 'nodemailer';
import { startTestOutpost } from '../../src/testing/index.js';
import { runText } from '../helpers/run.js';
import { tempDir } from '../helpers/temp.js';

const ALICE = { address: 'alice@example.test', password: 'wonderland-42' };
const BOB = { address: 'bob@example.test', password: 'builder-42' };

/** A peer's exit code and everything it printed. */
async function run(command: string, args: string[]): Promise<{ code: number | null; out: string }> {
  const r = await runText(command, args);
  return { code: r.code, out: r.stdout + r.stderr };
}

test('mail: nodemailer submits, waitForMessage returns it parsed; swaks delivers over MX', async () => {
  await using outpost = await startTestOutpost({ users: [ALICE, BOB], smtp: true, pop3: true, imap: true });
  assert.ok(outpost.smtp && outpost.submission && outpost.pop3 && outpost.imap);
  assert.notEqual(outpost.smtp.port, outpost.submission.port);
  assert.deepEqual(await outpost.messages(BOB.address), [], 'an empty mailbox before any delivery');

  const arriving = outpost.waitForMessage(BOB.address, { match: (m) => m.subject === 'Résumé ✓' });
  const transport = nodemailer.createTransport({
    host: outpost.submission.host,
    port: outpost.submission.port,
    secure: false,
    auth: { user: ALICE.address, pass: ALICE.password },
    requireTLS: true,
    tls: { ca: outpost.ca },
  });
  await transport.sendMail({
    from: `Alice <${ALICE.address}>`,
    to: BOB.address,
    cc: 'Carol <carol@elsewhere.test>',
    subject: 'Résumé ✓',
    text: 'plain body\n',
    html: '<p>html body</p>',
    attachments: [{ filename: 'report.csv', content: 'a,b\n1,2\n' }],
  });
  const m = await arriving;
  assert.equal(m.from, ALICE.address);
  assert.deepEqual(m.to, [BOB.address]);
  assert.deepEqual(m.cc, ['carol@elsewhere.test']);
  assert.equal(m.subject, 'Résumé ✓', 'encoded words decoded');
  assert.equal(m.text.replace(/\r\n/g, '\n'), 'plain body\n');
  assert.equal(m.html, '<p>html body</p>');
  assert.deepEqual(
    m.attachments.map((a) => [a.filename, a.content.toString()]),
    [['report.csv', 'a,b\n1,2\n']],
  );
  assert.match(m.header('received') ?? '', /by /, 'the raw message carries our trace header');
  assert.ok(m.raw.includes('Return-Path: <alice@example.test>'));

  const swaks = await run('swaks', [
    '--server',
    outpost.smtp.host,
    '--port',
    String(outpost.smtp.port),
    '--helo',
    'swaks.test',
    '--from',
    'someone@remote.test',
    '--to',
    BOB.address,
    '--header',
    'Subject: over MX',
  ]);
  assert.equal(swaks.code, 0, swaks.out);
  const mx = await outpost.waitForMessage(BOB.address, { match: (x) => x.subject === 'over MX' });
  assert.equal(mx.from, 'someone@remote.test');
  assert.deepEqual(
    (await outpost.messages(BOB.address)).map((x) => x.subject),
    ['Résumé ✓', 'over MX'],
    'oldest first',
  );

  // The same mailbox over POP3, with Python's poplib.
  const pop = await run('python3', [
    '-c',
    `import poplib; p = poplib.POP3('${outpost.pop3.host}', ${outpost.pop3.port}); p.user('${BOB.address}'); p.pass_('${BOB.password}'); print(p.stat()[0]); p.quit()`,
  ]);
  assert.equal(pop.code, 0, pop.out);
  assert.equal(pop.out.trim(), '2');

  // And over IMAP with Python's imaplib, after STARTTLS trusting `ca`.
  const caFile = join(tempDir('outpost-ca-'), 'ca.pem');
  writeFileSync(caFile, outpost.ca ?? '');
  const imap = await run('python3', [
    '-c',
    [
      'import imaplib, ssl',
      `m = imaplib.IMAP4('${outpost.imap.host}', ${outpost.imap.port})`,
      `m.starttls(ssl.create_default_context(cafile='${caFile}'))`,
      `m.login('${BOB.address}', '${BOB.password}')`,
      "print(m.select('INBOX')[1][0].decode())",
      "print(m.fetch('2', '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])')[1][0][1].decode().strip())",
      'm.logout()',
    ].join('\n'),
  ]);
  assert.equal(imap.code, 0, imap.out);
  assert.deepEqual(imap.out.trim().split('\n'), ['2', 'Subject: over MX']);
});

test('waitForMessage rejects after its timeout, at once on a bad address, with the error of a throwing match; no mail services: no mailboxes', async () => {
  await using outpost = await startTestOutpost({ users: [BOB], smtp: true });
  await assert.rejects(
    outpost.waitForMessage(BOB.address, { timeoutMs: 100 }),
    /no matching message for bob@example\.test within 100 ms/,
  );
  await assert.rejects(outpost.waitForMessage('not an address', { timeoutMs: 60_000 }), /address/i);
  // Handled from the start: the rejection comes while swaks is still running.
  const arriving = assert.rejects(
    outpost.waitForMessage(BOB.address, {
      timeoutMs: 60_000,
      match: () => {
        throw new TypeError("the caller's match threw");
      },
    }),
    /the caller's match threw/,
    'the real error, not a timeout',
  );
  const swaks = await run('swaks', [
    '--server',
    outpost.smtp?.host ?? '',
    '--port',
    String(outpost.smtp?.port ?? 0),
    '--from',
    'someone@remote.test',
    '--to',
    BOB.address,
  ]);
  assert.equal(swaks.code, 0, swaks.out);
  await arriving;
  await using bare = await startTestOutpost({ users: [BOB] });
  assert.equal(bare.smtp, undefined);
  assert.deepEqual(await bare.messages(BOB.address), []);
});

test('ftp and http switches give addresses real clients use; close removes the data directory', async () => {
  const site = tempDir('outpost-testing-site-');
  try {
    writeFileSync(join(site, 'hello.txt'), 'hello from the test site\n');
    const outpost = await startTestOutpost({ users: [ALICE], ftp: true, http: { root: site } });
    assert.ok(outpost.http && outpost.ftp);
    const curl = await run('curl', ['-sS', `${outpost.http}/hello.txt`]);
    assert.equal(curl.out, 'hello from the test site\n');
    const ftp = await run('python3', [
      '-c',
      `import ftplib; f = ftplib.FTP(); f.connect('${outpost.ftp.host}', ${outpost.ftp.port}); f.login('${ALICE.address}', '${ALICE.password}'); print(f.pwd()); f.quit()`,
    ]);
    assert.equal(ftp.code, 0, ftp.out);
    assert.equal(ftp.out.trim(), '/');
    await outpost.close();
    assert.equal(existsSync(outpost.dataDir), false);
  } finally {
    rmSync(site, { recursive: true, force: true });
  }
});

test('`ca` is what TLS clients trust: nodemailer, basic-ftp, node:https and node:tls verify with it', async () => {
  const site = tempDir('outpost-testing-ca-');
  writeFileSync(join(site, 'hello.txt'), 'hello over TLS\n');
  await using outpost = await startTestOutpost({
    users: [ALICE, BOB],
    smtp: true,
    ftp: true,
    config: { http: { listen: [], tls_listen: ['127.0.0.1:0'], root: site } },
  });
  const ca = outpost.ca;
  assert.ok(ca?.startsWith('-----BEGIN CERTIFICATE-----'));
  assert.ok(outpost.submission && outpost.ftp);
  const { host, port } = outpost.submission;

  // nodemailer's defaults refuse the self-signed certificate; with `tls: { ca }` it verifies it.
  const mail = { from: ALICE.address, to: BOB.address, subject: 'verified', text: 'over verified TLS\n' };
  const auth = { user: ALICE.address, pass: ALICE.password };
  await assert.rejects(
    nodemailer.createTransport({ host, port, secure: false, requireTLS: true, auth }).sendMail(mail),
    /self-signed certificate/,
  );
  await nodemailer
    .createTransport({ host, port, secure: false, requireTLS: true, auth, tls: { ca } })
    .sendMail(mail);
  assert.equal(
    (await outpost.waitForMessage(BOB.address, { match: (m) => m.subject === 'verified' })).text.trim(),
    'over verified TLS',
  );

  // basic-ftp over explicit FTPS (AUTH TLS), control and data connections verified.
  const ftp = new FtpClient();
  try {
    await ftp.access({
      host: outpost.ftp.host,
      port: outpost.ftp.port,
      user: ALICE.address,
      password: ALICE.password,
      secure: true,
      secureOptions: { ca },
    });
    await ftp.uploadFrom(Readable.from(['uploaded over FTPS\n']), 'up.txt');
    assert.deepEqual(
      (await ftp.list()).map((e) => e.name),
      ['up.txt'],
    );
  } finally {
    ftp.close();
  }

  // node:https and node:tls, which undici's `connect: { ca }` passes on unchanged.
  const https = outpost.endpoints().find((e) => e.service === 'http' && e.tls === 'implicit');
  assert.ok(https);
  const body = await new Promise<string>((resolve, reject) => {
    httpsGet({ host: '127.0.0.1', port: https.port, path: '/hello.txt', ca }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => {
        resolve(text);
      });
    }).on('error', reject);
  });
  assert.equal(body, 'hello over TLS\n');
  const socket = tlsConnect({ host: '127.0.0.1', port: https.port, ca, ALPNProtocols: ['h2'] });
  await once(socket, 'secureConnect');
  assert.equal(socket.authorized, true);
  assert.equal(socket.alpnProtocol, 'h2');
  socket.destroy();
  rmSync(site, { recursive: true, force: true });
});
