/**
 * Scoring an http-cache-tests run the way cache-tests.fyi does (the suite's
 * lib/display.mjs determineTestResult): a test whose dependency did not pass counts as
 * "dependency failed", a setup error as "setup failed", and otherwise `true` passes; required
 * tests (kind `required` or none) fail, optimal ones are "optional fail", checks answer yes/no.
 * Pure: results in, verdicts and counts out.
 */
import { z } from 'zod';
import type { CacheTest } from './suite.js';

/** One test's raw result in the CLI's JSON: true, or [error name, message]. */
export type RawResult = true | readonly [string, string];

/** What the CLI printed: test id → result. Anything else in it is an error. */
export const rawResultsSchema = z.record(
  z.string(),
  z.union([z.literal(true), z.tuple([z.string(), z.string()]).readonly()]),
);

/** The verdicts of cache-tests.fyi. */
export type Verdict =
  'pass' | 'fail' | 'optional fail' | 'yes' | 'no' | 'setup fail' | 'retry' | 'dependency fail' | 'untested';

/** One test's verdict with the message the run gave for it. */
export interface TestVerdict {
  readonly test: CacheTest;
  readonly verdict: Verdict;
  /** The failure message, when the run gave one. */
  readonly message: string | undefined;
  /** For 'dependency fail': the first dependency that did not pass. */
  readonly failedDependency?: string;
}

/** Passed out of all, for one kind of test. */
export interface KindScore {
  readonly passed: number;
  readonly total: number;
}

/** The whole run's score. */
export interface Score {
  readonly verdicts: readonly TestVerdict[];
  readonly required: KindScore;
  readonly optimal: KindScore;
  /** Checks answered "yes" (not a pass or a failure: a behaviour noted). */
  readonly check: KindScore;
  /** Tests passed (required and optimal passes plus checks answered yes) out of every test. */
  readonly all: KindScore;
}

function ownVerdict(test: CacheTest, result: RawResult | undefined): Verdict {
  if (result === undefined) return 'untested';
  if (result !== true && result[0] === 'Setup') return result[1] === 'retry' ? 'retry' : 'setup fail';
  if (test.kind === 'check') return result === true ? 'yes' : 'no';
  if (result === true) return 'pass';
  return test.kind === 'optimal' ? 'optional fail' : 'fail';
}

/** Scores `results` (the CLI's JSON, parsed) against the suite's `tests`. */
export function scoreResults(
  tests: readonly CacheTest[],
  results: Readonly<Record<string, RawResult>>,
): Score {
  const byId = new Map(tests.map((t) => [t.id, t]));
  const memo = new Map<string, Verdict>();
  const failedDependencyOf = (test: CacheTest, seen: ReadonlySet<string>): string | undefined =>
    test.dependsOn.find((dep) => {
      const d = byId.get(dep);
      // An unknown or circular dependency cannot pass.
      const v = d === undefined || seen.has(dep) ? 'untested' : verdictOf(d, new Set([...seen, dep]));
      return v !== 'pass' && v !== 'yes';
    });
  const verdictOf = (test: CacheTest, seen: ReadonlySet<string>): Verdict => {
    const known = memo.get(test.id);
    if (known !== undefined) return known;
    const verdict =
      failedDependencyOf(test, seen) === undefined ? ownVerdict(test, results[test.id]) : 'dependency fail';
    memo.set(test.id, verdict);
    return verdict;
  };
  const verdicts = tests.map((test): TestVerdict => {
    const r = results[test.id];
    const verdict = verdictOf(test, new Set([test.id]));
    const dep = verdict === 'dependency fail' ? failedDependencyOf(test, new Set([test.id])) : undefined;
    return {
      test,
      verdict,
      message: r === undefined || r === true ? undefined : `${r[0]}: ${r[1]}`,
      ...(dep === undefined ? {} : { failedDependency: dep }),
    };
  });
  const count = (kind: CacheTest['kind'], ok: Verdict): KindScore => {
    const of = verdicts.filter((v) => v.test.kind === kind);
    return { passed: of.filter((v) => v.verdict === ok).length, total: of.length };
  };
  const required = count('required', 'pass');
  const optimal = count('optimal', 'pass');
  const check = count('check', 'yes');
  return {
    verdicts,
    required,
    optimal,
    check,
    all: {
      passed: required.passed + optimal.passed + check.passed,
      total: required.total + optimal.total + check.total,
    },
  };
}

/** One line: `required 85/165, optimal 40/95, checks yes 30/90, all 155/350`. */
export function formatScore(score: Score): string {
  const f = (k: KindScore): string => `${k.passed}/${k.total}`;
  return `required ${f(score.required)}, optimal ${f(score.optimal)}, checks yes ${f(score.check)}, all ${f(score.all)}`;
}

/** The required tests that did not pass, one block each: id, verdict, suite, description, message. */
export function formatRequiredFailures(score: Score): string {
  return score.verdicts
    .filter((v) => v.test.kind === 'required' && v.verdict !== 'pass')
    .map((v) =>
      [
        `${v.test.id} [${v.verdict}${v.failedDependency === undefined ? '' : ` on ${v.failedDependency}`}] (${v.test.suite})`,
        `  ${v.test.name}`,
        ...(v.message === undefined ? [] : [`  ${v.message.replace(/\s+/g, ' ').slice(0, 500)}`]),
      ].join('\n'),
    )
    .join('\n');
}
