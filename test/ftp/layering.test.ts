// The FTP session's shape, checked on the sources: no runtime import cycle under src/ftp (the
// handlers reach the command table through the session context, not by importing it), and the
// session layer (src/ftp/session/) imports no socket or filesystem module at runtime: sockets are
// the DataChannel's (server/data-channel.ts) and the disk is UserFs's (server/user-fs.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { sourceFiles } from '../helpers/source-files.js';

const FTP = resolve('src/ftp');

/** Module specifiers `text` imports or re-exports at runtime (type-only imports left out). */
function runtimeImports(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?([^;]*?)\s*from\s*'([^']+)'/gms)) {
    if (m[1] !== undefined) continue;
    const clause = m[2] ?? '';
    const braces = /\{([^}]*)\}/.exec(clause);
    const outsideBraces = clause.replace(/\{[^}]*\}/, '').replace(/[\s,]/g, '');
    const names = (braces?.[1] ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== '');
    if (braces && outsideBraces === '' && names.every((n) => n.startsWith('type '))) continue;
    out.push(m[3] ?? '');
  }
  return out;
}

test('src/ftp has no runtime import cycle', () => {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(FTP)) {
    const deps = runtimeImports(readFileSync(file, 'utf8'))
      .filter((s) => s.startsWith('.'))
      .map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
    graph.set(file, deps);
  }
  assert.ok(graph.size > 20, 'the sources were read');
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const dep of graph.get(file) ?? []) {
      if (!graph.has(dep)) continue;
      if (state.get(dep) === 'open') {
        cycles.push([...stack.slice(stack.indexOf(dep)), dep].map((f) => relative(FTP, f)).join(' -> '));
      } else if (state.get(dep) === undefined) visit(dep);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (state.get(file) === undefined) visit(file);
  assert.deepEqual(cycles, []);
});

test('the FTP session layer imports no socket or filesystem module at runtime', () => {
  const forbidden = new Set(['node:fs', 'node:fs/promises', 'node:net', 'node:tls', 'node:dgram']);
  const found: string[] = [];
  const files = sourceFiles(join(FTP, 'session'));
  assert.ok(files.length >= 8, 'the session sources were read');
  for (const file of files) {
    for (const spec of runtimeImports(readFileSync(file, 'utf8'))) {
      if (forbidden.has(spec)) found.push(`${relative(FTP, file)}: ${spec}`);
    }
  }
  assert.deepEqual(found, []);
});
