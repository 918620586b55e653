/**
 * kill -9 of the server process during DATA and right after 250: on restart (reopening the
 * store file) the message is there exactly when the client saw 250.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteMailStore } from '../../../src/mail/store/index.js';
import { greeted, inbox, readReply, talk } from './helpers.js';
import { tempDir } from '../../helpers/temp.js';
import { eventually } from '../../helpers/eventually.js';

async function startChild(path: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'crash-child.ts'), path],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.setEncoding('utf8');
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d: string) => {
      out += d;
      const m = /port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', () => {
      reject(new Error(`child exited: ${out}`));
    });
  });
  return { child, port };
}

async function kill9(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

async function subjects(path: string): Promise<string[]> {
  const store = openSqliteMailStore({ path });
  try {
    return (await inbox(store, 'bob@example.test')).map((m) => /Subject: (\S+)/.exec(m)?.[1] ?? '?');
  } finally {
    await store.close();
  }
}

test('kill -9 during DATA loses the unacknowledged message; after 250 the message survives', async () => {
  const dir = tempDir('outpost-smtp-crash-');
  const path = join(dir, 'mail.db');
  try {
    // 1. During DATA: no 250 was sent, nothing may be stored.
    let { child, port } = await startChild(path);
    let c = await greeted(port);
    await talk(c, 'MAIL FROM:<a@remote.test>');
    await talk(c, 'RCPT TO:<bob@example.test>');
    assert.match(await talk(c, 'DATA'), /^354/);
    c.send('Subject: during-data\r\n\r\nhalf of it');
    c.send('more body\r\n');
    await new Promise((r) => setTimeout(r, 100));
    await kill9(child);
    assert.deepEqual(await subjects(path), []);

    // 2. After 250: the message must be there.
    ({ child, port } = await startChild(path));
    c = await greeted(port);
    await talk(c, 'MAIL FROM:<a@remote.test>');
    await talk(c, 'RCPT TO:<bob@example.test>');
    await talk(c, 'DATA');
    c.send('Subject: after-250\r\n\r\nbody\r\n.\r\n');
    assert.match((await readReply(c))?.[0] ?? '', /^250 /);
    await kill9(child);
    assert.deepEqual(await subjects(path), ['after-250']);

    // 3. Many pipelined clients, killed mid-stream: every 250 seen is a stored message.
    ({ child, port } = await startChild(path));
    const acked: string[] = [];
    const clients = await Promise.all(Array.from({ length: 8 }, () => greeted(port)));
    let stop = false;
    const loops = clients.map(async (cl, i) => {
      for (let n = 0; !stop; n++) {
        const subject = `c${i}-${n}`;
        cl.send(`MAIL FROM:<a@remote.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n`);
        for (let k = 0; k < 3; k++) if ((await readReply(cl)) === null) return;
        cl.send(`Subject: ${subject}\r\n\r\nx\r\n.\r\n`);
        const r = await readReply(cl);
        if (r === null) return;
        if (r[0]?.startsWith('250 ')) acked.push(subject);
      }
    });
    await eventually(() => acked.length >= 100, {
      timeoutMs: 60_000,
      intervalMs: 10,
      what: '100 acknowledged messages',
    });
    await kill9(child);
    stop = true;
    await Promise.all(loops);
    const stored = new Set(await subjects(path));
    assert.deepEqual(
      acked.filter((s) => !stored.has(s)),
      [],
      'every acknowledged message is stored',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
