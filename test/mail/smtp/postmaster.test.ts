/**
 * Postmaster (RFC 5321 §4.5.1): the recipient policy (`<Postmaster>` in any case,
 * `postmaster@<our domain>` with and without a real account, a foreign postmaster still refused
 * as relay), the choice of the postmaster account (`[smtp] postmaster`, its default, its
 * validation, the fallback when the account goes away), and delivery through the suite with
 * swaks and Python's smtplib: into the postmaster's INBOX, committed before the 250, also for the
 * null sender (bounces) and from an authenticated submission.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteAccountStore, type AccountStore } from '../../../src/core/accounts/store.js';
import { openDatabase } from '../../../src/core/db.js';
import { configFromObject } from '../../../src/core/config/load.js';
import { ConfigError } from '../../../src/core/errors.js';
import { parseRcptArgs } from '../../../src/mail/smtp/codec/command.js';
import {
  decideRecipient,
  type LocalDirectory,
  type RecipientVerdict,
} from '../../../src/mail/smtp/policy.js';
import { choosePostmaster, defaultPostmaster, localRecipients } from '../../../src/mail/local-recipients.js';
import { startTestOutpost, type TestOutpost } from '../../../src/testing/index.js';
import { runText } from '../../helpers/run.js';

/** example.test with bob; the postmaster hook answers alice. */
function directory(
  options: { postmasterAccount?: boolean; postmaster?: string | null } = {},
): LocalDirectory {
  const users = new Set(['bob@example.test']);
  if (options.postmasterAccount === true) users.add('postmaster@example.test');
  const dir: LocalDirectory = {
    isLocalDomain: (d) => Promise.resolve(d.toLowerCase() === 'example.test'),
    localUser: (a) => Promise.resolve(users.has(a.toLowerCase()) ? a.toLowerCase() : null),
  };
  if (options.postmaster === undefined)
    return { ...dir, postmaster: () => Promise.resolve('alice@example.test') };
  const p = options.postmaster;
  return p === null ? dir : { ...dir, postmaster: () => Promise.resolve(p) };
}

function decide(rcpt: string, dir: LocalDirectory, authenticated = false): Promise<RecipientVerdict> {
  const parsed = parseRcptArgs(`TO:${rcpt}`);
  assert.ok(parsed.ok, `${rcpt} parses`);
  return decideRecipient(parsed.value.path, { authenticated }, dir);
}

function refusal(v: RecipientVerdict): string {
  return v.ok ? `accepted ${v.address}` : `${v.reply.code} ${v.reply.enhanced ?? ''}`;
}

test('policy: <Postmaster> in any case goes to the postmaster account, unauthenticated', async () => {
  const dir = directory();
  for (const rcpt of ['<postmaster>', '<POSTMASTER>', '<Postmaster>', '<PostMaster>']) {
    assert.deepEqual(
      await decide(rcpt, dir),
      { ok: true, route: 'local', address: 'alice@example.test' },
      rcpt,
    );
  }
});

test('policy: postmaster@ our domain without an account goes to the postmaster; with one, to it', async () => {
  const dir = directory();
  for (const rcpt of [
    '<postmaster@example.test>',
    '<POSTMASTER@Example.TEST>',
    '<"postmaster"@example.test>',
  ]) {
    assert.deepEqual(
      await decide(rcpt, dir),
      { ok: true, route: 'local', address: 'alice@example.test' },
      rcpt,
    );
  }
  const withAccount = directory({ postmasterAccount: true });
  assert.deepEqual(await decide('<Postmaster@example.test>', withAccount), {
    ok: true,
    route: 'local',
    address: 'postmaster@example.test',
  });
  // The bare <Postmaster> still goes to the chosen account (the hook decides who that is).
  assert.deepEqual(await decide('<postmaster>', withAccount), {
    ok: true,
    route: 'local',
    address: 'alice@example.test',
  });
  // Other unknown local users are still unknown.
  assert.equal(refusal(await decide('<postmistress@example.test>', dir)), '550 5.1.1');
});

