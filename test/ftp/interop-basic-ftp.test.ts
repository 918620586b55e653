// basic-ftp (npm) as a client of Outpost's FTP server: plain and explicit TLS, MLSD listing,
// upload, download with resume, rename, remove, ensureDir, and directory upload/download.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { Client } from 'basic-ftp';
import { PASSWORD, USER, startFtp, type FtpFixture } from './helpers.js';
import { tempDir } from '../helpers/temp.js';

let f: FtpFixture;
let work: string;
const data = randomBytes(2 * 1024 * 1024 + 3);
before(async () => {
  f = await startFtp();
  work = tempDir('outpost-basic-ftp-');
});
after(async () => {
  await f.close();
});

for (const secure of [false, true]) {
  test(`basic-ftp ${secure ? 'over explicit TLS' : 'plain'}: upload, list, resume, rename, remove, dirs`, async () => {
    const client = new Client(20_000);
    try {
      await client.access({
        host: '127.0.0.1',
        port: f.port,
        user: USER,
        password: PASSWORD,
        secure,
        secureOptions: { ca: f.ca, servername: 'localhost' },
      });
      const dir = secure ? 'bf-tls' : 'bf';
      await client.ensureDir(`/${dir}/nested`);
      assert.equal(await client.pwd(), `/${dir}/nested`);
      await client.cd(`/${dir}`);
      await client.uploadFrom(Readable.from([data]), 'blob.bin');
      const list = await client.list();
      const blob = list.find((e) => e.name === 'blob.bin');
      assert.equal(blob?.size, data.length);
      assert.equal(blob.isFile, true, 'blob.bin is a file');
      assert.equal(list.find((e) => e.name === 'nested')?.isDirectory, true);
      assert.equal(await client.size('blob.bin'), data.length);
      assert.ok((await client.lastMod('blob.bin')).getTime() > Date.now() - 3600_000);
      const chunks: Buffer[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _e, cb) {
          chunks.push(chunk);
          cb();
        },
      });
      await client.downloadTo(sink, 'blob.bin', 1000);
      assert.deepEqual(Buffer.concat(chunks), data.subarray(1000), 'download from an offset (REST)');
      await client.appendFrom(Readable.from([Buffer.from('tail')]), 'blob.bin');
      assert.equal(await client.size('blob.bin'), data.length + 4);
      await client.rename('blob.bin', 'nested/moved.bin');
      await client.remove('nested/moved.bin');
      assert.deepEqual(
        (await client.list('nested')).map((e) => e.name),
        [],
      );
      const localDir = join(work, dir);
      mkdirSync(join(localDir, 'x'), { recursive: true });
      writeFileSync(join(localDir, 'x', 'y.txt'), 'why');
      await client.uploadFromDir(localDir, `/${dir}/tree`);
      const back = join(work, `${dir}-back`);
      await client.downloadToDir(back, `/${dir}/tree`);
      assert.equal(readFileSync(join(back, 'x', 'y.txt'), 'utf8'), 'why');
      await client.removeDir(`/${dir}/tree`);
      assert.deepEqual((await client.list(`/${dir}`)).map((e) => e.name).sort(), ['nested']);
    } finally {
      client.close();
    }
  });
}
