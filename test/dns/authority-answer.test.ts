/**
 * Positive answers from the fixture zone (RFC 1034 §4.3.2 step 3a), section by section, as NSD
 * 4.x gives them: the answer RRset; the apex NS in authority (not for ANY/DS/DNSKEY, not twice);
 * in-zone addresses of NS/MX/SRV targets in additional, all A before all AAAA; CNAME chains inside
 * the zone and out of it; RFC 8482 minimal ANY; and the question's spelling echoed (DNS 0x20).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RRType } from '../../src/dns/index.js';
import {
  APEX_NS,
  APEX_NS_ADDRESSES,
  ask,
  fixtureAuthority,
  flags,
  lines,
  sections,
} from './authority-helpers.js';

const auth = fixtureAuthority();

test('exact match: the RRset, AA, apex NS in authority and their addresses in additional', () => {
  const m = ask(auth, 'www.example.test.', RRType.A);
  assert.equal(flags(m), '0 qr aa rd');
  assert.deepEqual(sections(m), {
    an: ['www.example.test. 3600 IN A 192.0.2.80', 'www.example.test. 3600 IN A 192.0.2.81'],
    ns: APEX_NS,
    ar: APEX_NS_ADDRESSES,
  });
  assert.deepEqual(m.questions, [{ name: 'www.example.test.', type: RRType.A, class: 1 }]);
  assert.equal(m.header.id, 0xbeef);
});

test('the reply copies RD and clears RA, AD, CD, Z (NSD)', () => {
  const noRd = ask(auth, 'www.example.test.', RRType.A, { header: { rd: false } });
  assert.equal(flags(noRd), '0 qr aa');
  const all = ask(auth, 'www.example.test.', RRType.A, {
    header: { ad: true, cd: true, z: true, ra: true, aa: true },
  });
  assert.equal(flags(all), '0 qr aa rd');
});

test('per-RRset TTLs are kept (ns2 300, mail2 600)', () => {
  const m = ask(auth, 'example.test.', RRType.MX);
  assert.deepEqual(sections(m), {
    an: ['example.test. 3600 IN MX 10 mail.example.test.', 'example.test. 3600 IN MX 20 mail2.example.test.'],
    ns: APEX_NS,
    ar: [
      'mail.example.test. 3600 IN A 192.0.2.25',
      'mail2.example.test. 600 IN A 192.0.2.26',
      'ns1.example.test. 3600 IN A 192.0.2.53',
      'ns2.example.test. 300 IN A 198.51.100.53',
      'mail.example.test. 3600 IN AAAA 2001:db8::25',
      'ns1.example.test. 3600 IN AAAA 2001:db8::53',
    ],
  });
});

test('an RRset already in the answer is not repeated in authority or additional', () => {
  const ns = ask(auth, 'example.test.', RRType.NS);
  assert.deepEqual(sections(ns), { an: APEX_NS, ns: [], ar: APEX_NS_ADDRESSES });
  const a = ask(auth, 'ns1.example.test.', RRType.A);
  assert.deepEqual(sections(a), {
    an: ['ns1.example.test. 3600 IN A 192.0.2.53'],
    ns: APEX_NS,
    ar: ['ns2.example.test. 300 IN A 198.51.100.53', 'ns1.example.test. 3600 IN AAAA 2001:db8::53'],
  });
});

test('SOA at the apex; SRV targets get addresses, out-of-zone targets do not', () => {
  const soa = ask(auth, 'example.test.', RRType.SOA);
  assert.deepEqual(lines(soa.answers), [
    'example.test. 3600 IN SOA ns1.example.test. hostmaster.example.test. 2024061501 7200 3600 1209600 300',
  ]);
  assert.deepEqual(lines(soa.authorities), APEX_NS);
  const srv = ask(auth, '_sip._tcp.example.test.', RRType.SRV);
  assert.deepEqual(sections(srv), {
    an: [
      '_sip._tcp.example.test. 3600 IN SRV 10 20 5060 sip.example.test.',
      '_sip._tcp.example.test. 3600 IN SRV 20 0 5060 sip-backup.example.net.',
    ],
    ns: APEX_NS,
    ar: ['sip.example.test. 3600 IN A 192.0.2.60', ...APEX_NS_ADDRESSES],
  });
});

test('other types: PTR, TXT, CAA, HINFO, RFC 3597 unknown and generic-syntax known types', () => {
  assert.deepEqual(lines(ask(auth, 'ptr.example.test.', RRType.PTR).answers), [
    'ptr.example.test. 3600 IN PTR www.example.test.',
  ]);
  assert.equal(ask(auth, 'txt.example.test.', RRType.TXT).answers.length, 3);
  assert.equal(ask(auth, 'example.test.', RRType.CAA).answers.length, 3);
  assert.equal(ask(auth, 'host.example.test.', RRType.HINFO).answers.length, 1);
  assert.deepEqual(lines(ask(auth, 'unknown.example.test.', 65280).answers), [
    'unknown.example.test. 3600 IN TYPE65280 \\# 4 0A000001',
  ]);
  assert.deepEqual(lines(ask(auth, 'generic-a.example.test.', RRType.A).answers), [
    'generic-a.example.test. 3600 IN A 192.0.2.2',
  ]);
  assert.equal(ask(auth, 'big.example.test.', RRType.A).answers.length, 30);
});

test('CNAME: the alias, then the target followed within the zone (RFC 1034 §4.3.2 step 3a)', () => {
  const m = ask(auth, 'ftp.example.test.', RRType.A);
  assert.equal(flags(m), '0 qr aa rd');
  assert.deepEqual(sections(m), {
    an: [
      'ftp.example.test. 3600 IN CNAME www.example.test.',
      'www.example.test. 3600 IN A 192.0.2.80',
      'www.example.test. 3600 IN A 192.0.2.81',
    ],
    ns: APEX_NS,
    ar: APEX_NS_ADDRESSES,
  });
});

test('CNAME chain of two links', () => {
  const m = ask(auth, 'alias1.example.test.', RRType.AAAA);
  assert.deepEqual(lines(m.answers), [
    'alias1.example.test. 3600 IN CNAME alias2.example.test.',
    'alias2.example.test. 3600 IN CNAME www.example.test.',
    'www.example.test. 3600 IN AAAA 2001:db8::80',
  ]);
});

test('CNAME out of our zones: only the CNAME, nothing in authority or additional', () => {
  const m = ask(auth, 'outside.example.test.', RRType.A);
  assert.equal(flags(m), '0 qr aa rd');
  assert.deepEqual(sections(m), {
    an: ['outside.example.test. 3600 IN CNAME www.example.net.'],
    ns: [],
    ar: [],
  });
});

test('a query for the CNAME type itself is answered, not followed', () => {
  const m = ask(auth, 'ftp.example.test.', RRType.CNAME);
  assert.deepEqual(sections(m), {
    an: ['ftp.example.test. 3600 IN CNAME www.example.test.'],
    ns: APEX_NS,
    ar: APEX_NS_ADDRESSES,
  });
});

test('CNAME to a name without the type: the chain, then NODATA with the SOA', () => {
  const m = ask(auth, 'ftp.example.test.', RRType.MX);
  assert.equal(flags(m), '0 qr aa rd');
  assert.deepEqual(lines(m.answers), ['ftp.example.test. 3600 IN CNAME www.example.test.']);
  assert.equal(m.authorities[0]?.type, RRType.SOA);
  assert.equal(m.authorities[0].ttl, 300);
});

test('ANY: one RRset per RFC 8482 §4.1, chosen as NSD does, without NS in authority', () => {
  const apex = ask(auth, 'example.test.', RRType.ANY);
  assert.deepEqual(sections(apex), {
    an: [
      'example.test. 3600 IN SOA ns1.example.test. hostmaster.example.test. 2024061501 7200 3600 1209600 300',
    ],
    ns: [],
    ar: [],
  });
  assert.deepEqual(lines(ask(auth, 'host.example.test.', RRType.ANY).answers), [
    'host.example.test. 3600 IN A 192.0.2.100',
  ]);
  assert.equal(ask(auth, 'txt.example.test.', RRType.ANY).answers.length, 3);
  assert.deepEqual(lines(ask(auth, 'ftp.example.test.', RRType.ANY).answers), [
    'ftp.example.test. 3600 IN CNAME www.example.test.',
  ]);
  const srv = ask(auth, '_sip._tcp.example.test.', RRType.ANY);
  assert.deepEqual(
    sections(srv).ar,
    ['sip.example.test. 3600 IN A 192.0.2.60'],
    'additional processing still runs',
  );
  assert.equal(ask(auth, 'b.c.example.test.', RRType.ANY).authorities[0]?.type, RRType.SOA);
});

test('DS and DNSKEY answers carry no NS in authority (NSD answer_needs_ns)', () => {
  const dnskey = ask(auth, 'example.test.', RRType.DNSKEY);
  assert.deepEqual(
    lines(dnskey.authorities).map((l) => l.split(' ')[3]),
    ['SOA'],
  );
});

test('0x20: the question is echoed exactly and names under the closest encloser take its spelling', () => {
  const m = ask(auth, 'WwW.ExAmPle.TeSt.', RRType.A);
  assert.deepEqual(m.questions[0]?.name, 'WwW.ExAmPle.TeSt.');
  assert.deepEqual(sections(m), {
    an: ['WwW.ExAmPle.TeSt. 3600 IN A 192.0.2.80', 'WwW.ExAmPle.TeSt. 3600 IN A 192.0.2.81'],
    ns: [
      'ExAmPle.TeSt. 3600 IN NS ns1.ExAmPle.TeSt.',
      'ExAmPle.TeSt. 3600 IN NS ns2.ExAmPle.TeSt.',
      'ExAmPle.TeSt. 3600 IN NS ns.outside.TeSt.',
    ],
    ar: [
      'ns1.ExAmPle.TeSt. 3600 IN A 192.0.2.53',
      'ns2.ExAmPle.TeSt. 300 IN A 198.51.100.53',
      'ns1.ExAmPle.TeSt. 3600 IN AAAA 2001:db8::53',
    ],
  });
});

test('0x20: SRV targets are never compressed, so they keep the zone spelling (RFC 2782)', () => {
  const m = ask(auth, '_SIP._TCP.EXAMPLE.TEST.', RRType.SRV);
  assert.deepEqual(lines(m.answers), [
    '_SIP._TCP.EXAMPLE.TEST. 3600 IN SRV 10 20 5060 sip.example.test.',
    '_SIP._TCP.EXAMPLE.TEST. 3600 IN SRV 20 0 5060 sip-backup.example.net.',
  ]);
  assert.equal(m.additionals[0]?.name, 'sip.EXAMPLE.TEST.');
});
