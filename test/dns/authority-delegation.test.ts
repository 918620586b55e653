/**
 * Zone cuts and several zones: referrals (RFC 1034 §4.3.2 step 3b: NS in authority, glue in
 * additional, AA clear) at and below a cut and for glue names; DS answered from the parent side
 * (RFC 4035 §3.1.4.1), also when we serve the child; longest-match selection between a parent
 * and a child zone, case-insensitively; and names outside every zone (REFUSED).
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

const SUB_REFERRAL = {
  an: [],
  ns: [
    'sub.example.test. 3600 IN NS ns1.sub.example.test.',
    'sub.example.test. 3600 IN NS ns2.sub.example.test.',
    'sub.example.test. 3600 IN NS ns.outside.test.',
  ],
  ar: [
    'ns1.sub.example.test. 3600 IN A 192.0.2.153',
    'ns2.sub.example.test. 3600 IN A 192.0.2.154',
    'ns2.sub.example.test. 3600 IN AAAA 2001:db8::154',
  ],
};

test('a query at the cut is a referral: NS in authority, glue in additional, AA clear', () => {
  const m = ask(auth, 'sub.example.test.', RRType.A);
  assert.equal(flags(m), '0 qr rd');
  assert.deepEqual(sections(m), SUB_REFERRAL);
});

test('names below the cut, glue names and NS/ANY at the cut are referrals too', () => {
  for (const [name, type] of [
    ['x.y.sub.example.test.', RRType.A],
    ['ns1.sub.example.test.', RRType.A],
    ['ns2.sub.example.test.', RRType.AAAA],
    ['sub.example.test.', RRType.NS],
    ['sub.example.test.', RRType.ANY],
    ['x.sub.example.test.', RRType.DS],
  ] as const) {
    const m = ask(auth, name, type);
    assert.equal(flags(m), '0 qr rd', `${name} ${type}`);
    assert.deepEqual(sections(m), SUB_REFERRAL, `${name} ${type}`);
  }
});

test('DS at the cut is answered by the parent: NODATA with the parent SOA, AA', () => {
  const m = ask(auth, 'sub.example.test.', RRType.DS);
  assert.equal(flags(m), '0 qr aa rd');
  assert.deepEqual(sections(m), { an: [], ns: NEGATIVE_SOA, ar: [] });
});

const parent = (): ReturnType<typeof zone> =>
  zone(
    'p.test',
    'kid NS ns.kid\nns.kid A 192.0.2.10\nkid TYPE43 \\# 4 30390802\nother NS ns.elsewhere.test.\nother TYPE43 \\# 4 30390803\n',
  );
const child = (): ReturnType<typeof zone> => zone('kid.p.test', 'www A 192.0.2.11\n', 120);

test('DS present at a cut: answered from the parent with AA and no NS in authority', () => {
  const m = ask(new Authority([parent()]), 'other.p.test.', RRType.DS);
  assert.equal(flags(m), '0 qr aa rd');
  assert.deepEqual(sections(m), { an: ['other.p.test. 300 IN DS \\# 4 30390803'], ns: [], ar: [] });
});

test('parent and child zones: longest match picks the child, DS still comes from the parent', () => {
  const a = new Authority([parent(), child()]);
  const www = ask(a, 'www.kid.p.test.', RRType.A);
  assert.equal(flags(www), '0 qr aa rd');
  assert.deepEqual(sections(www), {
    an: ['www.kid.p.test. 300 IN A 192.0.2.11'],
    ns: ['kid.p.test. 300 IN NS ns.kid.p.test.'],
    ar: ['ns.kid.p.test. 300 IN A 192.0.2.1'],
  });
  const apexNs = ask(a, 'kid.p.test.', RRType.NS);
  assert.deepEqual(
    lines(apexNs.answers),
    ['kid.p.test. 300 IN NS ns.kid.p.test.'],
    'the child answers for its apex',
  );
  const ds = ask(a, 'kid.p.test.', RRType.DS);
  assert.equal(flags(ds), '0 qr aa rd');
  assert.equal(ds.answers.length, 1);
  assert.equal(ds.answers[0]?.name, 'kid.p.test.');
  assert.equal(ds.answers[0].type, RRType.DS);
  // Without the parent, DS at the child apex is NODATA from the child (negative TTL 60 vs 120).
  const alone = ask(new Authority([child()]), 'kid.p.test.', RRType.DS);
  assert.deepEqual(
    lines(alone.authorities).map((l) => l.split(' ').slice(0, 4).join(' ')),
    ['kid.p.test. 60 IN SOA'],
  );
});

test('a child zone the parent never delegated: DS at its apex is NODATA from the parent', () => {
  const a = new Authority([fixtureZone(), zone('child.example.test', 'www A 192.0.2.21\n')]);
  const ds = ask(a, 'child.example.test.', RRType.DS);
  assert.equal(flags(ds), '0 qr aa rd');
  assert.deepEqual(sections(ds), { an: [], ns: NEGATIVE_SOA, ar: [] });
  assert.equal(ask(a, 'www.child.example.test.', RRType.A).answers.length, 1);
  assert.equal(ask(a, 'nope.child.example.test.', RRType.A).authorities[0]?.name, 'child.example.test.');
});

test('zone selection is case-insensitive and by whole labels', () => {
  const a = new Authority([parent(), child()]);
  assert.equal(a.zoneFor('WWW.KID.P.TEST')?.apex, 'kid.p.test.');
  assert.equal(a.zoneFor('x.p.test.')?.apex, 'p.test.');
  assert.equal(a.zoneFor('xp.test.'), undefined);
  assert.equal(a.zoneFor('test.'), undefined);
  assert.equal(a.zone('P.Test')?.apex, 'p.test.');
  assert.equal(a.zones.length, 2);
  assert.equal(a.removeZone('kid.p.test'), true);
  assert.equal(a.zoneFor('www.kid.p.test.')?.apex, 'p.test.');
  assert.equal(flags(ask(a, 'www.kid.p.test.', RRType.A)), '0 qr rd', 'now a referral from the parent');
});

test('setZone replaces a zone atomically (reload)', () => {
  const a = new Authority([zone('r.test', 'www A 192.0.2.1\n')]);
  assert.equal(lines(ask(a, 'www.r.test.', RRType.A).answers)[0], 'www.r.test. 300 IN A 192.0.2.1');
  a.setZone(zone('R.TEST', 'www A 192.0.2.2\n'));
  assert.equal(a.zones.length, 1);
  assert.equal(lines(ask(a, 'www.r.test.', RRType.A).answers)[0], 'www.r.test. 300 IN A 192.0.2.2');
});

test('a root zone answers for every name', () => {
  const root = new Authority([zone('.', 'test NS ns.test.\nns.test A 192.0.2.1\n')]);
  const m = ask(root, 'www.example.test.', RRType.A);
  assert.equal(flags(m), '0 qr rd');
  assert.deepEqual(lines(m.authorities), ['test. 300 IN NS ns.test.']);
  assert.equal(ask(root, 'nothing.', RRType.A).header.rcode, Rcode.NXDOMAIN);
  assert.equal(ask(root, '.', RRType.NS).answers.length, 1);
});

test('names outside our zones are REFUSED without AA', () => {
  for (const name of ['foo.example.org.', '.', 'test.', 'example.test.example.org.']) {
    const m = ask(auth, name, RRType.A);
    assert.equal(flags(m), '5 qr rd', name);
    assert.deepEqual(sections(m), { an: [], ns: [], ar: [] });
    assert.deepEqual(m.questions[0]?.name, name);
  }
});
