// Outpost's FTP client and `outpost ftp` against Outpost's server: explicit and implicit TLS with
// PROT P in passive and active mode, resume, append, progress callbacks, and the CLI's one-shot
// get/put/ls and interactive shell driven through stdin, and the progress bar on a terminal.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { FtpClient } from '../../src/ftp/index.js';
import { parseFtpUrl, wildcard } from '../../src/cli/ftp-url.js';
import { words } from '../../src/cli/ftp-shell.js';
import { PASSWORD, USER, run, startFtp, type FtpFixture } from './helpers.js';
import { tempDir } from '../helpers/temp.js';

let f: FtpFixture;
let work: string;
const payload = randomBytes(2_500_000);
const root = resolve(import.meta.dirname, '../..');
before(async () => {
  f = await startFtp({}, true);
  work = tempDir('outpost-ftp-client-');
  writeFileSync(join(f.home, 'payload.bin'), payload);
});
after(async () => {
  await f.close();
});

for (const [secure, passive] of [
  ['explicit', true],
  ['explicit', false],
  ['implicit', true],
  ['implicit', false],
] as const) {
  test(`client: ${secure} TLS, ${passive ? 'passive' : 'active'}: get, resume, put, append, list`, async () => {
    const port = secure === 'implicit' ? (f.implicitPort ?? 0) : f.port;
    const c = await FtpClient.connect({
      host: '127.0.0.1',
      port,
      secure,
      passive,
      tls: { ca: f.ca, servername: 'localhost' },
    });
    try {
      assert.equal(c.secure, true);
      await c.login(USER, PASSWORD);
      const local = join(work, `get-${secure}-${passive}.bin`);
      let seen = 0;
      assert.equal(await c.get('payload.bin', local, { onProgress: (b) => (seen = b) }), payload.length);
      assert.equal(seen, payload.length);
      assert.deepEqual(readFileSync(local), payload);
      writeFileSync(local, payload.subarray(0, 1_000_000));
      await c.get('payload.bin', local, { offset: 1_000_000 });
      assert.deepEqual(readFileSync(local), payload);
      const remote = `up-${secure}-${passive}.bin`;
      await c.put(local, remote);
      await c.put(Readable.from([Buffer.from('!')]), remote, { append: true });
      assert.deepEqual(readFileSync(join(f.home, remote)), Buffer.concat([payload, Buffer.from('!')]));
      const entries = await c.list();
      assert.equal(entries.find((e) => e.name === remote)?.size, payload.length + 1);
      assert.ok(entries.find((e) => e.name === remote)?.modified instanceof Date);
    } finally {
      await c.quit();
    }
  });
}

test('URL parsing and shell helpers', () => {
  assert.deepEqual(parseFtpUrl('ftp://alice%40example.test:p%3Ass@127.0.0.1:2121/dir/file.txt'), {
    host: '127.0.0.1',
    port: 2121,
    implicitTls: false,
    user: 'alice@example.test',
    password: 'p:ss',
    path: 'dir/file.txt',
  });
  assert.deepEqual(parseFtpUrl('ftps://alice@example.test@host.example/'), {
    host: 'host.example',
    port: 990,
    implicitTls: true,
    user: 'alice@example.test',
    password: undefined,
    path: '',
  });
  assert.throws(() => parseFtpUrl('http://x/'));
  assert.ok(wildcard('*.t?t').test('a.txt'));
  assert.ok(!wildcard('*.txt').test('a.txt.bak'));
  assert.deepEqual(words('put "my file.txt" remote'), ['put', 'my file.txt', 'remote']);
});

function outpost(args: string[], input = '', cwd?: string): ReturnType<typeof run> {
  return run(
    process.execPath,
    ['--import', join(root, 'node_modules/tsx/dist/esm/index.mjs'), join(root, 'src/cli/main.ts'), ...args],
    {
      input,
      env: { OUTPOST_FTP_PASSWORD: PASSWORD },
      ...(cwd === undefined ? {} : { cwd }),
    },
  );
}

