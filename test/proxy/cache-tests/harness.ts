/**
 * One http-cache-tests run against a cache: start the suite's origin, the cache in front of it
 * (processes.ts), run the suite's CLI runner (cli.mjs, which prints every test's result as JSON)
 * against the cache, score the results (score.ts) and stop everything. Shared by
 * test/proxy/cache-tests.test.ts and scripts/cache-tests.ts.
 */
import { join } from 'node:path';
import { run } from '../../helpers/run.js';
import { tempDir } from '../../helpers/temp.js';
import { startOrigin, startProxy, type ProxyKind, type Running } from './processes.js';
import { rawResultsSchema, scoreResults, type Score } from './score.js';
import { loadCacheTests, SUITE_DIR, suiteVersion } from './suite.js';

/** What one run gave. */
export interface CacheTestsRun {
  readonly proxy: ProxyKind;
  /** The cache under test, e.g. "nginx 1.22.1 proxy_cache". */
  readonly label: string;
  readonly suiteVersion: string;
  readonly score: Score;
  /** Wall time of the suite's runner, in milliseconds. */
  readonly runnerMs: number;
}

/** Options of `runCacheTests`. */
export interface CacheTestsOptions {
  /** Kill the runner after this long (default 90 s). */
  readonly timeoutMs?: number;
}

/** Runs the suite's CLI against `base` and returns its parsed JSON. */
async function runSuiteCli(
  base: string,
  timeoutMs: number,
): Promise<Record<string, true | readonly [string, string]>> {
  const r = await run(process.execPath, ['--no-warnings', join(SUITE_DIR, 'cli.mjs')], {
    cwd: SUITE_DIR,
    // cli.mjs reads its settings as `npm run cli --base=…` would pass them.
    env: { npm_config_base: base, npm_config_id: '', npm_package_config_id: '' },
    timeoutMs,
  });
  const text = r.stdout.toString('utf8');
  if (r.code !== 0 || !text.trimStart().startsWith('{'))
    throw new Error(
      `the cache-tests runner failed (exit ${r.code}):\n${r.stderr.slice(-2000)}\n${text.slice(0, 2000)}`,
    );
  return rawResultsSchema.parse(JSON.parse(text));
}

/** Runs the whole suite against `proxy` in front of the suite's origin. */
export async function runCacheTests(
  proxy: ProxyKind,
  options: CacheTestsOptions = {},
): Promise<CacheTestsRun> {
  const tests = await loadCacheTests();
  const dir = tempDir('outpost-cache-tests-');
  const started: Running[] = [];
  try {
    const origin = await startOrigin(dir);
    started.push(origin);
    const cache = await startProxy(proxy, dir, origin.port);
    started.push(cache);
    const t0 = performance.now();
    let raw: Awaited<ReturnType<typeof runSuiteCli>>;
    try {
      raw = await runSuiteCli(`http://127.0.0.1:${cache.port}`, options.timeoutMs ?? 90_000);
    } catch (err) {
      const logs = started.map((p) => `--- ${p.label}:\n${p.log().trim().split('\n').slice(-20).join('\n')}`);
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n${logs.join('\n')}`, {
        cause: err,
      });
    }
    return {
      proxy,
      label: cache.label,
      suiteVersion: suiteVersion(),
      score: scoreResults(tests, raw),
      runnerMs: performance.now() - t0,
    };
  } finally {
    for (const p of started.reverse()) await p.stop();
  }
}
