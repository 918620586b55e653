/**
 * Durability: a process accepting messages is killed with SIGKILL at an arbitrary moment; after
 * reopening, every message whose accept() had resolved (the child printed `ok N`) is there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { openSqliteMailStore } from '../../../src/mail/store/index.js';
import { tempDir } from '../../helpers/temp.js';

test('SIGKILL mid-stream loses no acknowledged message', async () => {
  const dir = tempDir('outpost-durable-');
  try {
    const path = join(dir, 'mail.db');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'durability-child.ts'), path],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const acked = new Set<number>();
    let buf = '';
    child.stdout.setEncoding('utf8');
    const enough = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: string) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const m = /^ok (\d+)$/.exec(buf.slice(0, i));
          buf = buf.slice(i + 1);
          if (m) acked.add(Number(m[1]));
        }
        if (acked.size >= 300) resolve();
      });
    });
    await enough;
    child.kill('SIGKILL');
    await once(child, 'exit');
    // Lines already in the pipe were acknowledged too.
    const store = openSqliteMailStore({ path });
    const id = (await store.getMailbox('bob@example.test', 'INBOX'))!.id;
    const subjects = new Set<number>();
    for (const m of await store.listMessages(id)) {
      subjects.add(Number(/^Subject: (\d+)/.exec((await store.readMessage(id, m.uid))!.toString())?.[1]));
    }
    const missing = [...acked].filter((n) => !subjects.has(n));
    assert.deepEqual(missing, [], 'every acknowledged message survived');
    assert.ok(subjects.size >= acked.size);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
