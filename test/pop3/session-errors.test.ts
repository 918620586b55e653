// The POP3 session's one error boundary, over the in-memory script client: an error no handler
// expected (a throwing account hook, a store returning nonsense) is answered `-ERR [SYS/TEMP]`,
// logged without the password, and the session stays usable; a handler called outside the
// states its table row lists throws instead of doing nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AccountStore } from '../../src/core/accounts/store.js';
import { COMMANDS } from '../../src/pop3/commands/table.js';
import type { Pop3SessionContext } from '../../src/pop3/session-context.js';
import { captureLogs } from '../helpers/log-capture.js';
import { message, startSession, testAccounts } from './helpers/session-harness.js';
import { Pop3TestStore } from './helpers/test-store.js';

/** Accounts whose `authenticate` throws the first `failures` times, then asks the real store. */
async function flakyAccounts(failures: number): Promise<Pick<AccountStore, 'authenticate'>> {
  const real = await testAccounts();
  let left = failures;
  return {
    authenticate: (...args) => {
      if (left-- > 0) return Promise.reject(new Error('account database unreachable'));
      return real.authenticate(...args);
    },
  };
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

test('a throwing account hook: [SYS/TEMP] for PASS and AUTH, logged without the password, session goes on', async () => {
  const store = new Pop3TestStore();
  await store.add('alice@example.test', message('m1'));
  const { logger, entries, raw } = captureLogs();
  const { client, done, locks } = await startSession({ store, accounts: await flakyAccounts(2), logger });
  await client.play(`
    C: USER alice@example.test
    S: +OK Send your password
    C: PASS alice pw
    S: -ERR [SYS/TEMP] Local error in processing; try again later
    C: AUTH PLAIN ${b64('\0alice@example.test\0alice pw')}
    S: -ERR [SYS/TEMP] Local error in processing; try again later
    C: STAT
    S: -ERR STAT is not valid in the AUTHORIZATION state
    C: USER alice@example.test
    S: +OK*
    C: PASS alice pw
    S: +OK alice@example.test has 1 messages*
    C: STAT
    S: /^\\+OK 1 \\d+$/
    C: QUIT
    S: +OK pop.example.test POP3 server signing off (1 messages left)
    S: <closed>
  `);
  await done;
  assert.equal(locks.size, 0);
  const failures = entries.filter((e) => e.msg.startsWith('pop3: ') && e.msg.endsWith('failed unexpectedly'));
  assert.deepEqual(
    failures.map((e) => e.msg),
    ['pop3: PASS failed unexpectedly', 'pop3: AUTH failed unexpectedly'],
  );
  assert.match(JSON.stringify(failures[0]?.err), /account database unreachable/);
  assert.ok(!raw.some((l) => l.includes('alice pw')), 'no password in the log');
});

test('a store that returns nonsense inside TRANSACTION: [SYS/TEMP], then the session still works', async () => {
  const store = new Pop3TestStore();
  await store.add('alice@example.test', message('m1'));
  const { client, done, locks } = await startSession({ store });
  await client.play(`
    C: USER alice@example.test
    S: +OK*
    C: PASS alice pw
    S: +OK*
  `);
  // A broken backend: readMessage resolves to something that is not a message.
  const readMessage = store.readMessage.bind(store);
  store.readMessage = () => Promise.resolve(42 as unknown as Buffer);
  await client.play(`
    C: TOP 1 0
    S: -ERR [SYS/TEMP] Local error in processing; try again later
  `);
  store.readMessage = readMessage;
  await client.play(`
    C: TOP 1 0
    S: +OK Top of message follows
    S: From: bob@example.test
    S: To: alice@example.test
    S: Subject: m1
    S:
    S: .
    C: QUIT
    S: +OK*
    S: <closed>
  `);
  await done;
  assert.equal(locks.size, 0);
});

test('a handler run outside its states throws instead of doing nothing', () => {
  const stat = COMMANDS.find((c) => c.verb === 'STAT');
  assert.ok(stat);
  const ctx = {} as Pop3SessionContext;
  assert.throws(
    () => stat.run(ctx, { verb: 'STAT', args: [], rest: '' }, { kind: 'authorization', user: null }),
    /STAT run in the AUTHORIZATION state/,
  );
});
