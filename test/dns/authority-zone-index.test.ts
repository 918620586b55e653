/**
 * ZoneIndex and zone loading: what the index knows after a build (existing names including empty
 * non-terminals, zone cuts, wildcard children, DNAME occlusion, the negative-answer SOA, the
 * precomputed additional-section addresses) and the all-or-nothing loading of zone files.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ErrorCodes } from '../../src/core/errors.js';
import { findRRset, loadZoneFile, loadZoneText, ZoneIndex } from '../../src/dns/authority/index.js';
import { RRClass, RRType } from '../../src/dns/index.js';
import { ZoneError } from '../../src/dns/zone/index.js';
import { fixtureZone, fixtures, lines, zone } from './authority-helpers.js';
import { rr } from './helpers.js';

test('the fixture indexes every name, empty non-terminals included (RFC 4592 §2.2.2)', () => {
  const z = fixtureZone();
  assert.equal(z.apex, 'example.test.');
  assert.equal(z.serial, 2024061501);
  for (const ent of ['b.c.example.test.', 'c.example.test.', 'wild.example.test.', '_udp.example.test.']) {
    const node = z.node(ent);
    assert.ok(node, ent);
    assert.equal(node.rrsets.length, 0, `${ent} is empty`);
  }
  assert.equal(z.node('x.example.test.'), undefined);
  assert.equal(z.node('a.b.c.example.test.')?.rrsets.length, 1);
  // Keys are lower-case; so is the served spelling.
  assert.equal(z.node('www.example.test.')?.name, 'www.example.test.');
});

test('closestNode returns the node or the deepest existing ancestor', () => {
  const z = fixtureZone();
  assert.equal(z.closestNode('www.example.test.').key, 'www.example.test.');
  assert.equal(z.closestNode('x.b.c.example.test.').key, 'b.c.example.test.');
  assert.equal(z.closestNode('a.b.nothing.example.test.').key, 'example.test.');
  assert.equal(z.closestNode('deep.er.wild.example.test.').key, 'wild.example.test.');
});

test('zone cuts: the delegation point and everything below it know their cut', () => {
  const z = fixtureZone();
  const sub = z.node('sub.example.test.');
  assert.ok(sub);
  assert.equal(sub.cut, sub);
  assert.equal(z.node('ns1.sub.example.test.')?.cut, sub);
  assert.equal(z.node('ns2.sub.example.test.')?.cut, sub);
  assert.equal(z.apexNode.cut, undefined, 'the apex NS is not a cut');
  assert.equal(z.node('www.example.test.')?.cut, undefined);
});

test('wildcard children and DNAME owners are precomputed', () => {
  const z = fixtureZone();
  assert.equal(z.node('wild.example.test.')?.wildcard?.key, '*.wild.example.test.');
  assert.equal(z.node('c.example.test.')?.wildcard?.key, '*.c.example.test.');
  assert.equal(z.node('b.c.example.test.')?.wildcard, undefined);
  assert.equal(z.apexNode.wildcard, undefined);
  const d = zone('d.test', 'a DNAME example.net.\nb.a TXT "occluded"\n');
  const a = d.node('a.d.test.');
  assert.ok(a?.dname);
  assert.equal(d.node('b.a.d.test.')?.dnameAbove, a);
  assert.equal(a.dnameAbove, undefined, 'the DNAME owner itself is not under its DNAME');
});

test('a cut below a DNAME is occluded by the DNAME (RFC 6672 §2.3)', () => {
  const d = zone('d.test', 'a DNAME example.net.\nx.a NS ns.elsewhere.\n');
  assert.equal(d.node('x.a.d.test.')?.cut, undefined);
  assert.ok(d.node('x.a.d.test.')?.dnameAbove);
});

test('the negative SOA has TTL min(SOA TTL, MINIMUM) (RFC 2308 §3)', () => {
  assert.equal(fixtureZone().negativeSoa.ttl, 300); // TTL 3600, MINIMUM 300
  assert.equal(zone('z.test', '', 30).negativeSoa.ttl, 30); // TTL 30, MINIMUM 60
  assert.equal(zone('z.test', '', 30).soa.ttl, 30);
});

test('additional addresses: in-zone targets, A before AAAA, glue only for NS', () => {
  const z = fixtureZone();
  const mx = findRRset(z.apexNode, RRType.MX);
  assert.ok(mx);
  assert.deepEqual(
    mx.additionalA.flatMap((s) => lines(s.records)),
    ['mail.example.test. 3600 IN A 192.0.2.25', 'mail2.example.test. 600 IN A 192.0.2.26'],
  );
  assert.deepEqual(
    mx.additionalAaaa.flatMap((s) => lines(s.records)),
    ['mail.example.test. 3600 IN AAAA 2001:db8::25'],
  );
  const sub = z.node('sub.example.test.');
  const ns = sub === undefined ? undefined : findRRset(sub, RRType.NS);
  assert.deepEqual(
    ns?.additionalA.flatMap((s) => lines(s.records)),
    ['ns1.sub.example.test. 3600 IN A 192.0.2.153', 'ns2.sub.example.test. 3600 IN A 192.0.2.154'],
  );
  const g = zone(
    'g.test',
    'mx MX 10 host.deleg\nmx MX 20 x.wild\ndeleg NS host.deleg\nhost.deleg A 192.0.2.9\n*.wild A 192.0.2.7\n',
  );
  const gmx = g.node('mx.g.test.');
  const set = gmx === undefined ? undefined : findRRset(gmx, RRType.MX);
  // Glue is not used for MX; a wildcard target is synthesised with the target as owner (RFC 4592 §2.1.2).
  assert.deepEqual(
    set?.additionalA.flatMap((s) => lines(s.records)),
    ['x.wild.g.test. 300 IN A 192.0.2.7'],
  );
});

test('names are served lower-case (as NSD serves them); the records keep the file spelling', () => {
  const z = zone('Up.Test', 'MiXeD A 192.0.2.2\nalias CNAME MiXeD\n');
  assert.equal(z.apex, 'up.test.');
  assert.deepEqual(lines(z.node('alias.up.test.')?.cname?.records ?? []), [
    'alias.up.test. 300 IN CNAME mixed.up.test.',
  ]);
  assert.ok(z.records.some((r) => r.name === 'MiXeD.Up.Test.'));
});

test('fromRecords refuses records that are not a zone', () => {
  const soa = rr('z.test.', {
    type: 'SOA',
    mname: 'ns.z.test.',
    rname: 'h.z.test.',
    serial: 1,
    refresh: 1,
    retry: 1,
    expire: 1,
    minimum: 1,
  });
  const ns = rr('z.test.', { type: 'NS', target: 'ns.elsewhere.' });
  assert.ok(ZoneIndex.fromRecords('z.test', [soa, ns]));
  const refused = (records: Parameters<typeof ZoneIndex.fromRecords>[1], pattern: RegExp): void => {
    assert.throws(
      () => ZoneIndex.fromRecords('z.test', records),
      (err: unknown) =>
        err instanceof ZoneError && err.code === ErrorCodes.PARSE && pattern.test(err.message),
    );
  };
  refused([ns], /no SOA/);
  refused([soa], /no NS/);
  refused([soa, ns, rr('a.other.', { type: 'A', address: '192.0.2.1' })], /outside the zone/);
  refused([soa, ns, rr('a.z.test.', { type: 'A', address: '192.0.2.1' }, 300, RRClass.CH)], /class/);
  refused([soa, ns, { ...soa, name: 'a.z.test.' }], /SOA at/);
});

test('loadZoneFile reads includes relative to the file', () => {
  const z = loadZoneFile('example.test', join(fixtures, 'with-include.zone'));
  assert.ok(z.node('www.example.test.'));
  assert.ok(z.node('pc1.lab.example.test.'));
  assert.ok(z.node('after.example.test.'));
});

test('loadZoneFile refuses a broken file whole, naming file:line for each problem', () => {
  const file = join(fixtures, 'broken.zone');
  assert.throws(
    () => loadZoneFile('example.test', file),
    (err: unknown) => {
      assert.ok(err instanceof ZoneError);
      assert.equal(err.code, ErrorCodes.PARSE);
      assert.match(err.message, /broken\.zone:6: /);
      assert.ok(err.problems.length >= 5);
      return true;
    },
  );
  assert.throws(
    () => loadZoneFile('example.test', join(fixtures, 'missing.zone')),
    /missing\.zone: cannot read/,
  );
  assert.throws(() => loadZoneText('example.test', '$TTL 300\n@ SOA ns h 1 2 3 4 5\n'), /no NS records/);
});

test('loadZoneFile reports warnings and honours an injected reader', () => {
  const warnings: string[] = [];
  const files: Record<string, string> = {
    '/z/main.zone':
      '$TTL 60\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\nns A 192.0.2.1\n$INCLUDE more.zone\n',
    '/z/more.zone': 'www A 192.0.2.2\n',
  };
  const z = loadZoneFile('example.test', '/z/main.zone', {
    readFile: (p) => {
      const text = files[p];
      if (text === undefined) throw new Error(`no ${p}`);
      return text;
    },
    onWarning: (w) => warnings.push(`${w.file}:${w.line}`),
  });
  assert.ok(z.node('www.example.test.'));
  assert.deepEqual(warnings, ['/z/main.zone:5']);
});
