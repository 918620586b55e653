/**
 * Writing a benchmark's outcome: `bench/results/<name>-<timestamp>.json` (the full report, every
 * round's tool output included) and a `.svg` chart beside it. bench/results/ is gitignored:
 * figures belong to the machine and moment they were measured on.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderChart } from './chart.js';
import type { MachineInfo } from './machine.js';
import type { BenchReport } from './report.js';
import { formatTable } from './table.js';

/** bench/results/ of this checkout. */
export const RESULTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** Write the JSON and SVG files and return their paths. */
export function writeResults(
  report: BenchReport,
  dir = RESULTS_DIR,
): { readonly json: string; readonly svg: string } {
  mkdirSync(dir, { recursive: true });
  const stamp = report.startedAt.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const base = join(dir, `${report.bench}-${stamp}`);
  const json = `${base}.json`;
  const svg = `${base}.svg`;
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(svg, renderChart(report));
  return { json, svg };
}

/** Writes a report's files, then prints its table and where the files went. */
export function publishReport(report: BenchReport, dir = RESULTS_DIR): void {
  const files = writeResults(report, dir);
  console.log(`\n${formatTable(report)}`);
  console.log(`results: ${files.json}\nchart:   ${files.svg}`);
}

/** The closing line every bench prints: the machine and its load before and after the run. */
export function machineSummary(machine: MachineInfo, loadAvgAfter: readonly number[]): string {
  return `machine: ${String(machine.cores)} cores, ${machine.cpuModel}; load average ${machine.loadAvg.join(' ')} before, ${loadAvgAfter.join(' ')} after`;
}
