/**
 * First run of `outpost world DIR`: writes DIR/world.toml and DIR/zones/ from a plan, then gives
 * each organisation's data directory its domain and user (alice@crepes.test, bob@hamburger.test)
 * with a generated password, stored hashed in that suite's accounts.db as `outpost serve` stores
 * its demo users, and returned so it is shown once. Nothing is written when world.toml exists.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generatePassword, openAccounts, type Credential } from '../suite/suite.js';
import { worldPlan, type WorldPlanOptions } from './plan.js';
import { parseWorldText, WORLD_FILE, worldFileText } from './world-file.js';
import { worldZoneFiles } from './zones.js';

/** What a generation did. */
export interface GeneratedWorld {
  readonly file: string;
  /** The users created, with their passwords (shown once, stored nowhere in clear). */
  readonly credentials: readonly Credential[];
}

/** Writes a new world into `dir` (created if needed); refuses when DIR/world.toml exists. */
export async function generateWorld(dir: string, options: WorldPlanOptions = {}): Promise<GeneratedWorld> {
  const root = resolve(dir);
  const file = join(root, WORLD_FILE);
  if (existsSync(file)) throw new Error(`${file} already exists`);
  const plan = worldPlan(options);
  const text = worldFileText(plan);
  const suites = parseWorldText(text, file);
  mkdirSync(join(root, 'zones'), { recursive: true });
  for (const [name, zone] of worldZoneFiles(plan)) writeFileSync(join(root, 'zones', name), zone);
  const credentials: Credential[] = [];
  for (const org of plan.orgs) {
    const suite = suites.find((s) => s.name === org.domain);
    if (suite === undefined) continue;
    const { db, accounts } = openAccounts(suite.config.data_dir);
    try {
      if (!(await accounts.hasDomain(org.domain))) await accounts.addDomain(org.domain);
      const address = `${org.user}@${org.domain}`;
      if ((await accounts.getUser(address)) === undefined) {
        const password = generatePassword();
        await accounts.addUser(address, { password });
        credentials.push({ address, password });
      }
    } finally {
      db.close();
    }
  }
  // Last, so an interrupted generation is redone on the next run.
  writeFileSync(file, text);
  return { file, credentials };
}
