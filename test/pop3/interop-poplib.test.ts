// Tier-4 interop: Python's poplib (a client nobody here wrote) against the suite's POP3 server
// with the real store: USER/PASS, STAT, LIST, RETR, DELE, QUIT; POP3_SSL (implicit TLS) with
// CAPA, UIDL and TOP; POP3.stls() (RFC 2595) then login; AUTH PLAIN and AUTH LOGIN (with its
// hostile cases: '*' cancel, bad base64) driven by hand; a throwing account hook answered
// [SYS/TEMP] with the connection still usable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runText as run } from '../helpers/run.js';
import { ALICE, startPop3Outpost, testMessage } from './helpers/pop3-outpost.js';
import { tempDir } from '../helpers/temp.js';
import { createPop3Server } from '../../src/pop3/server.js';
import { message, testAccounts } from './helpers/session-harness.js';
import { Pop3TestStore } from './helpers/test-store.js';

const SCRIPT = String.raw`
import json, poplib, ssl, sys, base64
host, port, tlsport, cafile, user, pw = sys.argv[1:7]
port, tlsport = int(port), int(tlsport)
ctx = ssl.create_default_context(cafile=cafile)
out = {}

p = poplib.POP3(host, port, timeout=10)
out['welcome'] = p.getwelcome().decode()
out['user'] = p.user(user).decode()
out['pass'] = p.pass_(pw).decode()
out['stat'] = list(p.stat())
resp, listing, octets = p.list()
out['list'] = [l.decode() for l in listing]
resp, lines, octets = p.retr(2)
out['retr'] = [l.decode() for l in lines]
out['retr_octets'] = octets
out['dele'] = p.dele(1).decode()
out['quit'] = p.quit().decode()

s = poplib.POP3_SSL(host, tlsport, context=ctx, timeout=10)
capa = s.capa()
out['ssl_capa'] = sorted(capa.keys())
out['ssl_sasl'] = capa['SASL']
s.user(user)
s.pass_(pw)
out['ssl_stat'] = list(s.stat())
out['ssl_uidl'] = [l.decode() for l in s.uidl()[1]]
out['ssl_top'] = [l.decode() for l in s.top(1, 0)[1]]
s.quit()

t = poplib.POP3(host, port, timeout=10)
out['stls'] = t.stls(context=ctx).decode()
out['stls_cipher'] = t.sock.version()
t.user(user)
t.pass_(pw)
out['stls_stat'] = list(t.stat())
t.quit()

a = poplib.POP3_SSL(host, tlsport, context=ctx, timeout=10)
ir = base64.b64encode(('\0' + user + '\0' + pw).encode()).decode()
out['auth_plain'] = a._shortcmd('AUTH PLAIN ' + ir).decode()
out['auth_stat'] = list(a.stat())
a.quit()

b64 = lambda text: base64.b64encode(text.encode()).decode()
l = poplib.POP3_SSL(host, tlsport, context=ctx, timeout=10)
out['login_username'] = l._shortcmd('AUTH LOGIN').decode()
out['login_password'] = l._shortcmd(b64(user)).decode()
out['auth_login'] = l._shortcmd(b64(pw)).decode()
out['login_stat'] = list(l.stat())
l.quit()

c = poplib.POP3(host, port, timeout=10)
c._shortcmd('AUTH LOGIN')
c._shortcmd(b64(user))
try:
    c._shortcmd('*')
except poplib.error_proto as e:
    out['login_cancel'] = e.args[0].decode()
c._shortcmd('AUTH LOGIN')
try:
    c._shortcmd('not base64!')
except poplib.error_proto as e:
    out['login_bad_base64'] = e.args[0].decode()
c.user(user)
out['after_hostile'] = c.pass_(pw).decode()
c.quit()

try:
    b = poplib.POP3(host, port, timeout=10)
    b.user(user)
    b.pass_('wrong password')
except poplib.error_proto as e:
    out['bad_pass'] = e.args[0].decode()
print(json.dumps(out))
`;

