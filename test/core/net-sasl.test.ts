// Loopback detection, SASL PLAIN decoding and the SASL exchange (PLAIN, LOGIN) every protocol runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLoopback } from '../../src/core/net.js';
import {
  decodeSaslPlain,
  decodeSaslResponse,
  encodeSaslPlain,
  isProxyAuthorization,
  runSaslExchange,
  type SaslRead,
  type SaslTransport,
} from '../../src/core/sasl.js';
import { AUTH_LIMITS } from '../../src/core/limits.js';

test('isLoopback: 127/8, ::1 and mapped forms only', () => {
  for (const ip of [
    '127.0.0.1',
    '127.255.0.9',
    '::1',
    '::ffff:127.0.0.2',
    '::FFFF:127.0.0.1',
    '0:0:0:0:0:0:0:1',
  ]) {
    assert.equal(isLoopback(ip), true, ip);
  }
  for (const ip of [
    '10.0.0.1',
    '128.0.0.1',
    '::ffff:10.0.0.1',
    '::2',
    '1127.0.0.1',
    '127.0.0.1.evil',
    '',
    'localhost',
  ]) {
    assert.equal(isLoopback(ip), false, ip);
  }
});

test('SASL responses: canonical base64 or "=" only', () => {
  assert.equal(decodeSaslResponse('='), '');
  assert.equal(decodeSaslResponse('YWJj'), 'abc');
  for (const bad of ['YWJ', 'YW=j', 'Y WJj', 'YWJj\r', '====', '*', 'ab$=', 'YQ==YQ=='])
    assert.equal(decodeSaslResponse(bad), null, bad);
});

test('SASL PLAIN: RFC 4616 messages; foreign authzid flagged; empty parts refused', () => {
  const round = decodeSaslResponse(encodeSaslPlain('alice@example.test', 'pw'));
  assert.deepEqual(decodeSaslPlain(round ?? ''), {
    authzid: '',
    username: 'alice@example.test',
    password: 'pw',
  });
  const same = decodeSaslPlain('Alice@example.test\0alice@example.test\0pw');
  assert.ok(same && !isProxyAuthorization(same), 'authzid equal to the login is fine');
  const proxy = decodeSaslPlain('bob@example.test\0alice@example.test\0pw');
  assert.ok(proxy && isProxyAuthorization(proxy), 'acting as someone else is flagged');
  assert.equal(decodeSaslPlain('\0\0pw'), null);
  assert.equal(decodeSaslPlain('\0alice\0'), null);
  assert.equal(decodeSaslPlain('\0alice\0pw\0extra'), null);
  assert.equal(decodeSaslPlain('alice pw'), null);
});

/** A scripted client: answers each challenge with the next response, recording the challenges. */
function scripted(responses: SaslRead[]): {
  transport: SaslTransport;
  challenges: string[];
  secret: boolean[];
} {
  const challenges: string[] = [];
  const secret: boolean[] = [];
  const transport: SaslTransport = {
    sendChallenge: (base64) => {
      challenges.push(base64);
    },
    readResponse: (isSecret) => {
      secret.push(isSecret);
      const next = responses.shift();
      if (next === undefined) throw new Error('the exchange read more responses than scripted');
      return Promise.resolve(next);
    },
  };
  return { transport, challenges, secret };
}

const line = (text: string): SaslRead => ({ kind: 'line', text });
const b64 = (text: string): string => Buffer.from(text).toString('base64');

test('runSaslExchange PLAIN: initial response, or an empty challenge then the (secret) response', async () => {
  const initial = scripted([]);
  assert.deepEqual(await runSaslExchange('plain', encodeSaslPlain('a@x.test', 'pw'), initial.transport), {
    kind: 'credentials',
    credentials: { authzid: '', username: 'a@x.test', password: 'pw' },
  });
  assert.deepEqual(initial.challenges, []);
  const asked = scripted([line(encodeSaslPlain('a@x.test', 'pw'))]);
  const outcome = await runSaslExchange('PLAIN', undefined, asked.transport);
  assert.equal(outcome.kind, 'credentials');
  assert.deepEqual(asked.challenges, ['']);
  assert.deepEqual(asked.secret, [true]);
});

test('runSaslExchange LOGIN: Username: then Password: (only the password secret); initial user name', async () => {
  const s = scripted([line(b64('a@x.test')), line(b64('p w'))]);
  assert.deepEqual(await runSaslExchange('LOGIN', undefined, s.transport), {
    kind: 'credentials',
    credentials: { authzid: '', username: 'a@x.test', password: 'p w' },
  });
  assert.deepEqual(
    s.challenges.map((c) => Buffer.from(c, 'base64').toString()),
    ['Username:', 'Password:'],
  );
  assert.deepEqual(s.secret, [false, true]);
  const initial = scripted([line(b64('pw'))]);
  const outcome = await runSaslExchange('login', b64('a@x.test'), initial.transport);
  assert.equal(outcome.kind === 'credentials' ? outcome.credentials.username : outcome.kind, 'a@x.test');
  assert.deepEqual(initial.challenges, ['UGFzc3dvcmQ6']);
});

test('runSaslExchange: hostile and odd responses end with the outcome that says why', async () => {
  const kinds = async (mechanism: string, initial: string | undefined, responses: SaslRead[]) =>
    (await runSaslExchange(mechanism, initial, scripted(responses).transport)).kind;
  assert.equal(await kinds('CRAM-MD5', undefined, []), 'unsupported');
  assert.equal(await kinds('', undefined, []), 'unsupported');
  // "*" cancels at any step (RFC 4954 §4, RFC 5034 §4), also as the initial response.
  assert.equal(await kinds('PLAIN', undefined, [line('*')]), 'cancelled');
  assert.equal(await kinds('LOGIN', undefined, [line('*')]), 'cancelled');
  assert.equal(await kinds('LOGIN', undefined, [line(b64('a@x.test')), line('*')]), 'cancelled');
  assert.equal(await kinds('PLAIN', '*', []), 'cancelled');
  // Not canonical base64, or not a message of the mechanism.
  for (const bad of ['not base64!', 'YQ', 'YW=', '====', `${b64('a')}\0`, 'YWJj ZA==']) {
    assert.equal(await kinds('PLAIN', undefined, [line(bad)]), 'malformed', bad);
    assert.equal(await kinds('LOGIN', bad, []), 'malformed', bad);
  }
  assert.equal(await kinds('PLAIN', '=', []), 'malformed');
  assert.equal(await kinds('PLAIN', b64('only\0two'), []), 'malformed');
  assert.equal(await kinds('PLAIN', b64('\0user\0'), []), 'malformed');
  assert.equal(await kinds('LOGIN', '=', [line(b64('pw'))]), 'malformed');
  assert.equal(await kinds('LOGIN', b64('a@x.test'), [line('=')]), 'malformed');
  // Bounded: over the connection's line limit, or over the SASL bound however long lines may be.
  assert.equal(await kinds('PLAIN', undefined, [{ kind: 'overflow' }]), 'too-long');
  const huge = 'A'.repeat(AUTH_LIMITS.maxSaslResponseOctets + 4);
  assert.equal(await kinds('PLAIN', huge, []), 'too-long');
  assert.equal(await kinds('LOGIN', undefined, [line(b64('a@x.test')), line(huge)]), 'too-long');
  // The peer went away mid-exchange.
  assert.equal(await kinds('LOGIN', undefined, [line(b64('a@x.test')), { kind: 'closed' }]), 'closed');
  assert.equal(await kinds('PLAIN', undefined, [{ kind: 'closed' }]), 'closed');
});
