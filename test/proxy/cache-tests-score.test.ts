/**
 * The cache-tests scoring (test/proxy/cache-tests/score.ts) on made-up results: verdicts per kind,
 * setup failures, dependencies (failed, chained, unknown, circular), the counts, the failure
 * listing, and the runner's JSON checked before it is trusted. The suite's own published nginx
 * results score as cache-tests.fyi shows them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  formatRequiredFailures,
  formatScore,
  rawResultsSchema,
  scoreResults,
  type RawResult,
} from './cache-tests/score.js';
import { loadCacheTests, SUITE_DIR, type CacheTest } from './cache-tests/suite.js';

function t(id: string, kind: CacheTest['kind'], dependsOn: string[] = []): CacheTest {
  return { id, name: `${id} described`, kind, dependsOn, suite: 'S' };
}

describe('cache-tests scoring', () => {
  it('gives each kind its verdicts and counts them', () => {
    const tests = [
      t('r-pass', 'required'),
      t('r-fail', 'required'),
      t('o-pass', 'optimal'),
      t('o-fail', 'optimal'),
      t('c-yes', 'check'),
      t('c-no', 'check'),
      t('r-setup', 'required'),
      t('r-retry', 'required'),
      t('r-missing', 'required'),
    ];
    const results: Record<string, RawResult> = {
      'r-pass': true,
      'r-fail': ['Assertion', 'Response 2 comes from cache'],
      'o-pass': true,
      'o-fail': ['Assertion', 'no'],
      'c-yes': true,
      'c-no': ['Assertion', 'no'],
      'r-setup': ['Setup', 'Response 1 status is 500, not 200'],
      'r-retry': ['Setup', 'retry'],
    };
    const score = scoreResults(tests, results);
    assert.deepEqual(
      score.verdicts.map((v) => [v.test.id, v.verdict]),
      [
        ['r-pass', 'pass'],
        ['r-fail', 'fail'],
        ['o-pass', 'pass'],
        ['o-fail', 'optional fail'],
        ['c-yes', 'yes'],
        ['c-no', 'no'],
        ['r-setup', 'setup fail'],
        ['r-retry', 'retry'],
        ['r-missing', 'untested'],
      ],
    );
    assert.deepEqual(score.required, { passed: 1, total: 5 });
    assert.deepEqual(score.optimal, { passed: 1, total: 2 });
    assert.deepEqual(score.check, { passed: 1, total: 2 });
    assert.deepEqual(score.all, { passed: 3, total: 9 });
    assert.equal(formatScore(score), 'required 1/5, optimal 1/2, checks yes 1/2, all 3/9');
    assert.equal(score.verdicts[1]?.message, 'Assertion: Response 2 comes from cache');
  });

  it('fails a passing test whose dependency did not pass, through chains, unknown ids and cycles', () => {
    const tests = [
      t('base', 'check'),
      t('mid', 'optimal', ['base']),
      t('top', 'required', ['mid']),
      t('ok', 'required', ['yes-check']),
      t('yes-check', 'check'),
      t('orphan', 'required', ['no-such-test']),
      t('loop-a', 'required', ['loop-b']),
      t('loop-b', 'required', ['loop-a']),
    ];
    const all: Record<string, RawResult> = Object.fromEntries(tests.map((x) => [x.id, true as const]));
    all.base = ['Assertion', 'not cached'];
    const score = scoreResults(tests, all);
    const verdict = (id: string): string | undefined => score.verdicts.find((v) => v.test.id === id)?.verdict;
    assert.equal(verdict('base'), 'no');
    assert.equal(verdict('mid'), 'dependency fail');
    assert.equal(verdict('top'), 'dependency fail');
    assert.equal(verdict('ok'), 'pass');
    assert.equal(verdict('orphan'), 'dependency fail');
    assert.equal(verdict('loop-a'), 'dependency fail');
    assert.equal(verdict('loop-b'), 'dependency fail');
    assert.equal(score.verdicts.find((v) => v.test.id === 'top')?.failedDependency, 'mid');
    const listing = formatRequiredFailures(score);
    assert.match(listing, /^top \[dependency fail on mid\] \(S\)\n {2}top described$/m);
    assert.doesNotMatch(listing, /^ok /m);
    assert.doesNotMatch(listing, /^mid /m, 'only required tests are listed');
  });

  it("refuses runner output that is not the suite's result map", () => {
    for (const bad of [
      [],
      { a: false },
      { a: 'true' },
      { a: ['Assertion'] },
      { a: ['Assertion', 'x', 'y'] },
      { a: [1, 'x'] },
      null,
    ]) {
      assert.equal(rawResultsSchema.safeParse(bad).success, false, JSON.stringify(bad));
    }
    assert.equal(rawResultsSchema.safeParse({ a: true, b: ['Setup', 'retry'] }).success, true);
  });

  it("scores the suite's published nginx results as cache-tests.fyi shows them", async () => {
    const tests = await loadCacheTests();
    // The definitions the CLI runs: 350 tests, 165 of them required (surrogate-control's included).
    assert.equal(tests.length, 350);
    assert.equal(tests.filter((x) => x.kind === 'required').length, 165);
    const raw = rawResultsSchema.parse(
      JSON.parse(readFileSync(join(SUITE_DIR, 'results', 'nginx.json'), 'utf8')),
    );
    const score = scoreResults(tests, raw);
    assert.equal(formatScore(score), 'required 94/165, optimal 50/95, checks yes 27/90, all 171/350');
  });
});