test('outpost ftp get/put/ls one-shot commands (plain and --ftps)', async () => {
  const base = `ftp://alice%40example.test@127.0.0.1:${f.port}`;
  const dest = join(work, 'cli.bin');
  let r = await outpost(['ftp', 'get', `${base}/payload.bin`, dest]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readFileSync(dest), payload);
  assert.doesNotMatch(r.stderr, /ETA/, 'no progress bar when stderr is not a terminal');
  writeFileSync(dest, payload.subarray(0, 10));
  r = await outpost(['ftp', 'get', '-C', '--ftps', '-k', `${base}/payload.bin`, dest]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readFileSync(dest), payload, 'resumed over TLS');
  r = await outpost(['ftp', 'put', '--active', dest, `${base}/cli-dir-up.bin`]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readFileSync(join(f.home, 'cli-dir-up.bin')), payload);
  r = await outpost(['ftp', 'ls', `${base}/`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.toString(), /cli-dir-up\.bin/);
  r = await outpost(['ftp', 'get', `ftp://alice%40example.test:wrong@127.0.0.1:${f.port}/payload.bin`, dest]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /530/);
});

test('outpost ftp draws a progress bar with size, rate and ETA on a terminal (script(1) gives it one)', async () => {
  const dest = join(work, 'tty.bin');
  const command = [
    process.execPath,
    '--import',
    join(root, 'node_modules/tsx/dist/esm/index.mjs'),
    join(root, 'src/cli/main.ts'),
    'ftp',
    'get',
    `ftp://alice%40example.test@127.0.0.1:${f.port}/payload.bin`,
    dest,
  ]
    .map((word) => `'${word}'`)
    .join(' ');
  const r = await run('script', ['-qec', command, '/dev/null'], { env: { OUTPOST_FTP_PASSWORD: PASSWORD } });
  const screen = r.stdout.toString();
  assert.equal(r.code, 0, screen);
  assert.match(screen, /payload\.bin \[[^\]]+\] 100% 2\.4 MiB\/2\.4 MiB [\d.]+ (KiB|MiB|GiB)\/s ETA \d+s/);
  assert.deepEqual(readFileSync(dest), payload);
});

test('outpost ftp interactive shell through stdin', async () => {
  const local = join(work, 'shell-src.txt');
  writeFileSync(local, 'from the shell\n');
  const script = [
    `open ftp://alice%40example.test@127.0.0.1:${f.port}/`,
    'mkdir shell',
    'cd shell',
    `put ${local} s.txt`,
    'ascii',
    `get s.txt ${join(work, 'shell-back.txt')}`,
    'binary',
    'rename s.txt t.txt',
    'ls',
    'pwd',
    'size t.txt',
    'active',
    'dir',
    'rm t.txt',
    'bogus',
    'quit',
    '',
  ].join('\n');
  const r = await outpost(['ftp'], script);
  const out = r.stdout.toString();
  assert.equal(r.code, 0, r.stderr + out);
  assert.match(out, /Connected to 127\.0\.0\.1/);
  assert.match(out, /t\.txt/);
  assert.match(out, /^\/shell$/m);
  assert.match(out, /^15$/m);
  assert.match(out, /unknown command bogus/);
  assert.equal(readFileSync(join(work, 'shell-back.txt'), 'utf8'), 'from the shell\n');
});

test('outpost ftp shell: mput and mget with wildcards', async () => {
  const dir = tempDir('outpost-ftp-m-');
  writeFileSync(join(dir, 'one.log'), 'first');
  writeFileSync(join(dir, 'two.log'), 'second');
  writeFileSync(join(dir, 'skip.txt'), 'no');
  const script = [
    `open ftp://alice%40example.test@127.0.0.1:${f.port}/`,
    'mkdir mdir',
    'cd mdir',
    'mput *.log',
    'quit',
    '',
  ].join('\n');
  let r = await outpost(['ftp'], script, dir);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(join(f.home, 'mdir', 'one.log'), 'utf8'), 'first');
  assert.equal(readFileSync(join(f.home, 'mdir', 'two.log'), 'utf8'), 'second');
  assert.equal(existsSync(join(f.home, 'mdir', 'skip.txt')), false);
  const back = tempDir('outpost-ftp-mget-');
  r = await outpost(
    ['ftp', `ftp://alice%40example.test@127.0.0.1:${f.port}/`],
    'cd mdir\nmget o*.log t?o.log\nquit\n',
    back,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(join(back, 'one.log'), 'utf8'), 'first');
  assert.equal(readFileSync(join(back, 'two.log'), 'utf8'), 'second');
});
