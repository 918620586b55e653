/**
 * The http-cache-tests suite (npm `http-cache-tests`, cache-tests.fyi) as this harness sees it:
 * where the package is, its version, and its test definitions (the same list its CLI runs: every
 * suite of tests/index.mjs plus surrogate-control), checked against the few fields scoring reads.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';

/** The package's directory (node_modules/http-cache-tests). */
export const SUITE_DIR = dirname(createRequire(import.meta.url).resolve('http-cache-tests/package.json'));

/** The installed version (pinned in package.json). */
export function suiteVersion(): string {
  const pkg = JSON.parse(readFileSync(join(SUITE_DIR, 'package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '?';
}

const testSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  kind: z.enum(['required', 'optimal', 'check']).optional(),
  depends_on: z.array(z.string()).optional(),
  browser_only: z.boolean().optional(),
});

const suiteSchema = z.object({
  id: z.string(),
  name: z.string(),
  tests: z.array(testSchema),
});

/** One test as the CLI runs it. */
export interface CacheTest {
  readonly id: string;
  /** Its one-line description (markdown). */
  readonly name: string;
  /** `required` when the definition names none, as the suite's own scoring does. */
  readonly kind: 'required' | 'optimal' | 'check';
  readonly dependsOn: readonly string[];
  /** The suite (group) it belongs to, e.g. "Cache-Control Freshness". */
  readonly suite: string;
}

async function importDefault(file: string): Promise<unknown> {
  const mod = (await import(pathToFileURL(join(SUITE_DIR, file)).href)) as { default?: unknown };
  return mod.default;
}

/** Every test the CLI runs against a proxy (browser-only ones left out, as the CLI does). */
export async function loadCacheTests(): Promise<CacheTest[]> {
  const index = z.array(suiteSchema).parse(await importDefault('tests/index.mjs'));
  const surrogate = suiteSchema.parse(await importDefault('tests/surrogate-control.mjs'));
  const out: CacheTest[] = [];
  for (const s of [...index, surrogate]) {
    for (const t of s.tests) {
      if (t.browser_only === true) continue;
      out.push({
        id: t.id,
        name: t.name,
        kind: t.kind ?? 'required',
        dependsOn: t.depends_on ?? [],
        suite: s.name,
      });
    }
  }
  return out;
}
