/**
 * The plain-text summary printed at the end of a benchmark: one row per server with its median,
 * the spread of its rounds and its ratio to the reference server, then the named ratios and
 * whether each target is met.
 */
import type { BenchReport } from './report.js';

/** Thousands-separated integer, or "n/a". */
export function formatNumber(n: number | null): string {
  return n === null || !Number.isFinite(n) ? 'n/a' : Math.round(n).toLocaleString('en-US');
}

function formatRatio(r: number | null): string {
  return r === null ? 'n/a' : `${r.toFixed(2)}x`;
}

function pad(cells: readonly string[], widths: readonly number[], right: readonly boolean[]): string {
  return cells
    .map((c, i) => (right[i] === true ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
    .join('  ')
    .trimEnd();
}

/** The summary table as text (ends with a newline). */
export function formatTable(report: BenchReport): string {
  const ref = report.subjects.find((s) => s.name === report.reference)?.median ?? null;
  const header = ['server', 'what', `median ${report.unit}`, 'min-max', `vs ${report.reference}`, 'status'];
  const rows = report.subjects.map((s) => [
    s.name,
    s.label,
    formatNumber(s.median),
    s.min === null || s.max === null ? '' : `${formatNumber(s.min)}-${formatNumber(s.max)}`,
    formatRatio(s.median === null || ref === null || ref === 0 ? null : s.median / ref),
    s.status === 'ok' ? 'ok' : `${s.status}: ${(s.reason ?? '').split('\n')[0] ?? ''}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const right = [false, false, true, true, true, false];
  const lines = [
    pad(header, widths, right),
    pad(
      widths.map((w) => '-'.repeat(w)),
      widths,
      right,
    ),
  ];
  for (const r of rows) lines.push(pad(r, widths, right));
  if (report.ratios.length > 0) {
    lines.push('', 'ratios of the medians:');
    for (const r of report.ratios) {
      const rounds =
        r.perRound.length < 2
          ? ''
          : `  (within each round: ${r.perRound.map((x) => x.toFixed(2)).join(', ')})`;
      lines.push(`  ${`${r.numerator}/${r.denominator}`.padEnd(20)} = ${formatRatio(r.value)}${rounds}`);
    }
  }
  if (report.targets.length > 0) {
    lines.push('', 'targets:');
    for (const t of report.targets) {
      const verdict = t.met === null ? 'UNKNOWN (no figure)' : t.met ? 'MET' : 'NOT MET';
      lines.push(`  ${t.description}: ${formatRatio(t.value)} (need >= ${t.atLeast}x) ${verdict}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
