/**
 * A dependency-free SVG bar chart of a benchmark report: one horizontal bar per server at its
 * median, a thin whisker across the min-max of its rounds, the figure and the ratio to the
 * reference at the bar's end, and the machine and settings in the caption. Servers without a
 * figure get a labelled empty row.
 */
import type { BenchReport } from './report.js';
import { formatNumber } from './table.js';

const WIDTH = 820;
const LABEL_W = 290;
const VALUE_W = 150;
const ROW_H = 36;
const TOP = 58;
const COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1'];

function esc(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function text(x: number, y: number, body: string, attrs = ''): string {
  return `<text x="${x}" y="${y}" ${attrs}>${esc(body)}</text>`;
}

/** Render the report as an SVG document. */
export function renderChart(report: BenchReport): string {
  const subjects = report.subjects;
  const max = Math.max(1, ...subjects.map((s) => s.max ?? s.median ?? 0));
  const plotW = WIDTH - LABEL_W - VALUE_W;
  const scale = (v: number): number => (v / max) * plotW;
  const ref = subjects.find((s) => s.name === report.reference)?.median ?? null;
  const height = TOP + subjects.length * ROW_H + 76;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    text(16, 26, report.title, 'font-size="17" font-weight="bold"'),
    text(16, 46, `median ${report.unit} over the rounds (higher is better); whisker: min-max`, 'fill="#555"'),
  ];
  subjects.forEach((s, i) => {
    const y = TOP + i * ROW_H;
    const mid = y + ROW_H / 2;
    parts.push(text(LABEL_W - 10, mid - 2, s.name, 'text-anchor="end" font-weight="bold"'));
    parts.push(text(LABEL_W - 10, mid + 12, s.label, 'text-anchor="end" fill="#555" font-size="11"'));
    if (s.median === null) {
      parts.push(text(LABEL_W + 6, mid + 4, s.status, 'fill="#999" font-style="italic"'));
      return;
    }
    const w = Math.max(1, scale(s.median));
    const color = COLORS[i % COLORS.length] ?? '#4e79a7';
    parts.push(
      `<rect x="${LABEL_W}" y="${y + 6}" width="${w.toFixed(1)}" height="${ROW_H - 12}" fill="${color}"/>`,
    );
    if (s.min !== null && s.max !== null && s.max > s.min) {
      const x1 = LABEL_W + scale(s.min);
      const x2 = LABEL_W + scale(s.max);
      parts.push(
        `<path d="M${x1.toFixed(1)} ${mid}H${x2.toFixed(1)}M${x1.toFixed(1)} ${mid - 5}v10M${x2.toFixed(1)} ${mid - 5}v10" stroke="#222" stroke-width="1.5" fill="none"/>`,
      );
    }
    const ratio = ref === null || ref === 0 ? '' : `  (${(s.median / ref).toFixed(2)}x)`;
    const end = LABEL_W + Math.max(w, s.max === null ? 0 : scale(s.max));
    parts.push(text(Math.round(end + 8), mid + 4, `${formatNumber(s.median)}${ratio}`));
  });
  const m = report.machine;
  const foot = TOP + subjects.length * ROW_H + 22;
  parts.push(
    text(
      16,
      foot,
      `${report.startedAt} · ${m.cores} cores (${m.cpuModel}) · load ${m.loadAvg.join(' ')} before, ${report.loadAvgAfter.join(' ')} after · Node ${m.node}`,
      'fill="#555" font-size="11"',
    ),
    text(
      16,
      foot + 16,
      `ratios in parentheses are against ${report.reference}; ${report.pinned ? 'server on core 0, load tool on core 1' : 'NOT pinned'}`,
      'fill="#555" font-size="11"',
    ),
    text(
      16,
      foot + 32,
      Object.entries(report.settings)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join('  '),
      'fill="#555" font-size="11"',
    ),
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}
