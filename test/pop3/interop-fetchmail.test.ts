// Tier-4 interop: fetchmail (a client nobody here wrote) against the suite's POP3 server with the
// real store. Keep mode twice: UIDL makes the second run fetch only the message delivered in
// between; then delete mode fetches everything and removes it from the store (applied at QUIT).
// fetchmail delivers through an MDA (`cat >> FILE`), runs with a temporary HOME and a 0600 rcfile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { runText as run } from '../helpers/run.js';
import { ALICE, startPop3Outpost, testMessage } from './helpers/pop3-outpost.js';
import { tempDir } from '../helpers/temp.js';

function subjects(mbox: string): string[] {
  return [...mbox.matchAll(/^Subject: (.*)$/gm)].map((m) => m[1] ?? '');
}

test('fetchmail: keep mode with UIDL fetches only new mail the second time; delete mode empties the maildrop', async () => {
  await using pop = await startPop3Outpost();
  const home = tempDir('pop3-fetchmail-');
  try {
    const out = join(home, 'out.mbox');
    const rc = join(home, '.fetchmailrc');
    writeFileSync(
      rc,
      [
        'set no bouncemail',
        'set no syslog',
        `poll 127.0.0.1 with proto POP3 port ${String(pop.port)} uidl`,
        `  user "${ALICE.address}" there with password "${ALICE.password}" is "root" here`,
        `  options sslproto "" no sslcertck`,
        `  mda "cat >> ${out}"`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    const env = { ...process.env, HOME: home, FETCHMAILHOME: home };
    const fetch = (extra: string[]) =>
      run('fetchmail', ['-f', rc, '--idfile', join(home, 'ids'), '--nodetach', '-v', ...extra], { env });

    await pop.deliver(ALICE.address, testMessage(1));
    await pop.deliver(ALICE.address, testMessage(2));
    const first = await fetch(['--keep']);
    assert.equal(first.code, 0, `${first.stdout}\n${first.stderr}`);
    assert.deepEqual(subjects(readFileSync(out, 'utf8')), ['test message 1', 'test message 2']);
    assert.ok(existsSync(join(home, 'ids')), 'fetchmail kept the UIDs it saw');
    assert.match(first.stdout, /POP3> UIDL/, 'fetchmail asked for UIDs');

    await pop.deliver(ALICE.address, testMessage(3));
    const second = await fetch(['--keep']);
    assert.equal(second.code, 0, `${second.stdout}\n${second.stderr}`);
    assert.match(second.stdout, /POP3> (?:RETR|TOP) 3\b/);
    assert.doesNotMatch(second.stdout, /POP3> (?:RETR|TOP) [12]\b/, 'old messages were not fetched again');
    assert.deepEqual(subjects(readFileSync(out, 'utf8')), [
      'test message 1',
      'test message 2',
      'test message 3',
    ]);
    const inbox = await pop.store.getMailbox(ALICE.address, 'INBOX');
    assert.ok(inbox);
    assert.equal((await pop.store.listMessages(inbox.id)).length, 3, 'keep mode deleted nothing');

    const third = await fetch(['--nokeep', '--all']);
    assert.equal(third.code, 0, `${third.stdout}\n${third.stderr}`);
    assert.equal(subjects(readFileSync(out, 'utf8')).length, 6);
    assert.equal((await pop.store.listMessages(inbox.id)).length, 0, 'delete mode removed every message');

    const fourth = await fetch(['--nokeep']);
    assert.equal(fourth.code, 1, 'exit 1: no mail');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