test('policy: a foreign postmaster is relaying (refused unless authenticated); literals and routes refused', async () => {
  const dir = directory();
  assert.equal(refusal(await decide('<postmaster@foreign.test>', dir)), '550 5.7.1');
  assert.deepEqual(await decide('<postmaster@foreign.test>', dir, true), {
    ok: true,
    route: 'remote',
    address: 'postmaster@foreign.test',
  });
  assert.equal(refusal(await decide('<postmaster@[127.0.0.1]>', dir)), '550 5.7.1');
  assert.equal(refusal(await decide('<@relay.test:postmaster@example.test>', dir)), '550 5.7.1');
});

test('policy: no postmaster hook or no account: 550 5.1.1, never an accept to nowhere', async () => {
  for (const dir of [
    directory({ postmaster: null }),
    { ...directory(), postmaster: () => Promise.resolve(null) },
  ]) {
    assert.equal(refusal(await decide('<Postmaster>', dir)), '550 5.1.1');
    assert.equal(refusal(await decide('<postmaster@example.test>', dir)), '550 5.1.1');
    assert.equal(refusal(await decide('<bob@example.test>', dir)), 'accepted bob@example.test');
  }
});

async function accounts(): Promise<AccountStore> {
  const store = new SqliteAccountStore({
    db: openDatabase(':memory:'),
    hasher: {
      hash: (p) => Promise.resolve(`plain:${p}`),
      verify: (p, e) => Promise.resolve(e === `plain:${p}`),
    },
  });
  return Promise.resolve(store);
}

test('choosing the postmaster: configured account, postmaster@ account, first account by name, none', async () => {
  const a = await accounts();
  assert.equal(await defaultPostmaster(a), null);
  assert.equal(await choosePostmaster(a, undefined), null);
  await a.addDomain('zz.test');
  await a.addDomain('aa.test');
  await a.addUser('zoe@zz.test', { password: 'x' });
  await a.addUser('carl@aa.test', { password: 'x' });
  await a.addUser('adam@aa.test', { password: 'x' });
  // The first domain by name, then the first account in it by name (not by age).
  assert.deepEqual(await defaultPostmaster(a), { address: 'adam@aa.test', source: 'first-account' });
  await a.setDisabled('adam@aa.test', true);
  assert.deepEqual(await defaultPostmaster(a), { address: 'carl@aa.test', source: 'first-account' });
  await a.setDisabled('adam@aa.test', false);
  await a.addUser('postmaster@zz.test', { password: 'x' });
  assert.deepEqual(await defaultPostmaster(a), {
    address: 'postmaster@zz.test',
    source: 'postmaster-account',
  });
  await a.addUser('PostMaster@aa.test', { password: 'x' });
  assert.deepEqual(await defaultPostmaster(a), {
    address: 'PostMaster@aa.test',
    source: 'postmaster-account',
  });
  await a.setDisabled('PostMaster@aa.test', true);
  assert.deepEqual(await defaultPostmaster(a), {
    address: 'postmaster@zz.test',
    source: 'postmaster-account',
  });
  assert.deepEqual(await choosePostmaster(a, 'ADAM@aa.test'), { address: 'adam@aa.test', source: 'config' });
  for (const bad of ['nobody@aa.test', 'adam@elsewhere.test', 'not an address']) {
    await assert.rejects(
      choosePostmaster(a, bad),
      (err: unknown) => err instanceof ConfigError && err.keyPath === 'smtp.postmaster',
      bad,
    );
  }
  await a.setDisabled('adam@aa.test', true);
  await assert.rejects(choosePostmaster(a, 'adam@aa.test'), ConfigError);
});

