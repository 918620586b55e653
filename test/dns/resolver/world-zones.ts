/**
 * The fake world most iteration tests share: a root, the `test.` TLD, `example.test.` (two
 * servers), `other.test.` served from a glueless NS name in `net.`, and `dn.test.` with a
 * DNAME, each on its own 127.53.x.y address.
 */
import { FakeUpstream, SOA, zoneServer } from './fake-world.js';

export const ROOT = '127.53.0.1';
export const TLD = '127.53.1.1';
export const EXAMPLE1 = '127.53.2.1';
export const EXAMPLE2 = '127.53.2.2';
export const OTHER = '127.53.3.1';

export const rootZone = `${SOA('.')}
. 3600 NS a.root.test.
a.root.test. 3600 A ${ROOT}
test. 3600 NS ns1.nic.test.
ns1.nic.test. 3600 A ${TLD}
net. 3600 NS ns1.nic.test.
`;

export const netZone = `${SOA('net.')}
net. 3600 NS ns1.nic.test.
ns.dns.net. 3600 A ${OTHER}
`;

export const tldZone = `${SOA('test.')}
test. 3600 NS ns1.nic.test.
ns1.nic.test. 3600 A ${TLD}
root.test. 3600 NS ns1.nic.test.
example.test. 3600 NS ns1.example.test.
example.test. 3600 NS ns2.example.test.
ns1.example.test. 3600 A ${EXAMPLE1}
ns2.example.test. 3600 A ${EXAMPLE2}
other.test. 3600 NS ns.dns.net.
dn.test. 3600 NS ns1.example.test.
`;

export const exampleZone = `${SOA('example.test.')}
example.test. 3600 NS ns1.example.test.
example.test. 3600 NS ns2.example.test.
example.test. 3600 MX 10 mail.example.test.
ns1.example.test. 3600 A ${EXAMPLE1}
ns2.example.test. 3600 A ${EXAMPLE2}
www.example.test. 300 A 192.0.2.1
www.example.test. 300 TXT "hello"
mail.example.test. 300 A 192.0.2.25
alias.example.test. 300 CNAME www.example.test.
far.example.test. 300 CNAME www.other.test.
loop1.example.test. 300 CNAME loop2.example.test.
loop2.example.test. 300 CNAME loop1.example.test.
a.b.c.deep.example.test. 300 A 192.0.2.99
`;

export const otherZone = `${SOA('other.test.')}
other.test. 3600 NS ns.dns.net.
www.other.test. 300 A 198.51.100.7
`;

export const dnZone = `${SOA('dn.test.')}
dn.test. 3600 NS ns1.example.test.
old.dn.test. 300 DNAME example.test.
`;

/** A fresh world with every server answering from its zone. */
export function world(): FakeUpstream {
  const up = new FakeUpstream();
  up.servers.set(ROOT, zoneServer(['.', rootZone]));
  up.servers.set(TLD, zoneServer(['test.', tldZone], ['net.', netZone]));
  const example = zoneServer(['example.test.', exampleZone], ['dn.test.', dnZone]);
  up.servers.set(EXAMPLE1, example);
  up.servers.set(EXAMPLE2, example);
  up.servers.set(OTHER, zoneServer(['other.test.', otherZone]));
  return up;
}
