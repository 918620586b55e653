/**
 * Root hints in named.root format: IANA's layout parses (NS, A and AAAA with long TTLs), files
 * without a usable root server or with syntax errors are refused with the file named, and the
 * loopback test decides whether loopback upstreams are allowed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCodes, OutpostError } from '../../../src/core/errors.js';
import { hintsAreLoopback, parseRootHints } from '../../../src/dns/resolver/root-hints.js';

/** The shape of IANA's named.root (addresses from the documentation ranges). */
const IANA_LIKE = `;       This file holds the information on root name servers needed to
;       initialize cache of Internet domain name servers
.                        3600000      NS    A.ROOT-SERVERS.NET.
A.ROOT-SERVERS.NET.      3600000      A     192.0.2.4
A.ROOT-SERVERS.NET.      3600000      AAAA  2001:db8::4
;
.                        3600000      NS    B.ROOT-SERVERS.NET.
B.ROOT-SERVERS.NET.      3600000      A     198.51.100.201
; End of file
`;

const refused = (text: string, pattern: RegExp): void => {
  assert.throws(
    () => parseRootHints(text, 'hints.file'),
    (err: unknown) =>
      err instanceof OutpostError && err.code === ErrorCodes.CONFIG_INVALID && pattern.test(err.message),
  );
};

describe('root hints', () => {
  it('parses named.root', () => {
    const hints = parseRootHints(IANA_LIKE);
    assert.equal(hints.ns.length, 2);
    assert.equal(hints.addresses.length, 3);
    assert.equal(hintsAreLoopback(hints), false);
    assert.equal(hintsAreLoopback(parseRootHints('. NS a.test.\na.test. A 127.53.0.1\n')), true);
  });

  it('refuses files without a root server address, and syntax errors', () => {
    refused('. 3600 NS a.test.\n', /hints\.file: need at least one/);
    refused('a.test. 3600 A 192.0.2.1\n', /need at least one/);
    refused('. 3600 NS a.test.\na.test. 3600 A 999.1.1.1\n', /hints\.file:2/);
  });
});