test('config: [smtp] postmaster must look like an address (no spaces, CR/LF or brackets)', () => {
  for (const bad of [
    'alice',
    'alice@',
    '@example.test',
    'a@b@c',
    'alice@example.test\r\nRCPT',
    '<a@b.test>',
  ]) {
    assert.throws(
      () => configFromObject({ smtp: { postmaster: bad } }),
      (err: unknown) => err instanceof ConfigError && err.keyPath === 'smtp.postmaster',
      JSON.stringify(bad),
    );
  }
  assert.equal(
    configFromObject({ smtp: { postmaster: 'alice@example.test' } }).smtp?.postmaster,
    'alice@example.test',
  );
  assert.equal(configFromObject({ smtp: {} }).smtp?.postmaster, undefined);
});

test('localRecipients.postmaster: kept while the account is enabled, chosen again when it goes', async () => {
  const a = await accounts();
  await a.addDomain('example.test');
  await a.addUser('bob@example.test', { password: 'x' });
  await a.addUser('alice@example.test', { password: 'x' });
  const r = localRecipients(a, 'alice@example.test');
  assert.equal(await r.postmaster(), 'alice@example.test');
  await a.addUser('postmaster@example.test', { password: 'x' });
  assert.equal(await r.postmaster(), 'alice@example.test', 'the configured account stays');
  await a.setDisabled('alice@example.test', true);
  assert.equal(await r.postmaster(), 'postmaster@example.test', 'configured account gone: the default');
  await a.setDisabled('alice@example.test', false);
  assert.equal(await r.postmaster(), 'postmaster@example.test', 'kept while enabled');
  await a.removeUser('postmaster@example.test');
  assert.equal(await r.postmaster(), 'alice@example.test', 'the configured one again');
  const unset = localRecipients(a);
  assert.equal(await unset.postmaster(), 'alice@example.test', 'default: the first account by name');
});

const USERS = [
  { address: 'alice@crepes.test', password: 'pw-alice-123' },
  { address: 'bob@crepes.test', password: 'pw-bob-1234' },
  { address: 'postmaster@hamburger.test', password: 'pw-pm-12345' },
];

/** Runs Python code that talks smtplib to `port`; prints JSON. */
async function python(code: string, port: number): Promise<unknown> {
  const r = await runText('python3', ['-c', `import smtplib, json, sys\nport = ${port}\n${code}`], {
    timeoutMs: 30_000,
  });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as unknown;
}

