/**
 * The system's DNS servers from resolv.conf (resolv.conf(5)): `nameserver` lines in order, the
 * way dig picks its default server. Only what a stub needs is read; `search`, `domain` and
 * `options` are left to the callers that implement them.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';

/** What we take from resolv.conf. */
export interface ResolvConf {
  /** Server addresses (IPv4 or IPv6 literals, zone index kept) in file order. */
  readonly nameservers: readonly string[];
}

/** Parse resolv.conf text; malformed or non-literal `nameserver` lines are skipped, as libc does. */
export function parseResolvConf(text: string): ResolvConf {
  const nameservers: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [keyword, value] = line.split(/\s+/);
    if (keyword === 'nameserver' && value !== undefined && isIP(value) !== 0) nameservers.push(value);
  }
  return { nameservers };
}

/** Read and parse `path` (default /etc/resolv.conf); a missing file yields no servers. */
export async function readResolvConf(path = '/etc/resolv.conf'): Promise<ResolvConf> {
  try {
    return parseResolvConf(await readFile(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { nameservers: [] };
    throw err;
  }
}
