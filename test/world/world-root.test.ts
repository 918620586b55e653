// `outpost world` as built (bin/outpost) on its standard ports when run as root, here and in CI:
// a world on 127.78.0.0/24 (its own range; never 127.0.0.53 or 127.0.0.1) answers ISC dig on
// port 53 of its resolver with www.hamburger.test, and mail.hamburger.test greets on port 25.
// Not as root, the same test checks the documented offset instead (10053, 10025), so it always
// runs and always asserts something.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/temp.js';
import { runText } from '../helpers/run.js';

const repo = resolve(import.meta.dirname, '../..');
const NET = '127.78.0';
const asRoot = process.getuid?.() === 0;
const offset = asRoot ? 0 : 10000;

/** The first line the server sends on connect. */
async function banner(host: string, port: number): Promise<string> {
  const socket = connect({ host, port });
  try {
    socket.setEncoding('utf8');
    let text = '';
    const deadline = Date.now() + 10_000;
    while (!text.includes('\r\n')) {
      if (Date.now() > deadline) throw new Error(`no banner from ${host}:${String(port)}`);
      const [chunk] = (await once(socket, 'data')) as [string];
      text += chunk;
    }
    return text.split('\r\n')[0] ?? '';
  } finally {
    socket.destroy();
  }
}

test(`outpost world uses ${asRoot ? 'ports 53 and 25 as root' : 'the +10000 offset when not root'}`, async () => {
  assert.ok(existsSync(join(repo, 'dist/src/cli/main.js')), 'the CLI is not built: run `npm run build`');
  const dir = join(tempDir('outpost-world-root-'), 'world');
  const child = spawn(
    process.execPath,
    [join(repo, 'bin/outpost'), 'world', dir, '--net', NET, '--log-level', 'warn'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
  try {
    const deadline = Date.now() + 60_000;
    while (!out.includes('Press Ctrl-C to stop.')) {
      assert.equal(child.exitCode, null, `outpost world exited:\n${out}`);
      assert.ok(Date.now() < deadline, `outpost world did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const dns = 53 + offset;
    assert.match(out, new RegExp(`${NET}\\.20:${String(dns)}`), 'the table shows the resolver on its port');
    const dig = await runText(
      'dig',
      ['+tries=1', '+time=5', '+short', `@${NET}.20`, '-p', String(dns), 'www.hamburger.test'],
      { timeoutMs: 30_000 },
    );
    assert.equal(dig.code, 0, dig.stdout + dig.stderr);
    assert.equal(dig.stdout.trim(), `${NET}.42`);
    assert.match(await banner(`${NET}.41`, 25 + offset), /^220 /);
  } finally {
    child.kill('SIGINT');
    if (child.exitCode === null) await once(child, 'exit');
  }
});