test('python poplib: plain, POP3_SSL, stls(), AUTH PLAIN, AUTH LOGIN, bad password', async () => {
  await using pop = await startPop3Outpost();
  await pop.deliver(ALICE.address, testMessage(1));
  await pop.deliver(ALICE.address, testMessage(2, '..already two dots'));
  await pop.deliver(ALICE.address, testMessage(3));
  const dir = tempDir('pop3-poplib-');
  try {
    const cafile = join(dir, 'ca.pem');
    writeFileSync(cafile, pop.ca);
    const r = await run('python3', [
      '-c',
      SCRIPT,
      // By name, so the TLS client sends SNI (see the report: TcpService's implicit-TLS listener
      // has no default certificate for clients that send none).
      'localhost',
      String(pop.port),
      String(pop.tlsPort),
      cafile,
      ALICE.address,
      ALICE.password,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.match(out.welcome as string, /^\+OK /);
    assert.match(out.pass as string, /^\+OK alice@example.test has 3 messages/);
    const [count, octets] = out.stat as [number, number];
    assert.equal(count, 3);
    const sizes = (out.list as string[]).map((l) => Number(l.split(' ')[1]));
    assert.equal(
      sizes.reduce((a, b) => a + b, 0),
      octets,
    );
    const retr = out.retr as string[];
    assert.ok(retr.includes('Subject: test message 2'));
    assert.ok(retr.includes('.a line that starts with a dot'), 'poplib undid our dot-stuffing');
    assert.ok(retr.includes('..already two dots'));
    // poplib counts the octets it read, minus the stuffed dots: exactly the stored size LIST gave.
    assert.equal(out.retr_octets, sizes[1]);
    assert.match(out.dele as string, /^\+OK/);
    assert.match(out.quit as string, /2 messages left/);
    assert.deepEqual(out.ssl_capa, [
      'AUTH-RESP-CODE',
      'IMPLEMENTATION',
      'PIPELINING',
      'RESP-CODES',
      'SASL',
      'TOP',
      'UIDL',
      'USER',
    ]);
    assert.equal((out.ssl_stat as number[])[0], 2, 'the DELE was applied at QUIT');
    assert.equal((out.ssl_uidl as string[]).length, 2);
    assert.ok((out.ssl_top as string[]).includes('Subject: test message 2'));
    assert.ok(!(out.ssl_top as string[]).includes('Body of message 2.'));
    assert.equal(out.stls, '+OK Begin TLS negotiation');
    assert.match(out.stls_cipher as string, /^TLSv1\.[23]$/);
    assert.equal((out.stls_stat as number[])[0], 2);
    assert.match(out.auth_plain as string, /^\+OK alice@example.test has 2 messages/);
    assert.deepEqual(out.ssl_sasl, ['PLAIN', 'LOGIN']);
    assert.equal(out.login_username, '+ VXNlcm5hbWU6');
    assert.equal(out.login_password, '+ UGFzc3dvcmQ6');
    assert.match(out.auth_login as string, /^\+OK alice@example.test has 2 messages/);
    assert.equal((out.login_stat as number[])[0], 2);
    assert.equal(out.login_cancel, '-ERR Authentication cancelled');
    assert.equal(out.login_bad_base64, '-ERR Malformed LOGIN response');
    assert.match(out.after_hostile as string, /^\+OK alice@example.test has 2 messages/);
    assert.equal(out.bad_pass, '-ERR [AUTH] Authentication failed');
    const inbox = await pop.store.getMailbox(ALICE.address, 'INBOX');
    assert.ok(inbox);
    assert.equal((await pop.store.listMessages(inbox.id)).length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('python poplib: a throwing account hook gets -ERR [SYS/TEMP] and the same connection then logs in', async () => {
  const store = new Pop3TestStore();
  await store.add('alice@example.test', message('m1'));
  const real = await testAccounts();
  let failures = 1;
  await using server = createPop3Server({
    store,
    hostname: 'pop.example.test',
    accounts: {
      authenticate: (...args) =>
        failures-- > 0
          ? Promise.reject(new Error('account database unreachable'))
          : real.authenticate(...args),
    },
  });
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  const script = String.raw`
import json, poplib, sys
p = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=10)
out = {}
p.user('alice@example.test')
try:
    p.pass_('alice pw')
except poplib.error_proto as e:
    out['first'] = e.args[0].decode()
p.user('alice@example.test')
out['second'] = p.pass_('alice pw').decode()
out['stat'] = list(p.stat())
out['quit'] = p.quit().decode()
print(json.dumps(out))
`;
  const r = await run('python3', ['-c', script, String(port)]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(out.first, '-ERR [SYS/TEMP] Local error in processing; try again later');
  assert.match(String(out.second), /^\+OK alice@example.test has 1 messages/);
  assert.deepEqual(out.stat, [1, Buffer.byteLength(message('m1'))]);
  assert.match(String(out.quit), /^\+OK/);
});
