// The options the servers took before the one login policy (SMTP's plaintextAuthOnLoopback,
// POP3's allowPlaintextOnLoopback, FTP's requireTls/allowPlaintextLogin) still work: embedders'
// code written against them must not quietly change what it allows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuthResult } from '../../src/core/accounts/store.js';
import { withLegacyLoginOptions } from '../../src/core/auth/login-policy.js';
import { openMemoryMailStore } from '../../src/mail/store/memory-store.js';
import { createPop3Server } from '../../src/pop3/server.js';
import { RawClient } from '../helpers/line-client.js';

test('the deprecated options fill the policy; a loginPolicy key given beside them wins', () => {
  assert.deepEqual(withLegacyLoginOptions(undefined, {}), {});
  assert.deepEqual(withLegacyLoginOptions(undefined, { plaintextAuthOnLoopback: false }), {
    allowPlaintextOnLoopback: false,
  });
  assert.deepEqual(withLegacyLoginOptions({}, { requireTls: true, allowPlaintextLogin: true }), {
    requireTls: true,
    allowPlaintextLogin: true,
  });
  assert.deepEqual(
    withLegacyLoginOptions({ allowPlaintextOnLoopback: true }, { allowPlaintextOnLoopback: false }),
    { allowPlaintextOnLoopback: true },
  );
});

test('createPop3Server({ allowPlaintextOnLoopback: false }) still refuses USER on loopback', async () => {
  const store = openMemoryMailStore();
  const pop3 = createPop3Server({
    store,
    accounts: {
      authenticate: (): Promise<AuthResult> => Promise.resolve({ ok: false, reason: 'invalid' }),
    },
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- testing the deprecated alias itself
    allowPlaintextOnLoopback: false,
  });
  try {
    const { port } = await pop3.listen({ port: 0, host: '127.0.0.1' });
    const c = await RawClient.connect(port);
    assert.match((await c.line()) ?? '', /^\+OK /);
    c.send('USER alice@example.test\r\n');
    assert.match((await c.line()) ?? '', /^-ERR \[AUTH\] Plaintext/);
    c.send('QUIT\r\n');
    assert.match((await c.line()) ?? '', /^\+OK /);
  } finally {
    await pop3.close();
    await store.close();
  }
});
