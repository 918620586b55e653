/**
 * Aliases across zones: CNAME chains that leave a zone for another one we serve (the authority
 * section then belongs to the last zone), chains into a delegation (a referral with AA set, as
 * NSD does), loop protection, the chain length limit, and DNAME (RFC 6672 §3.1): the DNAME plus a
 * synthesised CNAME with the DNAME's TTL, YXDOMAIN on overflow, loops.
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
  fixtureZone,
  flags,
  lines,
  sections,
  zone,
} from './authority-helpers.js';

const other = zone(
  'other.test',
  [
    'to-example CNAME www.example.test.',
    'to-wild CNAME foo.wild.example.test.',
    'to-sub CNAME host.sub.example.test.',
    'to-outside CNAME www.example.net.',
    'loop1 CNAME loop2',
    'loop2 CNAME loop1',
    'self CNAME self',
    'to-dname CNAME x.dname.example.test.',
    'www A 192.0.2.2',
    ...Array.from({ length: 40 }, (_, i) => `c${i} CNAME c${i + 1}`),
    'c40 A 192.0.2.40',
  ].join('\n') + '\n',
  600,
);
const auth = new Authority([fixtureZone(), other]);

test('a chain into another zone we serve: its answer, its NS and addresses', () => {
  const m = ask(auth, 'to-example.other.test.', RRType.A);
  assert.equal(flags(m), '0 qr aa rd');
  assert.deepEqual(sections(m), {
    an: [
      'to-example.other.test. 300 IN CNAME www.example.test.',
      'www.example.test. 3600 IN A 192.0.2.80',
      'www.example.test. 3600 IN A 192.0.2.81',
    ],
    ns: APEX_NS,
    ar: APEX_NS_ADDRESSES,
  });
});

test('a chain into a wildcard of another zone', () => {
  assert.deepEqual(lines(ask(auth, 'to-wild.other.test.', RRType.A).answers), [
    'to-wild.other.test. 300 IN CNAME foo.wild.example.test.',
    'foo.wild.example.test. 3600 IN A 192.0.2.200',
  ]);
});

test('a chain into a delegation: the referral, with AA kept because the alias is ours', () => {
  const m = ask(auth, 'to-sub.other.test.', RRType.A);
  assert.equal(flags(m), '0 qr aa rd');
  assert.deepEqual(lines(m.answers), ['to-sub.other.test. 300 IN CNAME host.sub.example.test.']);
  assert.equal(m.authorities.length, 3);
  assert.ok(m.authorities.every((r) => r.name === 'sub.example.test.' && r.type === RRType.NS));
  assert.equal(m.additionals.length, 3);
});

test('a chain that leaves our zones stops with the last CNAME', () => {
  const m = ask(auth, 'to-outside.other.test.', RRType.A);
  assert.equal(flags(m), '0 qr aa rd');
  assert.deepEqual(sections(m), {
    an: ['to-outside.other.test. 300 IN CNAME www.example.net.'],
    ns: [],
    ar: [],
  });
});

test('CNAME loops stop when an RRset would repeat; nothing else is added', () => {
  const loop = ask(auth, 'loop1.other.test.', RRType.A);
  assert.equal(flags(loop), '0 qr aa rd');
  assert.deepEqual(sections(loop), {
    an: [
      'loop1.other.test. 300 IN CNAME loop2.other.test.',
      'loop2.other.test. 300 IN CNAME loop1.other.test.',
    ],
    ns: [],
    ar: [],
  });
  assert.deepEqual(lines(ask(auth, 'self.other.test.', RRType.A).answers), [
    'self.other.test. 300 IN CNAME self.other.test.',
  ]);
});

test('long chains are cut at the limit (default 32 links); shorter ones are followed to the end', () => {
  const long = ask(auth, 'c0.other.test.', RRType.A);
  assert.equal(long.header.rcode, Rcode.NOERROR);
  assert.equal(long.answers.length, 33); // c0 plus 32 followed links
  assert.ok(long.answers.every((r) => r.type === RRType.CNAME));
  const short = ask(auth, 'c20.other.test.', RRType.A);
  assert.equal(short.answers.length, 21);
  assert.deepEqual(lines(short.answers.slice(-1)), ['c40.other.test. 300 IN A 192.0.2.40']);
  const strict = new Authority([other], { maxAliasChain: 2 });
  assert.equal(ask(strict, 'c0.other.test.', RRType.A).answers.length, 3);
});

test('DNAME: the DNAME and a synthesised CNAME with the DNAME TTL; no NS', () => {
  const m = ask(fixtureAuthority(), 'foo.dname.example.test.', RRType.A);
  assert.equal(flags(m), '0 qr aa rd');
  assert.deepEqual(sections(m), {
    an: [
      'dname.example.test. 3600 IN DNAME example.net.',
      'foo.dname.example.test. 3600 IN CNAME foo.example.net.',
    ],
    ns: [],
    ar: [],
  });
  const deep = ask(fixtureAuthority(), 'A.B.Dname.Example.Test.', RRType.TXT);
  assert.deepEqual(lines(deep.answers), [
    'Dname.Example.Test. 3600 IN DNAME example.net.',
    // NSD lower-cases the question before substituting, but keeps the owner as asked.
    'A.B.Dname.Example.Test. 3600 IN CNAME a.b.example.net.',
  ]);
});

test('DNAME reached through a CNAME, and a DNAME into one of our zones', () => {
  assert.deepEqual(lines(ask(auth, 'to-dname.other.test.', RRType.A).answers), [
    'to-dname.other.test. 300 IN CNAME x.dname.example.test.',
    'dname.example.test. 3600 IN DNAME example.net.',
    'x.dname.example.test. 3600 IN CNAME x.example.net.',
  ]);
  const a = new Authority([fixtureZone(), zone('d.test', 'ex DNAME example.test.\n')]);
  const m = ask(a, 'www.ex.d.test.', RRType.A);
  assert.deepEqual(sections(m), {
    an: [
      'ex.d.test. 300 IN DNAME example.test.',
      'www.ex.d.test. 300 IN CNAME www.example.test.',
      'www.example.test. 3600 IN A 192.0.2.80',
      'www.example.test. 3600 IN A 192.0.2.81',
    ],
    ns: APEX_NS,
    ar: APEX_NS_ADDRESSES,
  });
});

test('a CNAME query below a DNAME gets the synthesised CNAME only', () => {
  const m = ask(fixtureAuthority(), 'x.dname.example.test.', RRType.CNAME);
  assert.equal(m.answers.length, 2);
  assert.equal(m.answers[1]?.type, RRType.CNAME);
});

test('DNAME loops and self-referencing DNAMEs stop', () => {
  const a = new Authority([
    zone('d.test', 'd2 DNAME d3.d.test.\nd3 DNAME d2.d.test.\nself DNAME x.self.d.test.\n'),
  ]);
  const loop = ask(a, 'foo.d2.d.test.', RRType.A);
  assert.equal(loop.header.rcode, Rcode.NOERROR);
  assert.deepEqual(lines(loop.answers), [
    'd2.d.test. 300 IN DNAME d3.d.test.',
    'foo.d2.d.test. 300 IN CNAME foo.d3.d.test.',
    'd3.d.test. 300 IN DNAME d2.d.test.',
    'foo.d3.d.test. 300 IN CNAME foo.d2.d.test.',
  ]);
  const self = ask(a, 'a.self.d.test.', RRType.A);
  assert.ok(self.answers.length <= 34, 'bounded by the chain limit');
});

test('DNAME substitution longer than 255 octets is YXDOMAIN (RFC 6672 §2.2)', () => {
  const long = Array.from({ length: 4 }, () => 'a'.repeat(60)).join('.');
  const a = new Authority([zone('d.test', `long DNAME ${long}.\n`)]);
  const m = ask(a, `${'b'.repeat(60)}.long.d.test.`, RRType.A);
  assert.equal(m.header.rcode, Rcode.YXDOMAIN);
  assert.equal(m.header.aa, true);
  assert.deepEqual(lines(m.answers), [`long.d.test. 300 IN DNAME ${long}.`]);
});
