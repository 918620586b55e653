// Makes a clone runnable: installs npm dependencies exactly as locked (npm ci) when node_modules
// is missing or was installed from another package-lock.json, then builds. Used by `npm start`
// and `npm run test:all` so both README lines work on a fresh clone. OUTPOST_NO_INSTALL=1 skips
// the install (the test that runs README's first line sets it: an npm ci in the middle of a test
// run would pull node_modules from under the other tests).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execSync } from 'node:child_process';

const lockHash = createHash('sha256').update(readFileSync('package-lock.json')).digest('hex');
const stamp = 'node_modules/.outpost-lock-hash';
const current = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';
if (current !== lockHash && process.env.OUTPOST_NO_INSTALL !== '1') {
  console.error('outpost: installing npm dependencies (npm ci)…');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
  writeFileSync(stamp, lockHash + '\n');
}
execSync('npx tsc -p tsconfig.build.json', { stdio: 'inherit' });
