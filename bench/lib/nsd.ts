/**
 * NSD's config file for a benchmark peer: its files in one directory, one address and port, no
 * chroot or privilege drop, one server process, response rate limiting off (Debian builds NSD
 * with RRL on; it would cap a load tool at a few thousand qps), and remote control either off or
 * on a unix socket (no keys: `nsd-control -c FILE stats` reads and resets the query counters).
 */

/** What one NSD serves and where. */
export interface NsdConfigSpec {
  /** Directory for the pid, state, zone list and log files (`<dir>.pid`, …). */
  readonly statePrefix: string;
  readonly zonesDir: string;
  readonly address: string;
  readonly port: number;
  /** [apex, absolute zone file] pairs. */
  readonly zones: readonly (readonly [string, string])[];
  /** Unix socket for nsd-control; remote control is off without one. */
  readonly controlSocket?: string;
}

/** The nsd.conf text for `spec`. */
export function nsdConfig(spec: NsdConfigSpec): string {
  const q = (s: string): string => JSON.stringify(s);
  const prefix = spec.statePrefix;
  return [
    'server:',
    `  ip-address: ${spec.address}@${String(spec.port)}`,
    `  port: ${String(spec.port)}`,
    '  do-ip6: no',
    '  username: ""',
    '  chroot: ""',
    `  zonesdir: ${q(spec.zonesDir)}`,
    `  pidfile: ${q(`${prefix}.pid`)}`,
    `  xfrdfile: ${q(`${prefix}-xfrd.state`)}`,
    `  zonelistfile: ${q(`${prefix}-zone.list`)}`,
    '  database: ""',
    `  logfile: ${q(`${prefix}.log`)}`,
    '  server-count: 1',
    '  verbosity: 1',
    '  rrl-ratelimit: 0',
    '  rrl-whitelist-ratelimit: 0',
    'remote-control:',
    ...(spec.controlSocket === undefined
      ? ['  control-enable: no']
      : ['  control-enable: yes', `  control-interface: ${q(spec.controlSocket)}`]),
    ...spec.zones.flatMap(([name, file]) => ['zone:', `  name: ${q(name)}`, `  zonefile: ${q(file)}`]),
    '',
  ].join('\n');
}
