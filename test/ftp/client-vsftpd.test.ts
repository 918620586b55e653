// Outpost's FTP client against vsftpd (a server nobody here wrote): anonymous login, LIST-based
// listing (vsftpd has no MLSD), download, upload, resume with REST, rename, mkdir, delete, in
// passive and active mode, and the reply to a refused command surfacing as FtpReplyError.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { FtpClient, FtpReplyError } from '../../src/ftp/index.js';
import { startVsftpd, writeVsftpdConfig, type VsftpdLayout } from './vsftpd.js';
import { tempDir } from '../helpers/temp.js';

let layout: VsftpdLayout;
let port: number;
let stop: () => Promise<void>;
let work: string;
const payload = randomBytes(1_500_000);

async function freePort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const a = s.address();
  s.close();
  return typeof a === 'object' && a ? a.port : 0;
}

before(async () => {
  const dir = tempDir('outpost-vsftpd-');
  work = tempDir('outpost-vsftpd-work-');
  port = await freePort();
  layout = writeVsftpdConfig(dir, port);
  writeFileSync(join(layout.root, 'payload.bin'), payload);
  const vsftpd = await startVsftpd(layout, port);
  stop = () => vsftpd.stop();
});
after(async () => {
  await stop();
});

for (const passive of [true, false]) {
  test(`our client against vsftpd (${passive ? 'passive' : 'active'})`, async () => {
    const c = await FtpClient.connect({ host: '127.0.0.1', port, passive });
    try {
      await c.login('anonymous', 'test@example.test');
      assert.equal(await c.pwd(), '/');
      const names = (await c.list()).map((e) => `${e.type}:${e.name}`);
      assert.ok(names.includes('file:payload.bin') && names.includes('dir:incoming'), names.join());
      const local = join(work, `down-${passive}.bin`);
      assert.equal(await c.get('payload.bin', local), payload.length);
      assert.deepEqual(readFileSync(local), payload);
      writeFileSync(local, payload.subarray(0, 500_000));
      await c.get('payload.bin', local, { offset: 500_000 });
      assert.deepEqual(readFileSync(local), payload, 'resumed with REST');
      await c.cd('incoming');
      const dir = passive ? 'p' : 'a';
      await c.mkdir(dir);
      await c.put(local, `${dir}/up.bin`);
      assert.deepEqual(readFileSync(join(layout.incoming, dir, 'up.bin')), payload);
      assert.equal(await c.size(`${dir}/up.bin`), payload.length);
      await c.rename(`${dir}/up.bin`, `${dir}/renamed.bin`);
      assert.ok(existsSync(join(layout.incoming, dir, 'renamed.bin')));
      await assert.rejects(
        c.get('no-such-file', join(work, 'x')),
        (err: unknown) => err instanceof FtpReplyError && err.reply.code === 550,
      );
      await c.delete(`${dir}/renamed.bin`);
      assert.equal(existsSync(join(layout.incoming, dir, 'renamed.bin')), false);
    } finally {
      await c.quit();
    }
  });
}
