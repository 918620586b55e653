import { tempDir } from '../../helpers/temp.js';
/**
 * Interop with SMTP clients nobody here wrote (a missing one FAILS the test): swaks (MX delivery,
 * a refused relay, submission with STARTTLS and AUTH PLAIN/LOGIN, PIPELINING, SMTPS), Python's
 * smtplib (STARTTLS, login, SMTPUTF8 + 8BITMIME; a failing account hook answered 451 and the
 * same connection then logging in) and nodemailer (SMTPS and STARTTLS submission).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { silentLogger } from '../../../src/core/logger.js';
import { smtpHooks } from '../../../src/mail/service/smtp-service.js';
import { HOSTNAME, inbox, PASSWORD, startSmtp } from './helpers.js';
import { runText } from '../../helpers/run.js';

/** A peer's exit code and everything it printed (stdout, then stderr). */
async function run(
  command: string,
  args: string[],
  input?: string,
): Promise<{ code: number | null; out: string }> {
  const r = await runText(command, args, input === undefined ? {} : { input });
  return { code: r.code, out: r.stdout + r.stderr };
}

const swaks = (port: number, ...args: string[]): Promise<{ code: number | null; out: string }> =>
  run('swaks', [
    '--server',
    '127.0.0.1',
    '--port',
    String(port),
    '--helo',
    'swaks.test',
    '--timeout',
    '20',
    ...args,
  ]);

test('swaks: MX delivery, refused relay, pipelining', async () => {
  const f = await startSmtp();
  try {
    const ok = await swaks(
      f.ports.mx,
      '--from',
      'carol@remote.test',
      '--to',
      'bob@example.test',
      '--header',
      'Subject: swaks mx',
      '--body',
      'hello from swaks',
    );
    assert.equal(ok.code, 0, ok.out);
    assert.match(
      (await inbox(f.store, 'bob@example.test'))[0] ?? '',
      /Subject: swaks mx[\s\S]*hello from swaks/,
    );
    const relay = await swaks(f.ports.mx, '--from', 'a@remote.test', '--to', 'victim@elsewhere.test');
    assert.notEqual(relay.code, 0);
    assert.match(relay.out, /<\*\* +550 5\.7\.1 Relay access denied/);
    const piped = await swaks(
      f.ports.mx,
      '--pipeline',
      '--from',
      'a@remote.test',
      '--to',
      'alice@example.test,bob@example.test',
      '--header',
      'Subject: piped',
    );
    assert.equal(piped.code, 0, piped.out);
    assert.match(piped.out, /PIPELINING/);
    assert.equal((await inbox(f.store, 'alice@example.test')).length, 1);
  } finally {
    await f.close();
  }
});

test('swaks: submission over STARTTLS with AUTH PLAIN and LOGIN; SMTPS; sender mismatch refused', async () => {
  const f = await startSmtp({ loginPolicy: { allowPlaintextOnLoopback: false } });
  try {
    for (const mech of ['PLAIN', 'LOGIN']) {
      const r = await swaks(
        f.ports.submission,
        '--tls',
        '--auth',
        mech,
        '--auth-user',
        'bob@example.test',
        '--auth-password',
        PASSWORD,
        '--from',
        'bob@example.test',
        '--to',
        'alice@example.test,friend@remote.test',
        '--header',
        `Subject: ${mech}`,
      );
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /235 2\.7\.0/);
    }
    // --tls-sni: TcpService's implicit-TLS listener picks its certificate by SNI only (reported).
    const smtps = await swaks(
      f.ports.smtps,
      '--tlsc',
      '--tls-sni',
      'localhost',
      '--auth',
      'PLAIN',
      '--auth-user',
      'alice@example.test',
      '--auth-password',
      PASSWORD,
      '--from',
      'alice@example.test',
      '--to',
      'bob@example.test',
    );
    assert.equal(smtps.code, 0, smtps.out);
    const bad = await swaks(
      f.ports.submission,
      '--tls',
      '--auth',
      'PLAIN',
      '--auth-user',
      'bob@example.test',
      '--auth-password',
      PASSWORD,
      '--from',
      'alice@example.test',
      '--to',
      'friend@remote.test',
    );
    assert.notEqual(bad.code, 0);
    assert.match(bad.out, /553 5\.7\.1/);
    const noTls = await swaks(
      f.ports.submission,
      '--auth',
      'PLAIN',
      '--auth-user',
      'bob@example.test',
      '--auth-password',
      PASSWORD,
      '--from',
      'bob@example.test',
      '--to',
      'friend@remote.test',
    );
    assert.notEqual(noTls.code, 0, 'no AUTH without TLS off-loopback');
    assert.equal((await inbox(f.store, 'alice@example.test')).length, 2);
    assert.equal((await inbox(f.store, 'bob@example.test')).length, 1);
    assert.equal((await f.store.queue.list()).length, 2);
  } finally {
    await f.close();
  }
});

