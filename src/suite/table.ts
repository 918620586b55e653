/**
 * The start-up table `outpost serve` prints: every service, its address and TLS mode, then the
 * demo credentials generated on this start. Plain text, aligned columns, no colours (it is read
 * by people and by the test that runs the README's first line).
 */
import type { Endpoint } from '../core/service/service.js';
import type { Credential } from './suite.js';

/** Formats the services table and credentials. */
export function formatStartupTable(
  endpoints: readonly Endpoint[],
  credentials: readonly Credential[],
  notes: readonly string[] = [],
): string {
  const lines: string[] = [];
  if (endpoints.length === 0) {
    lines.push('No services are enabled.');
  } else {
    const rows = [
      ['SERVICE', 'TRANSPORT', 'ADDRESS', 'TLS', ''],
      ...endpoints.map((e) => [e.service, e.transport, formatHostPort(e.host, e.port), e.tls, e.note ?? '']),
    ];
    const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length))) ?? [];
    for (const row of rows)
      lines.push(
        '  ' +
          row
            .map((cell, col) => cell.padEnd(widths[col] ?? 0))
            .join('  ')
            .trimEnd(),
      );
  }
  if (credentials.length > 0) lines.push('', formatCredentials(credentials));
  for (const note of notes) lines.push('', note);
  return lines.join('\n');
}

/** Generated passwords, shown once (`outpost serve` on first start, `outpost config init`). */
export function formatCredentials(credentials: readonly Credential[]): string {
  return [
    'Demo accounts (passwords are shown only now and stored hashed):',
    ...credentials.map((c) => `  ${c.address}  password: ${c.password}`),
  ].join('\n');
}

/**
 * The note on the development certificate: where it is and the NODE_EXTRA_CA_CERTS line that
 * makes Node programs (nodemailer, undici, tls, basic-ftp, scripts) trust it.
 */
export function devCertificateNote(path: string): string {
  return [
    `TLS uses the self-signed development certificate ${path}.`,
    'Node.js clients on this machine trust it with:',
    `  export NODE_EXTRA_CA_CERTS=${path}`,
    '(outpost mail send and outpost http trust it on loopback when they find this data directory.)',
  ].join('\n');
}

/** `127.0.0.1:25` or `[::1]:25`. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
