/**
 * Wildcards per RFC 4592: synthesis only from the wildcard child of the closest encloser (§3.3.1),
 * never where the name or an empty non-terminal exists (§2.2.2), the owner of synthesised records
 * is the name asked for (§2.1.2), wildcard NODATA, multi-label matches, wildcard CNAMEs and MX
 * additional processing from synthesised answers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Authority } from '../../src/dns/authority/index.js';
import { Rcode, RRType } from '../../src/dns/index.js';
import {
  APEX_NS,
  APEX_NS_ADDRESSES,
  ask,
  fixtureAuthority,
  flags,
  lines,
  NEGATIVE_SOA,
  sections,
  zone,
} from './authority-helpers.js';

const auth = fixtureAuthority();

test('a name with no node matches the wildcard of its closest encloser; owner = qname', () => {
  const m = ask(auth, 'foo.wild.example.test.', RRType.A);
  assert.equal(flags(m), '0 qr aa rd');
  assert.deepEqual(sections(m), {
    an: ['foo.wild.example.test. 3600 IN A 192.0.2.200'],
    ns: APEX_NS,
    ar: APEX_NS_ADDRESSES,
  });
  assert.deepEqual(lines(ask(auth, 'foo.wild.example.test.', RRType.TXT).answers), [
    'foo.wild.example.test. 3600 IN TXT "wildcard"',
  ]);
});

test('the wildcard covers several labels below the closest encloser', () => {
  assert.deepEqual(lines(ask(auth, 'a.b.wild.example.test.', RRType.A).answers), [
    'a.b.wild.example.test. 3600 IN A 192.0.2.200',
  ]);
});

test('an existing name is never wildcard-matched, even for a type it lacks (wildcard not used)', () => {
  const m = ask(auth, 'exists.wild.example.test.', RRType.TXT);
  assert.equal(m.header.rcode, Rcode.NOERROR);
  assert.deepEqual(sections(m), { an: [], ns: NEGATIVE_SOA, ar: [] });
  assert.deepEqual(lines(ask(auth, 'exists.wild.example.test.', RRType.A).answers), [
    'exists.wild.example.test. 3600 IN A 192.0.2.201',
  ]);
});

test('below an existing name the closest encloser has no wildcard: NXDOMAIN', () => {
  const m = ask(auth, 'x.exists.wild.example.test.', RRType.A);
  assert.equal(m.header.rcode, Rcode.NXDOMAIN);
  assert.deepEqual(lines(m.authorities), NEGATIVE_SOA);
});

test('an empty non-terminal blocks the wildcard above it (RFC 4592 §2.2.2)', () => {
  // a.b.c exists, so b.c is an ENT: b.c is NODATA and x.b.c is NXDOMAIN although *.c exists.
  const ent = ask(auth, 'b.c.example.test.', RRType.A);
  assert.equal(ent.header.rcode, Rcode.NOERROR);
  assert.deepEqual(sections(ent), { an: [], ns: NEGATIVE_SOA, ar: [] });
  const below = ask(auth, 'x.b.c.example.test.', RRType.A);
  assert.equal(below.header.rcode, Rcode.NXDOMAIN);
  assert.deepEqual(lines(below.authorities), NEGATIVE_SOA);
  // ...while a sibling of b.c is synthesised from *.c.
  assert.deepEqual(lines(ask(auth, 'zz.c.example.test.', RRType.A).answers), [
    'zz.c.example.test. 3600 IN A 192.0.2.211',
  ]);
  // c itself is an ENT: NODATA, not a wildcard match.
  assert.deepEqual(sections(ask(auth, 'c.example.test.', RRType.A)), { an: [], ns: NEGATIVE_SOA, ar: [] });
});

test('wildcard NODATA: the SOA, NOERROR, nothing synthesised', () => {
  const m = ask(auth, 'foo.wild.example.test.', RRType.AAAA);
  assert.equal(flags(m), '0 qr aa rd');
  assert.deepEqual(sections(m), { an: [], ns: NEGATIVE_SOA, ar: [] });
});

test('the wildcard owner itself is an ordinary name', () => {
  assert.deepEqual(lines(ask(auth, '*.wild.example.test.', RRType.A).answers), [
    '*.wild.example.test. 3600 IN A 192.0.2.200',
  ]);
});

test('a synthesised MX gets its additional addresses', () => {
  const m = ask(auth, 'foo.wild.example.test.', RRType.MX);
  assert.deepEqual(sections(m), {
    an: ['foo.wild.example.test. 3600 IN MX 10 mail.example.test.'],
    ns: APEX_NS,
    ar: [
      'mail.example.test. 3600 IN A 192.0.2.25',
      ...APEX_NS_ADDRESSES.slice(0, 2),
      'mail.example.test. 3600 IN AAAA 2001:db8::25',
      APEX_NS_ADDRESSES[2] ?? '',
    ],
  });
});

test('ANY at a wildcard: one synthesised RRset', () => {
  assert.deepEqual(lines(ask(auth, 'any.wild.example.test.', RRType.ANY).answers), [
    'any.wild.example.test. 3600 IN A 192.0.2.200',
  ]);
});

test('0x20 with a wildcard: owner spelled as asked, the rest under the closest encloser too', () => {
  const m = ask(auth, 'Foo.Wild.Example.TEST.', RRType.A);
  assert.deepEqual(lines(m.answers), ['Foo.Wild.Example.TEST. 3600 IN A 192.0.2.200']);
  assert.equal(m.authorities[0]?.name, 'Example.TEST.');
});

test('wildcard CNAME: synthesised with owner = qname, then followed', () => {
  const a = new Authority([zone('w.test', '*.alias CNAME www\nwww A 192.0.2.80\n')]);
  const m = ask(a, 'x.alias.w.test.', RRType.A);
  assert.deepEqual(lines(m.answers), [
    'x.alias.w.test. 300 IN CNAME www.w.test.',
    'www.w.test. 300 IN A 192.0.2.80',
  ]);
  assert.deepEqual(lines(m.authorities), ['w.test. 300 IN NS ns.w.test.']);
});

test('a wildcard CNAME pointing into its own wildcard stops at the repeat (NSD counts the qname apart)', () => {
  const a = new Authority([zone('w.test', '*.loop CNAME x.loop\n')]);
  const m = ask(a, 'x.loop.w.test.', RRType.A);
  assert.equal(flags(m), '0 qr aa rd');
  assert.deepEqual(lines(m.answers), [
    'x.loop.w.test. 300 IN CNAME x.loop.w.test.',
    'x.loop.w.test. 300 IN CNAME x.loop.w.test.',
  ]);
  assert.deepEqual(m.authorities, []);
});

test('an apex wildcard serves names of any depth that do not exist', () => {
  const a = new Authority([zone('w.test', '* TXT "apex"\nreal.x TXT "deep"\n')]);
  assert.deepEqual(lines(ask(a, 'nothing.w.test.', RRType.TXT).answers), [
    'nothing.w.test. 300 IN TXT "apex"',
  ]);
  assert.deepEqual(lines(ask(a, 'a.b.c.w.test.', RRType.TXT).answers), ['a.b.c.w.test. 300 IN TXT "apex"']);
  // x exists (an ENT) so names below it are NXDOMAIN, and x itself NODATA.
  assert.equal(ask(a, 'q.x.w.test.', RRType.TXT).header.rcode, Rcode.NXDOMAIN);
  assert.equal(ask(a, 'x.w.test.', RRType.TXT).answers.length, 0);
});
