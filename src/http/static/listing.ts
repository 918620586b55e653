/**
 * Directory listings (when a site enables `listing`): an HTML page with one link per entry,
 * names escaped for HTML and percent-encoded for URLs; dot-files and upload temp files hidden.
 */
import { readdirSync } from 'node:fs';
import { HTTP_LIMITS } from '../limits.js';
import { encodeSegment, escapeHtml } from '../responses.js';

/** The listing page of `dir` shown at `urlPath` (which ends with '/'). */
export function listingHtml(dir: string, urlPath: string): string {
  const entries = readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.'))
    .slice(0, HTTP_LIMITS.maxListingEntries)
    .map((e) => ({ name: e.name, dir: e.isDirectory() }))
    .sort((a, b) => (a.dir === b.dir ? a.name.localeCompare(b.name) : a.dir ? -1 : 1));
  const title = escapeHtml(urlPath);
  const rows = entries.map((e) => {
    const href = encodeSegment(e.name) + (e.dir ? '/' : '');
    return `<li><a href="${href}">${escapeHtml(e.name)}${e.dir ? '/' : ''}</a></li>`;
  });
  const up = urlPath === '/' ? '' : '<li><a href="../">../</a></li>\n';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Index of ${title}</title></head>
<body>
<h1>Index of ${title}</h1>
<ul>
${up}${rows.join('\n')}
</ul>
</body>
</html>
`;
}
