// The one login policy: its decision over TLS, loopback and other clients, and its keys, which
// every password-taking section ([smtp], [pop3], [ftp]) accepts with the same defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_LOGIN_POLICY,
  loginPolicyFromConfig,
  passwordAllowed,
  type LoginPolicy,
} from '../../src/core/auth/login-policy.js';
import { configFromObject } from '../../src/core/config/load.js';

const LOOPBACK = { secure: false, remoteAddress: '127.0.0.1' };
const MAPPED_LOOPBACK = { secure: false, remoteAddress: '::ffff:127.0.0.9' };
const REMOTE = { secure: false, remoteAddress: '192.0.2.7' };
const REMOTE_TLS = { secure: true, remoteAddress: '192.0.2.7' };

function policy(change: Partial<LoginPolicy>): LoginPolicy {
  return { ...DEFAULT_LOGIN_POLICY, ...change };
}

test('defaults: plaintext from loopback only; TLS always', () => {
  assert.equal(passwordAllowed(DEFAULT_LOGIN_POLICY, LOOPBACK), true);
  assert.equal(passwordAllowed(DEFAULT_LOGIN_POLICY, MAPPED_LOOPBACK), true);
  assert.equal(passwordAllowed(DEFAULT_LOGIN_POLICY, REMOTE), false);
  assert.equal(passwordAllowed(DEFAULT_LOGIN_POLICY, REMOTE_TLS), true);
});

test('allow_plaintext_on_loopback = false refuses loopback, allow_plaintext_login opens the rest', () => {
  const noLoopback = policy({ allowPlaintextOnLoopback: false });
  assert.equal(passwordAllowed(noLoopback, LOOPBACK), false);
  assert.equal(passwordAllowed(noLoopback, REMOTE), false);
  const open = policy({ allowPlaintextLogin: true });
  assert.equal(passwordAllowed(open, REMOTE), true);
  assert.equal(passwordAllowed(open, LOOPBACK), true);
  // Each key governs its own side: other clients allowed, loopback not.
  const remoteOnly = policy({ allowPlaintextLogin: true, allowPlaintextOnLoopback: false });
  assert.equal(passwordAllowed(remoteOnly, REMOTE), true);
  assert.equal(passwordAllowed(remoteOnly, LOOPBACK), false);
});

test('require_tls wins over both allowances, and never refuses TLS', () => {
  const strict = policy({ requireTls: true, allowPlaintextLogin: true, allowPlaintextOnLoopback: true });
  assert.equal(passwordAllowed(strict, LOOPBACK), false);
  assert.equal(passwordAllowed(strict, REMOTE), false);
  assert.equal(passwordAllowed(strict, REMOTE_TLS), true);
  assert.equal(passwordAllowed(strict, { secure: true, remoteAddress: '127.0.0.1' }), true);
});

test('[smtp], [pop3] and [ftp] take the same three keys with the same defaults', () => {
  const empty = configFromObject({ smtp: {}, pop3: {}, ftp: {} });
  for (const section of [empty.smtp, empty.pop3, empty.ftp]) {
    assert.ok(section);
    assert.deepEqual(loginPolicyFromConfig(section), DEFAULT_LOGIN_POLICY);
  }
  const keys = { allow_plaintext_on_loopback: false, allow_plaintext_login: true, require_tls: true };
  const set = configFromObject({ smtp: keys, pop3: keys, ftp: keys });
  for (const section of [set.smtp, set.pop3, set.ftp]) {
    assert.ok(section);
    assert.deepEqual(loginPolicyFromConfig(section), {
      allowPlaintextOnLoopback: false,
      allowPlaintextLogin: true,
      requireTls: true,
    });
  }
  assert.throws(() => configFromObject({ pop3: { require_tls: 'yes' } } as never), /pop3\.require_tls: /);
});