test('python smtplib: starttls, login, sendmail with SMTPUTF8 and 8BITMIME', async () => {
  const f = await startSmtp({ loginPolicy: { allowPlaintextOnLoopback: false } });
  const dir = tempDir('outpost-py-');
  try {
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, f.ca);
    const script = `
import smtplib, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
s = smtplib.SMTP('localhost', int(sys.argv[1]), local_hostname='py.test', timeout=20)
s.ehlo()
assert not s.has_extn('auth'), 'AUTH offered before TLS'
s.starttls(context=ctx)
s.ehlo()
assert s.has_extn('smtputf8') and s.has_extn('8bitmime')
s.login('bob@example.test', sys.argv[3])
msg = 'From: bob@example.test\\r\\nTo: al\\u00efce@example.test\\r\\nSubject: caf\\u00e9\\r\\n\\r\\nd\\u00e9j\\u00e0 vu\\r\\n'.encode('utf-8')
refused = s.sendmail('bob@example.test', ['alice@example.test', 'j\\u00f6rg@remote.test'], msg, mail_options=['SMTPUTF8', 'BODY=8BITMIME'])
assert refused == {}, refused
s.quit()
print('OK')
`;
    const r = await run('python3', ['-c', script, String(f.ports.submission), ca, PASSWORD]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /OK/);
    const [msg] = await inbox(f.store, 'alice@example.test');
    assert.match(msg ?? '', /with UTF8SMTPSA[\s\S]*Subject: café[\s\S]*déjà vu/);
    assert.equal((await f.store.queue.list())[0]?.recipients[0]?.address, 'jörg@remote.test');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await f.close();
  }
});

test('python smtplib: a throwing account hook gets 451 4.3.0 and the connection can still log in and send', async () => {
  const f = await startSmtp();
  const real = smtpHooks(f.accounts, {
    store: f.store,
    hostname: HOSTNAME,
    logger: silentLogger(),
    onQueued: () => undefined,
  });
  let failures = 1;
  f.server.reconfigure({
    hooks: {
      ...real,
      authenticate: (...args) =>
        failures-- > 0
          ? Promise.reject(new Error('account database unreachable'))
          : real.authenticate(...args),
    },
  });
  try {
    const script = `
import smtplib, sys, base64
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), local_hostname='py.test', timeout=20)
s.ehlo()
ir = base64.b64encode(b'\\0bob@example.test\\0' + sys.argv[2].encode()).decode()
code, text = s.docmd('AUTH', 'PLAIN ' + ir)
print(code, text.decode())
s.login('bob@example.test', sys.argv[2])
s.sendmail('bob@example.test', ['alice@example.test'], b'Subject: after 451\\r\\n\\r\\nstill here\\r\\n')
s.quit()
print('OK')
`;
    const r = await run('python3', ['-c', script, String(f.ports.submission), PASSWORD]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^451 4\.3\.0 Local error in processing, try again later\nOK/);
    assert.match(
      (await inbox(f.store, 'alice@example.test'))[0] ?? '',
      /Subject: after 451[\s\S]*still here/,
    );
  } finally {
    await f.close();
  }
});

test('nodemailer: SMTPS and STARTTLS submission', async () => {
  const f = await startSmtp({ loginPolicy: { allowPlaintextOnLoopback: false } });
  try {
    const smtps = nodemailer.createTransport({
      host: '127.0.0.1',
      port: f.ports.smtps,
      secure: true,
      auth: { user: 'bob@example.test', pass: PASSWORD },
      tls: { ca: f.ca, servername: 'localhost' },
    });
    const a = await smtps.sendMail({
      from: 'bob@example.test',
      to: 'alice@example.test',
      subject: 'via smtps',
      text: 'hello',
    });
    assert.match(a.response, /^250 /);
    const starttls = nodemailer.createTransport({
      host: '127.0.0.1',
      port: f.ports.submission,
      secure: false,
      requireTLS: true,
      auth: { user: 'alice@example.test', pass: PASSWORD },
      tls: { ca: f.ca, servername: 'localhost' },
    });
    const b = await starttls.sendMail({
      from: 'alice@example.test',
      to: ['bob@example.test', 'someone@remote.test'],
      subject: 'via starttls',
      text: 'hi',
      attachments: [{ filename: 'a.txt', content: 'attached' }],
    });
    assert.match(b.response, /^250 /);
    assert.deepEqual(b.accepted.sort(), ['bob@example.test', 'someone@remote.test']);
    assert.match((await inbox(f.store, 'alice@example.test'))[0] ?? '', /Subject: via smtps/);
    assert.match((await inbox(f.store, 'bob@example.test'))[0] ?? '', /Subject: via starttls[\s\S]*a\.txt/);
    smtps.close();
    starttls.close();
  } finally {
    await f.close();
  }
});
