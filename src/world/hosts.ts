/**
 * The host table `outpost world` prints: every endpoint of every suite with the host names its
 * address has in the world's zones (A records, read from the zone files the world serves), the
 * role, and the suite (and so the data directory) it belongs to. Plain aligned text.
 */
import { readFileSync } from 'node:fs';
import { parseZone } from '../dns/index.js';
import type { Endpoint } from '../core/service/service.js';
import type { OutpostConfig } from '../core/config/schema.js';

/** One row: a listening endpoint of one suite. */
export interface WorldHostRow {
  readonly host: string;
  readonly address: string;
  readonly role: string;
  readonly suite: string;
}

/** Address → host names (without the final dot), from the A records of every zone the configs serve. */
export function hostNames(configs: readonly OutpostConfig[]): Map<string, string[]> {
  const names = new Map<string, string[]>();
  for (const config of configs) {
    for (const zone of config.dns?.zones ?? []) {
      if (zone.file === undefined) continue;
      let text: string;
      try {
        text = readFileSync(zone.file, 'utf8');
      } catch {
        continue; // the DNS service reports it
      }
      for (const record of parseZone(text, { origin: zone.name, fileName: zone.file }).records) {
        if (record.data.type !== 'A') continue;
        const list = names.get(record.data.address) ?? [];
        const name = record.name.replace(/\.$/, '');
        if (!list.includes(name)) list.push(name);
        names.set(record.data.address, list);
      }
    }
  }
  return names;
}

/** What an endpoint does, in words. */
export function endpointRole(endpoint: Endpoint): string {
  const kind = endpoint.role ?? endpoint.note;
  const base = kind === undefined ? endpoint.service : `${endpoint.service} ${kind}`;
  return endpoint.tls === 'none' ? base : `${base} (${endpoint.tls === 'implicit' ? 'TLS' : 'STARTTLS'})`;
}

/** The rows for these suites' endpoints. */
export function worldHostRows(
  suites: readonly { name: string; config: OutpostConfig; endpoints: readonly Endpoint[] }[],
): WorldHostRow[] {
  const names = hostNames(suites.map((s) => s.config));
  return suites.flatMap((s) =>
    s.endpoints.map((e) => ({
      host: (names.get(e.host) ?? ['?']).join(', '),
      address: `${e.host}:${String(e.port)}`,
      role: endpointRole(e),
      suite: s.name,
    })),
  );
}

/** The rows as an aligned table. */
export function formatWorldTable(rows: readonly WorldHostRow[]): string {
  const cells = [
    ['HOST', 'ADDRESS', 'ROLE', 'SUITE (data dir)'],
    ...rows.map((r) => [r.host, r.address, r.role, r.suite]),
  ];
  const widths = [0, 1, 2, 3].map((col) => Math.max(...cells.map((row) => (row[col] ?? '').length)));
  return cells
    .map(
      (row) =>
        '  ' +
        row
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd(),
    )
    .join('\n');
}
