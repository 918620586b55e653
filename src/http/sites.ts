/**
 * Virtual hosts: the sites from `[http]` (the default site: `root`, else <data_dir>/www with a
 * generated index page) and `[[http.sites]]`, looked up by the request's Host (exact name, then a
 * `*.example.test` wildcard, then the default site). Each site keeps its file cache across
 * reloads while its root stays the same.
 */
import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OutpostConfig } from '../core/config/schema.js';
import { FileCache } from './static/file-cache.js';

type HttpConfig = NonNullable<OutpostConfig['http']>;

/** One site. */
export interface Site {
  /** The host it answers for (lowercase), or '' for the default site. */
  readonly host: string;
  readonly root: string;
  readonly listing: boolean;
  /** Accounts allowed to write; `*` for any authenticated account; empty: read-only. */
  readonly writers: readonly string[];
  /** [prefix, Cache-Control value], longest prefix first. */
  readonly cacheControl: readonly (readonly [string, string])[];
  readonly cache: FileCache;
}

/** The per-site settings a caller gives (config or library). */
export interface SiteSettings {
  readonly host?: string;
  readonly root: string;
  readonly listing?: boolean;
  readonly writers?: readonly string[];
  readonly cacheControl?: Readonly<Record<string, string>>;
}

/** Sites by host. Immutable; reload builds a new table. */
export class SiteTable {
  readonly defaultSite: Site;
  readonly #byHost: ReadonlyMap<string, Site>;
  readonly #wildcards: readonly Site[];

  constructor(defaultSite: SiteSettings, sites: readonly SiteSettings[], previous?: SiteTable) {
    const reuse = new Map<string, FileCache>();
    for (const s of previous?.all() ?? []) reuse.set(s.cache.rootReal, s.cache);
    const make = (s: SiteSettings): Site => {
      mkdirSync(s.root, { recursive: true });
      const rootReal = realpathSync.native(s.root);
      return {
        host: (s.host ?? '').toLowerCase().replace(/\.$/, ''),
        root: rootReal,
        listing: s.listing ?? false,
        writers: s.writers ?? [],
        cacheControl: Object.entries(s.cacheControl ?? {}).sort((a, b) => b[0].length - a[0].length),
        cache: reuse.get(rootReal) ?? new FileCache(rootReal),
      };
    };
    this.defaultSite = make({ ...defaultSite, host: '' });
    const byHost = new Map<string, Site>();
    const wildcards: Site[] = [];
    for (const s of sites) {
      const site = make(s);
      if (site.host.startsWith('*.')) wildcards.push(site);
      else byHost.set(site.host, site);
    }
    this.#byHost = byHost;
    this.#wildcards = wildcards.sort((a, b) => b.host.length - a.host.length);
  }

  /** The site for a Host value (already lowercased, no port). */
  forHost(host: string): Site {
    const exact = this.#byHost.get(host);
    if (exact !== undefined) return exact;
    for (const w of this.#wildcards) if (host.endsWith(w.host.slice(1))) return w;
    return this.defaultSite;
  }

  /** Every site, default first. */
  all(): Site[] {
    return [this.defaultSite, ...this.#byHost.values(), ...this.#wildcards];
  }

  /** Builds the table from `[http]` (creating the default root with an index page if needed). */
  static fromConfig(config: OutpostConfig, previous?: SiteTable): SiteTable {
    const http: HttpConfig = config.http ?? {
      listen: [],
      tls_listen: [],
      listing: false,
      writers: [],
      cache_control: {},
      sites: [],
      h2c: false,
      max_body_size: 0,
    };
    const root = http.root ?? ensureDefaultRoot(config.data_dir, config.hostname);
    return new SiteTable(
      { root, listing: http.listing, writers: http.writers, cacheControl: http.cache_control },
      http.sites.map((s) => ({
        host: s.host,
        root: s.root,
        listing: s.listing,
        writers: s.writers,
        cacheControl: s.cache_control,
      })),
      previous,
    );
  }
}

/** Cache-Control for a URL path on a site, or undefined. */
export function cacheControlFor(site: Site, urlPath: string): string | undefined {
  for (const [prefix, value] of site.cacheControl) if (urlPath.startsWith(prefix)) return value;
  return undefined;
}

/** True when the site accepts writes at all. */
export function isWritable(site: Site): boolean {
  return site.writers.length > 0;
}

/** <data_dir>/www, created with a small index.html on first use. */
export function ensureDefaultRoot(dataDir: string, hostname: string): string {
  const root = join(dataDir, 'www');
  mkdirSync(root, { recursive: true });
  const index = join(root, 'index.html');
  if (!existsSync(index)) writeFileSync(index, defaultIndexHtml(hostname));
  return root;
}

function defaultIndexHtml(hostname: string): string {
  const safe = hostname.replace(/[^A-Za-z0-9.-]/g, '');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Outpost on ${safe}</title></head>
<body>
<h1>Outpost is serving ${safe}</h1>
<p>This page lives in the data directory's <code>www/</code> folder. Replace it, or set
<code>[http] root</code> in the configuration to serve your own site.</p>
<p><a href="/login">Sign in</a></p>
</body>
</html>
`;
}