test('suite + swaks/smtplib: postmaster mail lands in the configured INBOX; foreign postmaster refused', async () => {
  const outpost = await startTestOutpost({
    users: USERS,
    config: {
      hostname: 'mail.crepes.test',
      smtp: {
        listen: ['127.0.0.1:0'],
        submission_listen: ['127.0.0.1:0'],
        postmaster: 'bob@crepes.test',
      },
    },
  });
  try {
    const mx = outpost.smtp;
    const submission = outpost.submission;
    assert.ok(mx && submission);
    const swaks = (to: string, subject: string, from = 'carol@remote.test') =>
      runText('swaks', [
        '--server',
        `127.0.0.1:${mx.port}`,
        '--helo',
        'swaks.test',
        '--from',
        from,
        '--to',
        to,
        '--header',
        `Subject: ${subject}`,
        '--body',
        `body of ${subject}`,
      ]);
    const bare = await swaks('Postmaster', 'swaks bare');
    assert.equal(bare.code, 0, bare.stdout + bare.stderr);
    assert.match(bare.stdout, /-> RCPT TO:<Postmaster>\s+<-\s+250 2\.1\.5/);
    const domain = await swaks('POSTMASTER@crepes.test', 'swaks domain');
    assert.equal(domain.code, 0, domain.stdout + domain.stderr);
    const real = await swaks('postmaster@hamburger.test', 'swaks real account');
    assert.equal(real.code, 0, real.stdout + real.stderr);
    const foreign = await swaks('postmaster@foreign.test', 'swaks foreign');
    assert.notEqual(foreign.code, 0);
    assert.match(foreign.stdout, /<\*\* +550 5\.7\.1 Relay access denied/);

    // smtplib: lower case bare <postmaster>, and the null sender (a bounce) to postmaster@.
    // Each message is read back right after sendmail returns: the 250 came after the commit.
    const got = (await python(
      `s = smtplib.SMTP('127.0.0.1', port)
s.ehlo('py.test')
refused1 = s.sendmail('carol@remote.test', ['postmaster'], b'Subject: py bare\\r\\n\\r\\nhi\\r\\n')
refused2 = s.sendmail('', ['postmaster@crepes.test'], b'Subject: py bounce\\r\\n\\r\\nbounced\\r\\n')
try:
    s.sendmail('carol@remote.test', ['postmaster@foreign.test'], b'Subject: x\\r\\n\\r\\nx\\r\\n')
    foreign = 'accepted'
except smtplib.SMTPRecipientsRefused as e:
    foreign = [e.recipients['postmaster@foreign.test'][0], e.recipients['postmaster@foreign.test'][1].decode()]
s.quit()
print(json.dumps({'refused': [refused1, refused2], 'foreign': foreign}))`,
      mx.port,
    )) as { refused: unknown[]; foreign: [number, string] };
    assert.deepEqual(got.refused, [{}, {}]);
    assert.equal(got.foreign[0], 550);
    assert.match(got.foreign[1], /5\.7\.1/);

    // Authenticated submission to the bare <Postmaster> is local delivery too.
    const sub = await python(
      `s = smtplib.SMTP('127.0.0.1', port)
s.ehlo('py.test')
s.login('alice@crepes.test', 'pw-alice-123')
r = s.sendmail('alice@crepes.test', ['Postmaster'], b'Subject: py submission\\r\\n\\r\\nfrom alice\\r\\n')
s.quit()
print(json.dumps(r))`,
      submission.port,
    );
    assert.deepEqual(sub, {});

    const subjects = async (address: string) => (await outpost.messages(address)).map((m) => m.subject);
    assert.deepEqual(await subjects('bob@crepes.test'), [
      'swaks bare',
      'swaks domain',
      'py bare',
      'py bounce',
      'py submission',
    ]);
    assert.deepEqual(await subjects('postmaster@hamburger.test'), ['swaks real account']);
    assert.deepEqual(await subjects('alice@crepes.test'), []);
    const bounce = (await outpost.messages('bob@crepes.test')).find((m) => m.subject === 'py bounce');
    assert.match(bounce?.raw.toString('utf8') ?? '', /^Return-Path: <>\r\n/);
    const submitted = (await outpost.messages('bob@crepes.test')).find((m) => m.subject === 'py submission');
    assert.match(submitted?.raw.toString('utf8') ?? '', /^Return-Path: <alice@crepes\.test>\r\n/);
  } finally {
    await outpost.close();
  }
});

test('suite: default postmaster is a postmaster@ account, else the first account by name; a bad one stops the start', async () => {
  const deliverTo = async (users: typeof USERS, rcpts: readonly string[]): Promise<TestOutpost> => {
    const outpost = await startTestOutpost({ users, smtp: true });
    const mx = outpost.smtp;
    assert.ok(mx);
    for (const to of rcpts) {
      const r = await runText('swaks', ['--server', `127.0.0.1:${mx.port}`, '--from', '<>', '--to', to]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /-> MAIL FROM:<>/);
    }
    return outpost;
  };
  const named = await deliverTo(USERS, ['postmaster', 'postmaster@crepes.test']);
  try {
    assert.equal((await named.messages('postmaster@hamburger.test')).length, 2);
    assert.equal((await named.messages('alice@crepes.test')).length, 0);
  } finally {
    await named.close();
  }
  const [alice, bob] = USERS;
  assert.ok(alice && bob);
  const first = await deliverTo([bob, alice], ['postmaster']);
  try {
    assert.equal((await first.messages('alice@crepes.test')).length, 1);
  } finally {
    await first.close();
  }
  await assert.rejects(
    startTestOutpost({
      users: USERS,
      config: { smtp: { listen: ['127.0.0.1:0'], postmaster: 'nobody@crepes.test' } },
    }),
    (err: unknown) => err instanceof ConfigError && /smtp\.postmaster/.test(err.message),
  );
});
