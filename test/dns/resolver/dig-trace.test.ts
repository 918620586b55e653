/**
 * The built `outpost dig +trace` against the loopback hierarchy (loopback-world.ts): it asks the
 * given server for the root NS RRset, then walks root → TLD → authoritative itself, printing
 * each referral's NS records and the final answer with dig's "Received" lines. Needs the build.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runText } from '../../helpers/run.js';
import { startLoopbackWorld, type LoopbackWorld } from './loopback-world.js';
import { EXAMPLE1, EXAMPLE2, ROOT, TLD } from './world-zones.js';

const root = resolve(import.meta.dirname, '../../..');

describe('outpost dig +trace', () => {
  let world: LoopbackWorld;
  before(async () => {
    assert.ok(
      existsSync(join(root, 'dist/src/cli/dig-trace.js')),
      'the CLI is not built: run `npm run build`',
    );
    world = await startLoopbackWorld();
  });
  after(async () => {
    await world.close();
  });

  it('walks root → TLD → authoritative and prints each step', async () => {
    const r = await runText(
      process.execPath,
      [join(root, 'bin/outpost'), 'dig', '+trace', 'www.example.test', `@${ROOT}`, '-p', String(world.port)],
      { cwd: root, timeoutMs: 30_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout;
    const at = (re: RegExp): number => {
      const m = re.exec(out);
      assert.ok(m, `missing ${String(re)} in\n${out}`);
      return m.index;
    };
    const steps = [
      at(/^\.\s+\d+\s+IN\s+NS\s+a\.root\.test\.$/m),
      at(new RegExp(`^;; Received \\d+ bytes from ${ROOT}#${world.port}`, 'm')),
      at(/^test\.\s+\d+\s+IN\s+NS\s+ns1\.nic\.test\.$/m),
      at(
        new RegExp(
          `^;; Received \\d+ bytes from ${ROOT.replace(/\./g, '\\.')}#${world.port}\\(${ROOT.replace(/\./g, '\\.')}\\) in \\d+ ms\\n\\n(?=example)`,
          'm',
        ),
      ) - 1,
      at(/^example\.test\.\s+\d+\s+IN\s+NS\s+ns1\.example\.test\.$/m),
      at(new RegExp(`^;; Received \\d+ bytes from ${TLD}#`, 'm')),
      at(/^www\.example\.test\.\s+300\s+IN\s+A\s+192\.0\.2\.1$/m),
      at(new RegExp(`^;; Received \\d+ bytes from (${EXAMPLE1}|${EXAMPLE2})#`, 'm')),
    ];
    assert.deepEqual(
      [...steps].sort((a, b) => a - b),
      steps,
      out,
    );
  });
});
