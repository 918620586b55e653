// `npm run bench [-- NAME] [options]`: installs the benchmark peers (bench/install-peers.sh),
// makes sure dependencies are installed and Outpost is built, then runs bench/NAME.ts through tsx
// with the remaining options. Without a NAME it runs every bench in bench/*.ts except
// micro-benchmarks (files whose top comment starts with "Micro-benchmark"), one after another.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function run(command, args) {
  const r = spawnSync(command, args, { stdio: 'inherit' });
  return r.status ?? 1;
}

function isMicro(file) {
  return /^\/\*\*?\s*\n?\s*\*?\s*Micro-benchmark/i.test(readFileSync(file, 'utf8').slice(0, 400));
}

const benches = readdirSync('bench')
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();
const argv = process.argv.slice(2);
const named = argv[0] !== undefined && !argv[0].startsWith('-') ? argv[0] : undefined;
if (named !== undefined && !benches.includes(named)) {
  console.error(`run-bench: no bench/${named}.ts (have: ${benches.join(', ')})`);
  process.exit(2);
}
const selected = named !== undefined ? [named] : benches.filter((b) => !isMicro(join('bench', `${b}.ts`)));
const passThrough = named !== undefined ? argv.slice(1) : argv;

if (run('bash', ['bench/install-peers.sh']) !== 0) process.exit(1);

// A fresh clone (or a new dependency) needs npm ci; otherwise only rebuild, so a shared working
// tree's node_modules is never reinstalled under other people's feet.
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
if (deps.some((d) => !existsSync(join('node_modules', d)))) {
  if (run(process.execPath, ['scripts/ensure-deps.mjs']) !== 0) process.exit(1);
} else if (run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json']) !== 0) {
  console.error('run-bench: the build reported errors; Outpost runs from whatever dist/ holds');
}

let status = 0;
for (const bench of selected) {
  console.error(`\n== bench/${bench}.ts ${passThrough.join(' ')}`);
  const code = run(process.execPath, ['--import', 'tsx', join('bench', `${bench}.ts`), ...passThrough]);
  if (code !== 0) status = code;
}
process.exit(status);
