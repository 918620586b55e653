// The shared C:/S: script client (test/helpers/script-client.ts) and the one error boundary of
// line-protocol sessions (src/core/session/command-turn.ts), each on its own: scripts match
// literally, with `*` and with /regex/, notice a hang-up, and fail with the exchange shown; the
// boundary answers an unexpected throw with the protocol's temporary failure and logs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LineConnection } from '../../../src/core/line/connection.js';
import { createMetrics, CommandMeter } from '../../../src/core/metrics.js';
import { runCommand } from '../../../src/core/session/command-turn.js';
import { captureLogs } from '../../helpers/log-capture.js';
import { parseScript, startInMemory } from '../../helpers/script-client.js';

/** A tiny session: greets, echoes `ECHO x` as `+ x`, `QUIT` says bye and hangs up. */
async function echoSession(conn: LineConnection): Promise<void> {
  conn.writeLine('* ready');
  for (;;) {
    const r = await conn.readLine({ command: true });
    if (r.kind !== 'line') return;
    if (r.text === 'QUIT') {
      conn.writeLine('* bye');
      return;
    }
    conn.writeLine(r.text.startsWith('ECHO ') ? `+ ${r.text.slice(5)}` : '- what?');
  }
}

test('a script matches literally, with * wildcards and /regex/, and expects the hang-up', async () => {
  const { client, done, transcript } = startInMemory({ protocol: 'echo' }, echoSession);
  await client.play(`
    # the greeting
    S: * ready
    C: ECHO hello world
    S: + hello*
    C: ECHO a*b
    S: + a\\*b
    C: NOPE
    S: /^- wh(at|y)\\?$/
    C: QUIT
    S: * bye
    S: <closed>
  `);
  await done;
  assert.deepEqual(
    transcript().map((e) => `${e.direction}: ${e.text}`),
    [
      'S: * ready',
      'C: ECHO hello world',
      'S: + hello world',
      'C: ECHO a*b',
      'S: + a*b',
      'C: NOPE',
      'S: - what?',
      'C: QUIT',
      'S: * bye',
    ],
  );
});

test('a mismatch fails with the exchange so far, the expected line and what came instead', async () => {
  const { client } = startInMemory({ protocol: 'echo' }, echoSession);
  await assert.rejects(
    client.play(`
      S: * ready
      C: ECHO one
      S: + two
    `),
    (err: unknown) => {
      assert.ok(err instanceof assert.AssertionError);
      assert.equal(err.expected, 'S: + two');
      assert.equal(err.actual, 'S: + one');
      assert.ok(err.message.includes('  S: * ready\n  C: ECHO one\n- S: + two\n+ S: + one'), err.message);
      return true;
    },
  );
  await assert.rejects(client.play('C: QUIT\nS: * bye\nS: * more'), /- S: \* more\n\+ S: <closed>/);
});

test('a literal without * must match the whole line; a * wildcard does not make the rest a pattern', () => {
  const [step] = parseScript('S: +OK (1 message)*');
  assert.ok(step?.kind === 'expect');
  assert.ok(step.match('+OK (1 message) left'));
  assert.ok(!step.match('+OK 1 message left'));
  const [exact] = parseScript('S: +OK');
  assert.ok(exact?.kind === 'expect' && exact.match('+OK') && !exact.match('+OK more'));
  assert.throws(() => parseScript('X: nonsense'), /not a script line/);
});

test('runCommand: a throwing handler gets the temporary failure, logged with the verb and no arguments', async () => {
  const { logger, entries, raw } = captureLogs();
  const metrics = createMetrics();
  const meter = new CommandMeter(metrics, 'test', ['PASS']);
  const boundary = {
    protocol: 'test',
    sessionId: 'abc',
    logger,
    temporaryFailure: () => '451 try later',
    classOf: (r: string) => `${r.slice(0, 1)}xx`,
    meter,
  };
  const reply = await runCommand(
    'PASS',
    () => {
      throw new Error('account database is gone');
    },
    boundary,
  );
  assert.equal(reply, '451 try later');
  assert.equal(await runCommand('PASS', () => '250 fine', boundary), '250 fine');
  assert.equal(await runCommand('PASS', () => Promise.resolve(null), boundary), null);
  const failure = entries.find((e) => e.msg === 'test: PASS failed unexpectedly');
  assert.ok(failure, JSON.stringify(entries));
  assert.equal(failure.session, 'abc');
  assert.match(JSON.stringify(failure.err), /account database is gone/);
  assert.equal(raw.length, 1, 'one line per failure');
  const counted = (await metrics.registry.getSingleMetric('outpost_commands_total')?.get())?.values;
  assert.deepEqual(
    counted?.map((v) => `${String(v.labels.verb)} ${String(v.labels.class)} ${String(v.value)}`).sort(),
    ['PASS 2xx 1', 'PASS 4xx 1'],
  );
});
