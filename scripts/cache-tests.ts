/**
 * `npm run cache-tests -- [--proxy outpost|nginx] [--failures FILE]`: runs the http-cache-tests
 * suite (cache-tests.fyi) against Outpost's reverse proxy (default; needs the build in dist/) or
 * nginx's proxy_cache (install it with bench/install-peers.sh), prints every test's verdict by
 * group and the scores, and with --failures writes the required tests that did not pass, with
 * their descriptions and messages, to FILE. test/proxy/cache-tests.test.ts asserts the floor.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runCacheTests } from '../test/proxy/cache-tests/harness.js';
import { PROXY_KINDS, type ProxyKind } from '../test/proxy/cache-tests/processes.js';
import { formatRequiredFailures, formatScore, type TestVerdict } from '../test/proxy/cache-tests/score.js';

const MARK: Readonly<Record<TestVerdict['verdict'], string>> = {
  pass: 'PASS',
  fail: 'FAIL',
  'optional fail': 'opt-fail',
  yes: 'yes',
  no: 'no',
  'setup fail': 'SETUP',
  retry: 'retry',
  'dependency fail': 'dep-fail',
  untested: 'untested',
};

function isProxyKind(s: string): s is ProxyKind {
  return (PROXY_KINDS as readonly string[]).includes(s);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      proxy: { type: 'string', default: 'outpost' },
      failures: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log('usage: npm run cache-tests -- [--proxy outpost|nginx] [--failures FILE]');
    return;
  }
  if (!isProxyKind(values.proxy))
    throw new Error(`--proxy: expected outpost or nginx, got "${values.proxy}"`);
  const result = await runCacheTests(values.proxy);
  let group = '';
  for (const v of result.score.verdicts) {
    if (v.test.suite !== group) {
      group = v.test.suite;
      console.log(`\n## ${group}`);
    }
    const message = v.message === undefined ? '' : `  -- ${v.message.replace(/\s+/g, ' ').slice(0, 160)}`;
    console.log(`${MARK[v.verdict].padEnd(8)} ${v.test.kind.padEnd(8)} ${v.test.id}${message}`);
  }
  const summary = `http-cache-tests ${result.suiteVersion} against ${result.label}: ${formatScore(result.score)} (runner ${(result.runnerMs / 1000).toFixed(1)} s)`;
  console.log(`\n${summary}`);
  if (values.failures !== undefined) {
    const body = formatRequiredFailures(result.score);
    writeFileSync(
      values.failures,
      `# ${summary}\n# ${new Date().toISOString()}: required tests that did not pass\n\n${body}\n`,
    );
    console.log(`required failures written to ${values.failures}`);
  }
}

main().catch((err: unknown) => {
  console.error(`cache-tests: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
