/**
 * Negative answers (RFC 2308): NXDOMAIN for names that do not exist, NODATA (NOERROR, empty
 * answer) for names that exist without the type; both AA with the zone's SOA in authority at TTL
 * min(SOA TTL, MINIMUM) (§3), and the same after a CNAME chain, where the SOA belongs to the zone
 * the chain ended in and the rcode is the final name's (RFC 6604 §2.1).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Authority } from '../../src/dns/authority/index.js';
import { Rcode, RRType } from '../../src/dns/index.js';
import {
  ask,
  fixtureAuthority,
  fixtureZone,
  flags,
  lines,
  NEGATIVE_SOA,
  sections,
  zone,
} from './authority-helpers.js';

const auth = fixtureAuthority();

test('NXDOMAIN: AA, no answer, the SOA with the negative TTL', () => {
  const m = ask(auth, 'nothing.example.test.', RRType.A);
  assert.equal(flags(m), '3 qr aa rd');
  assert.deepEqual(sections(m), { an: [], ns: NEGATIVE_SOA, ar: [] });
  assert.equal(m.authorities[0]?.ttl, 300);
});

test('NXDOMAIN several labels below an existing name', () => {
  const m = ask(auth, 'a.b.nothing.www.example.test.', RRType.TXT);
  assert.equal(m.header.rcode, Rcode.NXDOMAIN);
  assert.deepEqual(lines(m.authorities), NEGATIVE_SOA);
});

test('NODATA: NOERROR, AA, no answer, the SOA', () => {
  const m = ask(auth, 'www.example.test.', RRType.MX);
  assert.equal(flags(m), '0 qr aa rd');
  assert.deepEqual(sections(m), { an: [], ns: NEGATIVE_SOA, ar: [] });
});

test('NODATA at the apex and at a DNAME owner for other types', () => {
  assert.deepEqual(sections(ask(auth, 'example.test.', RRType.SRV)), { an: [], ns: NEGATIVE_SOA, ar: [] });
  assert.deepEqual(sections(ask(auth, 'dname.example.test.', RRType.A)), {
    an: [],
    ns: NEGATIVE_SOA,
    ar: [],
  });
});

test('meta and DNSSEC types we do not hold are NODATA', () => {
  for (const type of [RRType.RRSIG, RRType.NSEC, RRType.DS, RRType.MAILB, RRType.OPT, 0]) {
    const m = ask(auth, 'www.example.test.', type);
    assert.equal(m.header.rcode, Rcode.NOERROR, String(type));
    assert.deepEqual(lines(m.authorities), NEGATIVE_SOA, String(type));
  }
});

test('the negative TTL is the SOA TTL when that is lower than MINIMUM', () => {
  const a = new Authority([zone('low.test', '', 30)]); // SOA TTL 30, MINIMUM 60
  const m = ask(a, 'nothing.low.test.', RRType.A);
  assert.equal(m.authorities[0]?.ttl, 30);
  assert.equal(ask(a, 'low.test.', RRType.SOA).answers[0]?.ttl, 30, 'a positive SOA answer keeps its TTL');
});

test('after a CNAME into another zone: NXDOMAIN and that zone SOA (RFC 6604 §2.1)', () => {
  const other = zone('other.test', 'to-nx CNAME nope.example.test.\nto-nodata CNAME www.example.test.\n');
  const a = new Authority([fixtureZone(), other]);
  const nx = ask(a, 'to-nx.other.test.', RRType.A);
  assert.equal(flags(nx), '3 qr aa rd');
  assert.deepEqual(sections(nx), {
    an: ['to-nx.other.test. 300 IN CNAME nope.example.test.'],
    ns: NEGATIVE_SOA,
    ar: [],
  });
  const nodata = ask(a, 'to-nodata.other.test.', RRType.MX);
  assert.equal(flags(nodata), '0 qr aa rd');
  assert.deepEqual(sections(nodata), {
    an: ['to-nodata.other.test. 300 IN CNAME www.example.test.'],
    ns: NEGATIVE_SOA,
    ar: [],
  });
});

test('after a CNAME to an empty non-terminal: NODATA', () => {
  const a = new Authority([zone('e.test', 'alias CNAME b.c\na.b.c A 192.0.2.1\n')]);
  const m = ask(a, 'alias.e.test.', RRType.A);
  assert.equal(m.header.rcode, Rcode.NOERROR);
  assert.deepEqual(lines(m.answers), ['alias.e.test. 300 IN CNAME b.c.e.test.']);
  assert.equal(m.authorities[0]?.type, RRType.SOA);
});

test('0x20 in a negative answer: the SOA owner and names take the question spelling', () => {
  const m = ask(auth, 'Nothing.EXAMPLE.test.', RRType.A);
  assert.deepEqual(lines(m.authorities), [
    'EXAMPLE.test. 300 IN SOA ns1.EXAMPLE.test. hostmaster.EXAMPLE.test. 2024061501 7200 3600 1209600 300',
  ]);
});
