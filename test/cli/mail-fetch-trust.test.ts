// `outpost mail fetch`'s TLS trust and passwords, with the built bin/outpost against a real
// Outpost suite (mail-fetch-fixture.ts): implicit TLS with --ca and no local suite,
// NODE_EXTRA_CA_CERTS, --insecure, the refusal that says whose certificate it is; a wrong
// password, --password-file, none at all, and the password never printed.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ALICE, startFetchFixture, type FetchFixture } from './mail-fetch-fixture.js';

let f: FetchFixture;
before(async () => {
  f = await startFetchFixture();
});
after(() => f.suite.close());

test('TLS trust: implicit TLS with --ca and no suite, NODE_EXTRA_CA_CERTS, --insecure, and the refusal explained', async () => {
  const none = ['--data', join(f.work, 'no-suite')];
  const server = ['--server', `127.0.0.1:${String(f.suite.tlsPort)}`, '--imaps'];
  const withCa = await f.outpost([
    'mail',
    'fetch',
    ...none,
    ...server,
    '--user',
    ALICE.address,
    '--ca',
    f.cert,
    '--folders',
  ]);
  assert.equal(withCa.code, 0, withCa.stderr);
  assert.match(withCa.stdout, /^INBOX +2 +1$/m);
  const extra = await f.outpost(['mail', 'fetch', ...none, ...server, '--user', ALICE.address, '--folders'], {
    NODE_EXTRA_CA_CERTS: f.cert,
  });
  assert.equal(extra.code, 0, extra.stderr);
  const insecure = await f.outpost([
    'mail',
    'fetch',
    ...none,
    ...server,
    '--user',
    ALICE.address,
    '--insecure',
    '--folders',
  ]);
  assert.equal(insecure.code, 0, insecure.stderr);

  const refused = await f.outpost([
    'mail',
    'fetch',
    ...none,
    '--server',
    `127.0.0.1:${String(f.suite.port)}`,
    '--user',
    ALICE.address,
  ]);
  assert.equal(refused.code, 1);
  assert.match(
    refused.stderr,
    /^outpost: the server's certificate is not trusted: it is self-signed and not among the trusted CAs \(DEPTH_ZERO_SELF_SIGNED_CERT\); it is CN=localhost .*\[ERR_TLS_UNTRUSTED\]$/m,
  );
  assert.match(refused.stderr, /^To trust it: --ca FILE, or export NODE_EXTRA_CA_CERTS=FILE /m);
  assert.match(refused.stderr, /^To skip verification \(not for real servers\): --insecure\.$/m);
});

test('passwords: a wrong one is the server NO, --password-file, none at all; never printed', async () => {
  const wrong = await f.fetchAlice([], {
    OUTPOST_IMAP_PASSWORD: 'not-the-password-31',
  });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /^outpost: LOGIN failed: NO \[AUTHENTICATIONFAILED\] .*\[ERR_IMAP_REPLY\]$/m);
  assert.ok(!(wrong.stdout + wrong.stderr).includes('not-the-password-31'));

  const file = join(f.work, 'password');
  writeFileSync(file, `${ALICE.password}\n`, { mode: 0o600 });
  const fromFile = await f.outpost(
    ['mail', 'fetch', '--config', f.config, '--user', ALICE.address, '--password-file', file],
    {
      OUTPOST_IMAP_PASSWORD: undefined,
    },
  );
  assert.equal(fromFile.code, 0, fromFile.stderr);
  assert.match(fromFile.stdout, /second/);

  const none = await f.fetchAlice([], {
    OUTPOST_IMAP_PASSWORD: undefined,
  });
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no password: set OUTPOST_IMAP_PASSWORD or use --password-file FILE/);
});
