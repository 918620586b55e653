// The mini-Internet end to end (`startTestWorld`, the fixture over `outpost world`'s runner), on
// 127.77.0.0/24 with ports + 30000, a range no other test uses: ISC dig resolves
// www.hamburger.test through the world's resolver and, step by step with +norec, gets the
// referrals root → test. → hamburger.test;
// alice@crepes.test submits with Python's smtplib (STARTTLS + AUTH) to her mail host, whose queue
// resolves hamburger.test's MX through the resolver and relays it to mail.hamburger.test, where
// bob reads it with poplib and imaplib; curl fetches each organisation's web page by name.
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { startTestWorld, type TestWorld } from '../../src/testing/index.js';
import { runText } from '../helpers/run.js';

const repo = resolve(import.meta.dirname, '../..');
let world: TestWorld;

before(async () => {
  world = await startTestWorld({ net: '127.77.0', portOffset: 30000 });
});
after(async () => {
  await world.close();
});

async function dig(...args: string[]): Promise<string> {
  const r = await runText('dig', ['+tries=1', '+time=5', ...args], { timeoutMs: 30_000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return r.stdout;
}

test('ISC dig through the resolver: www.hamburger.test, the MX, and NXDOMAIN', async () => {
  const { host, port } = world.resolver;
  assert.deepEqual([host, port], ['127.77.0.20', 30053]);
  assert.equal(
    (await dig(`@${host}`, '-p', String(port), '+short', 'www.hamburger.test')).trim(),
    '127.77.0.42',
  );
  assert.equal(
    (await dig(`@${host}`, '-p', String(port), '+short', 'hamburger.test', 'MX')).trim(),
    '10 mail.hamburger.test.',
  );
  const full = await dig(`@${host}`, '-p', String(port), 'nowhere.crepes.test');
  assert.match(full, /status: NXDOMAIN/);
  assert.match(full, /flags: qr rd ra/);
});

test('ISC dig +norec at each server: root → test. → hamburger.test (what +trace walks)', async () => {
  const port = '30053';
  const root = await dig('@127.77.0.10', '-p', port, '+norec', 'www.hamburger.test');
  assert.match(root, /^test\.\s+\d+\s+IN\s+NS\s+a\.nic\.test\.$/m);
  assert.match(root, /^a\.nic\.test\.\s+\d+\s+IN\s+A\s+127\.77\.0\.11$/m);
  const tld = await dig('@127.77.0.11', '-p', port, '+norec', 'www.hamburger.test');
  assert.match(tld, /^hamburger\.test\.\s+\d+\s+IN\s+NS\s+ns\.hamburger\.test\.$/m);
  assert.match(tld, /^ns\.hamburger\.test\.\s+\d+\s+IN\s+A\s+127\.77\.0\.40$/m);
  const org = await dig('@127.77.0.40', '-p', port, '+norec', 'www.hamburger.test');
  assert.match(org, /flags: qr aa/);
  assert.match(org, /^www\.hamburger\.test\.\s+300\s+IN\s+A\s+127\.77\.0\.42$/m);
});

test('outpost dig +trace through the resolver walks root → test. → hamburger.test', async () => {
  const { host, port } = world.resolver;
  const r = await runText(
    process.execPath,
    [join(repo, 'bin/outpost'), 'dig', '+trace', 'www.hamburger.test', `@${host}`, '-p', String(port)],
    { cwd: repo, timeoutMs: 30_000 },
  );
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const at = (re: RegExp): number => {
    const m = re.exec(r.stdout);
    assert.ok(m, `missing ${String(re)} in\n${r.stdout}`);
    return m.index;
  };
  const steps = [
    at(/^\.\s+\d+\s+IN\s+NS\s+/m),
    at(/^test\.\s+\d+\s+IN\s+NS\s+a\.nic\.test\.$/m),
    at(/^;; Received \d+ bytes from 127\.77\.0\.10#30053/m),
    at(/^hamburger\.test\.\s+\d+\s+IN\s+NS\s+ns\.hamburger\.test\.$/m),
    at(/^;; Received \d+ bytes from 127\.77\.0\.11#30053/m),
    at(/^www\.hamburger\.test\.\s+300\s+IN\s+A\s+127\.77\.0\.42$/m),
    at(/^;; Received \d+ bytes from 127\.77\.0\.40#30053/m),
  ];
  assert.deepEqual(
    [...steps].sort((a, b) => a - b),
    steps,
    r.stdout,
  );
});

test('alice’s mail: smtplib submission → queue → MX via the resolver → bob’s mailbox, read with poplib and imaplib', async () => {
  const crepes = world.org('crepes.test');
  const hamburger = world.org('hamburger.test');
  const alice = world.passwords.get('alice@crepes.test') ?? '';
  const bob = world.passwords.get('bob@hamburger.test') ?? '';
  assert.ok(alice !== '' && bob !== '');
  assert.deepEqual(crepes.submission, { host: '127.77.0.31', port: 30587 });
  const send = `
import smtplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP('127.77.0.31', 30587, timeout=20)
s.ehlo('laptop.crepes.test'); s.starttls(context=ctx); s.ehlo('laptop.crepes.test')
s.login('alice@crepes.test', sys.argv[1])
msg = 'From: alice@crepes.test\\r\\nTo: bob@hamburger.test\\r\\nSubject: Crepes or burgers?\\r\\n\\r\\nDinner at eight.\\r\\n'
print(s.sendmail('alice@crepes.test', ['bob@hamburger.test'], msg))
s.quit()
`;
  const sent = await runText('python3', ['-c', send, alice]);
  assert.equal(sent.code, 0, sent.stderr);
  assert.equal(sent.stdout.trim(), '{}');
  const arrived = await hamburger.waitForMessage('bob@hamburger.test', {
    match: (m) => m.subject === 'Crepes or burgers?',
    timeoutMs: 30_000,
  });
  assert.match(arrived.raw.toString(), /by mail\.hamburger\.test/);
  assert.match(arrived.raw.toString(), /by mail\.crepes\.test/);

  const pop = `
import poplib, sys
p = poplib.POP3('127.77.0.41', 30110, timeout=20)
p.user('bob@hamburger.test'); p.pass_(sys.argv[1])
count, _ = p.stat()
print(b'\\n'.join(p.retr(count)[1]).decode())
p.quit()
`;
  const popped = await runText('python3', ['-c', pop, bob]);
  assert.equal(popped.code, 0, popped.stderr);
  assert.match(popped.stdout, /^Subject: Crepes or burgers\?$/m);
  assert.match(popped.stdout, /^Dinner at eight\.$/m);

  const imap = `
import imaplib, sys
m = imaplib.IMAP4('127.77.0.41', 30143, timeout=20)
m.login('bob@hamburger.test', sys.argv[1])
m.select('INBOX', readonly=True)
typ, data = m.search(None, 'SUBJECT', '"Crepes or burgers?"')
num = data[0].split()[-1]
typ, data = m.fetch(num, '(BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)])')
print(data[0][1].decode())
m.logout()
`;
  const imapped = await runText('python3', ['-c', imap, bob]);
  assert.equal(imapped.code, 0, imapped.stderr);
  assert.match(imapped.stdout, /From: alice@crepes\.test/);
});

test('curl fetches each organisation’s web server at its own address', async () => {
  for (const [domain, address] of [
    ['crepes.test', '127.77.0.32'],
    ['hamburger.test', '127.77.0.42'],
  ] as const) {
    assert.equal(world.org(domain).http, `http://${address}:38080`);
    const r = await runText('curl', [
      '-sf',
      '--resolve',
      `www.${domain}:38080:${address}`,
      `http://www.${domain}:38080/`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /<html/i);
  }
});

test('the host table names every host, address and role', () => {
  const rows = world.world.hosts();
  const row = (address: string, role: RegExp): void => {
    assert.ok(
      rows.some((r) => r.address === address && role.test(r.role)),
      `${address} ${String(role)} in ${JSON.stringify(rows)}`,
    );
  };
  row('127.77.0.10:30053', /^dns authoritative: \.$/);
  row('127.77.0.20:30053', /^resolver/);
  row('127.77.0.41:30025', /^smtp mx/);
  row('127.77.0.41:30587', /^smtp submission/);
  assert.equal(rows.find((r) => r.address === '127.77.0.10:30053')?.host, 'a.root-servers.example');
  assert.equal(rows.find((r) => r.address === '127.77.0.41:30110')?.suite, 'hamburger.test');
  assert.ok(
    rows.every((r) => r.host !== '?'),
    JSON.stringify(rows),
  );
});

test('the CDN: the name server sends each client to its edge (views + EDNS Client Subnet), and the edge cache warms up', async () => {
  const { host, port } = world.resolver;
  // Through the resolver: it passes the client's /24 upstream, so cdn.test's name server answers
  // per client even though every query reaches it from the resolver's own address.
  const near = await dig(`@${host}`, '-p', String(port), '-b', '127.77.0.1', '+short', 'www.cdn.test');
  assert.equal(near.trim(), '127.77.0.51', 'a client on the world /24 gets edge A');
  const far = await dig(`@${host}`, '-p', String(port), '-b', '127.1.0.1', '+short', 'www.cdn.test');
  assert.equal(far.trim(), '127.77.0.52', 'any other client gets edge B');
  // Each answer was scoped to its client's /24 (RFC 7871), so neither went into the shared cache.
  const nearAgain = await dig(`@${host}`, '-p', String(port), '-b', '127.77.0.1', '+short', 'www.cdn.test');
  assert.equal(nearAgain.trim(), '127.77.0.51');
  // Asked directly, the CDN's server sees the client's own address.
  const direct = await dig('@127.77.0.50', '-p', '30053', '-b', '127.1.0.1', '+short', 'www.cdn.test');
  assert.equal(direct.trim(), '127.77.0.52');

  // The edge caches: the first request goes to the origin, the second is a hit (RFC 9211).
  const fetchVia = async (edge: string): Promise<string> => {
    const r = await runText('curl', [
      '-sf',
      '-D',
      '-',
      '-o',
      '/dev/null',
      '--resolve',
      `www.cdn.test:38080:${edge}`,
      'http://www.cdn.test:38080/',
    ]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const first = await fetchVia('127.77.0.51');
  assert.match(first, /^cache-status: edge-a\.cdn\.test; fwd=uri-miss; fwd-status=200; stored\r?$/im);
  const second = await fetchVia('127.77.0.51');
  assert.match(second, /^cache-status: edge-a\.cdn\.test; hit; ttl=\d+\r?$/im);
  assert.match(second, /^age: \d+/im);
  // Edge B has its own cache: its first request is a miss too.
  assert.match(
    await fetchVia('127.77.0.52'),
    /^cache-status: edge-b\.cdn\.test; fwd=uri-miss; fwd-status=200; stored\r?$/im,
  );
});
