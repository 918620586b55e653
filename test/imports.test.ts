// Imports point one way (docs/architecture.md): cli -> suite -> protocol families -> core. A family
// (dns, http, admin, mail, pop3, imap, ftp, telnet, and outpost/testing) never imports src/suite/ (testing may
// start a Suite, which is its job), and reaches another family only through that family's public
// `index.ts`, never its internals. This reads every relative import under src/ and checks it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { sourceFiles } from './helpers/source-files.js';

const SRC = resolve('src');
/** Directories under src/ that may import anything (they assemble the families). */
const ASSEMBLERS = new Set(['cli', 'suite', 'world']);

/** Relative module specifiers of `text`: static imports and exports, and dynamic import(). */
function relativeImports(text: string): string[] {
  const specifiers: string[] = [];
  for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)'(\.{1,2}\/[^']+)'/g)) {
    specifiers.push(match[1]!);
  }
  return specifiers;
}

/** What is wrong with `file` importing `specifier`, or null. Paths relative to src/. */
function importViolation(file: string, specifier: string): string | null {
  const from = relative(SRC, file).split('/');
  const to = relative(SRC, resolve(dirname(file), specifier)).split('/');
  const fromFamily = from.length > 1 ? from[0]! : '';
  const toFamily = to.length > 1 ? to[0]! : '';
  if (fromFamily === '' || ASSEMBLERS.has(fromFamily)) return null;
  if (toFamily === fromFamily || toFamily === 'core') return null;
  if (toFamily === 'suite') {
    return fromFamily === 'testing' && to.join('/') === 'suite/suite.js' ? null : 'imports the suite';
  }
  if (toFamily === '' || toFamily === 'cli') return `imports ${to.join('/')}`;
  if (to.length === 2 && to[1] === 'index.js') return null;
  return `reaches into ${toFamily}'s internals (use src/${toFamily}/index.ts)`;
}

test('families import core, their own files, and other families only through their index.ts', () => {
  const violations: string[] = [];
  for (const file of sourceFiles(SRC)) {
    for (const specifier of relativeImports(readFileSync(file, 'utf8'))) {
      const problem = importViolation(file, specifier);
      if (problem !== null) violations.push(`${relative(SRC, file)}: '${specifier}' ${problem}`);
    }
  }
  assert.deepEqual(violations, []);
});

test('the import check catches what it is there to catch', () => {
  const at = (path: string): string => join(SRC, path);
  assert.equal(importViolation(at('pop3/service.ts'), '../mail/index.js'), null);
  assert.equal(importViolation(at('pop3/service.ts'), '../core/service/service.js'), null);
  assert.equal(importViolation(at('cli/queue.ts'), '../mail/store/sqlite-store.js'), null);
  assert.equal(importViolation(at('pop3/service.ts'), '../suite/service.js'), 'imports the suite');
  assert.equal(importViolation(at('mail/service/x.ts'), '../../suite/suite.js'), 'imports the suite');
  assert.match(importViolation(at('pop3/server.ts'), '../mail/store/types.js') ?? '', /mail's internals/);
  assert.match(importViolation(at('mail/queue/mx.ts'), '../../dns/client/query.js') ?? '', /dns's internals/);
  assert.match(importViolation(at('ftp/x.ts'), '../cli/ftp.js') ?? '', /imports cli/);
  assert.deepEqual(
    relativeImports(`import a from './a.js';\nexport * from '../b/index.js';\nawait import('./c.js');`),
    ['./a.js', '../b/index.js', './c.js'],
  );
});
