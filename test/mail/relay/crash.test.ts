// kill -9 of the sending host while it relays (the remote MX has the whole message but has not
// answered the final dot): after a restart on the same data directory the message is relayed
// again (the first MX is gone now, so the next one by preference) and lands in bob's INBOX.
// At-least-once: nothing acknowledged to alice is lost.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startScriptedServerAt, greetAndEhlo } from '../helpers/scripted-server.js';
import { BOB, inboxOf, startReceiver, submitAsAlice, waitForInbox } from './helpers.js';
import { tempDir } from '../../helpers/temp.js';

async function startSender(
  dataDir: string,
  dns: string,
  relayPort: number,
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'sender-child.ts'), dataDir, dns, String(relayPort)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  ) as ChildProcess & { stdout: NodeJS.ReadableStream };
  let out = '';
  child.stdout.setEncoding('utf8');
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d: string) => {
      out += d;
      const m = /ready (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', () => {
      reject(new Error(`sender exited: ${out}`));
    });
  });
  return { child, port };
}

test('kill -9 during relay, restart: the message is delivered (at least once)', async () => {
  // hamburger.test's preferred MX (127.0.0.3) takes the message and never answers the dot.
  const { outpost: receiver, mxPort, dns } = await startReceiver('@ IN MX 5 hang\nhang IN A 127.0.0.3\n');
  let gotData!: () => void;
  const dataSeen = new Promise<void>((resolve) => {
    gotData = resolve;
  });
  const hang = await startScriptedServerAt({ host: '127.0.0.3', port: mxPort }, async (c) => {
    await greetAndEhlo(c, ['PIPELINING', '8BITMIME']);
    await c.expect('MAIL');
    await c.expect('RCPT');
    await c.expect('DATA');
    c.send('250 ok', '250 ok', '354 go on');
    await c.readData();
    gotData();
    await c.read(); // never answers; ends when the sender dies
  });
  const dataDir = tempDir('outpost-relay-crash-');
  let sender = await startSender(dataDir, dns, mxPort);
  try {
    const info = await submitAsAlice(sender.port, {
      to: BOB.address,
      subject: 'survives',
      text: 'kill -9 proof',
    });
    assert.deepEqual(info.accepted, [BOB.address]);
    await dataSeen;
    const exited = once(sender.child, 'exit');
    sender.child.kill('SIGKILL');
    await exited;
    await hang.close();
    assert.deepEqual(await inboxOf(receiver.dataDir, BOB.address), [], 'not delivered yet');

    sender = await startSender(dataDir, dns, mxPort);
    const msgs = await waitForInbox(receiver.dataDir, BOB.address, (m) =>
      m.some((x) => x.includes('kill -9 proof')),
    );
    assert.ok(msgs.filter((x) => x.includes('kill -9 proof')).length >= 1, 'delivered after restart');
  } finally {
    const stopped = once(sender.child, 'exit');
    sender.child.kill('SIGTERM');
    await stopped;
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
