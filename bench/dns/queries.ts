/**
 * The query mix dnsperf replays, drawn from test/dns/fixtures/example.test.zone: mostly A and
 * AAAA for hosts, some MX/NS/SOA/TXT/SRV, CNAME chains, wildcard hits, a referral into the
 * delegated `sub`, NODATA answers and one query in eight NXDOMAIN (typos and stale names), with one
 * mixed-case name. Each line is `name TYPE`, the format dnsperf reads.
 */

/** [name, type] pairs with their weight (how many lines of the file they take). */
const MIX: readonly (readonly [string, string, number])[] = [
  ['www.example.test', 'A', 8],
  ['www.example.test', 'AAAA', 4],
  ['WwW.ExAmPle.TeSt', 'A', 1],
  ['example.test', 'A', 2],
  ['mail.example.test', 'A', 3],
  ['mail.example.test', 'AAAA', 1],
  ['mail2.example.test', 'A', 1],
  ['ns1.example.test', 'A', 2],
  ['ns2.example.test', 'A', 1],
  ['sip.example.test', 'A', 1],
  ['host.example.test', 'A', 1],
  ['example.test', 'MX', 2],
  ['example.test', 'NS', 1],
  ['example.test', 'SOA', 1],
  ['example.test', 'TXT', 1],
  ['txt.example.test', 'TXT', 1],
  ['_sip._tcp.example.test', 'SRV', 1],
  ['ftp.example.test', 'A', 2],
  ['alias1.example.test', 'A', 1],
  ['foo.wild.example.test', 'A', 1],
  ['bar.wild.example.test', 'MX', 1],
  ['exists.wild.example.test', 'A', 1],
  ['www.sub.example.test', 'A', 1],
  ['www.example.test', 'MX', 1],
  ['mail.example.test', 'TXT', 1],
  ['b.c.example.test', 'A', 1],
  ['ww.example.test', 'A', 2],
  ['wwww.example.test', 'AAAA', 1],
  ['old-mail.example.test', 'A', 1],
  ['missing.example.test', 'MX', 1],
  ['x.y.example.test', 'A', 1],
];

/** The query file's text: the weighted mix, interleaved so equal lines are not adjacent. */
export function queryFileText(): string {
  const lines: string[] = [];
  const remaining = MIX.map(([, , w]) => w);
  for (let left = true; left;) {
    left = false;
    MIX.forEach(([name, type], i) => {
      const n = remaining[i] ?? 0;
      if (n > 0) {
        lines.push(`${name} ${type}`);
        remaining[i] = n - 1;
        left = true;
      }
    });
  }
  return `${lines.join('\n')}\n`;
}
