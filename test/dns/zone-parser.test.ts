/**
 * Zone-file parser (RFC 1035 §5): every syntax feature, the TTL rules, $INCLUDE through an
 * injected reader, semantic checks, and hostile input reported with file:line. The realistic
 * fixture zone is loaded too and printed back through the presentation helpers.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ErrorCodes } from '../../src/core/errors.js';
import { recordToText, type ResourceRecord } from '../../src/dns/index.js';
import {
  checkZone,
  formatProblem,
  loadZone,
  parseTtl,
  parseZone,
  ZoneError,
  type ParseZoneOptions,
} from '../../src/dns/zone/index.js';
import { assertParseError } from './helpers.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const HEAD = '$TTL 300\n@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n  NS ns1\nns1 A 192.0.2.53\n';

function lines(records: readonly ResourceRecord[]): string[] {
  return records.map(recordToText);
}

/** Load `body` after a valid SOA/NS head; fail the test with the problems if any. */
function load(body: string, options: Partial<ParseZoneOptions> = {}): string[] {
  const r = parseZone(HEAD + body, { origin: 'example.test', fileName: 'z.zone', ...options });
  assert.deepEqual(r.errors.map(formatProblem), []);
  return lines(r.records.slice(3));
}

/** Problems (formatted) for `text` parsed as example.test. */
function problems(text: string, options: Partial<ParseZoneOptions> = {}): string[] {
  return parseZone(text, { origin: 'example.test', fileName: 'z.zone', ...options }).errors.map(
    formatProblem,
  );
}

test('$ORIGIN, @, relative and absolute names', () => {
  assert.deepEqual(
    load(
      'www A 192.0.2.1\nabs.example.test. A 192.0.2.2\n$ORIGIN sub.example.test.\n@ A 192.0.2.3\nx CNAME @\ny CNAME x\n$ORIGIN deeper\nz A 192.0.2.4\n',
    ),
    [
      'www.example.test.\t300\tIN\tA\t192.0.2.1',
      'abs.example.test.\t300\tIN\tA\t192.0.2.2',
      'sub.example.test.\t300\tIN\tA\t192.0.2.3',
      'x.sub.example.test.\t300\tIN\tCNAME\tsub.example.test.',
      'y.sub.example.test.\t300\tIN\tCNAME\tx.sub.example.test.',
      'z.deeper.sub.example.test.\t300\tIN\tA\t192.0.2.4',
    ],
  );
});

test('a blank owner inherits the previous owner, including across parentheses', () => {
  assert.deepEqual(
    load('www A 192.0.2.1\n\tAAAA 2001:db8::1\n  TXT ( "a"\n  "b" )\n  MX 10 mail\nmail A 192.0.2.25\n'),
    [
      'www.example.test.\t300\tIN\tA\t192.0.2.1',
      'www.example.test.\t300\tIN\tAAAA\t2001:db8::1',
      'www.example.test.\t300\tIN\tTXT\t"a" "b"',
      'www.example.test.\t300\tIN\tMX\t10 mail.example.test.',
      'mail.example.test.\t300\tIN\tA\t192.0.2.25',
    ],
  );
});

test('TTL and class in either order, either absent, with BIND units', () => {
  assert.deepEqual(
    load(
      'a 60 IN A 192.0.2.1\nb IN 1h30m A 192.0.2.2\nc IN A 192.0.2.3\nd 1W2d A 192.0.2.4\ne A 192.0.2.5\n',
    ),
    [
      'a.example.test.\t60\tIN\tA\t192.0.2.1',
      'b.example.test.\t5400\tIN\tA\t192.0.2.2',
      'c.example.test.\t300\tIN\tA\t192.0.2.3',
      'd.example.test.\t777600\tIN\tA\t192.0.2.4',
      'e.example.test.\t300\tIN\tA\t192.0.2.5',
    ],
  );
  assert.equal(parseTtl('0'), 0);
  assert.equal(parseTtl('2147483647'), 2147483647);
  assertParseError(() => parseTtl('2147483648'), /2147483647/);
  assertParseError(() => parseTtl('1x'), /invalid TTL/);
  assertParseError(() => parseTtl('1h30'), /invalid TTL/);
});

test('without $TTL: last explicit TTL (RFC 1035), the defaultTtl option, SOA minimum', () => {
  const noTtl =
    '@ SOA ns1 hostmaster 1 7200 3600 1209600 900\n  NS ns1\nns1 120 A 192.0.2.53\nwww A 192.0.2.1\n';
  const r = loadZone(noTtl, { origin: 'example.test' });
  assert.deepEqual(
    r.records.map((x) => x.ttl),
    [900, 900, 120, 120],
  );
  const d = loadZone(noTtl, { origin: 'example.test', defaultTtl: 42 });
  assert.deepEqual(
    d.records.map((x) => x.ttl),
    [42, 42, 120, 42],
  );
  assert.deepEqual(problems('www A 192.0.2.1\n'), [
    'z.zone:1: no TTL given and no $TTL in effect',
    'z.zone: no SOA record at the zone apex example.test.',
    'z.zone: no NS records at the zone apex example.test.',
  ]);
});

test('comments are ignored outside quotes and kept inside them', () => {
  assert.deepEqual(load('; full line\nt TXT "a;b" ; trailing\n  TXT semi\\;colon\n'), [
    't.example.test.\t300\tIN\tTXT\t"a;b"',
    't.example.test.\t300\tIN\tTXT\t"semi;colon"',
  ]);
});

test('quoted strings with \\" \\\\ and \\DDD escapes, multiple TXT strings, UTF-8', () => {
  assert.deepEqual(
    load('t TXT "say \\"hi\\"" "back\\\\slash" "\\000\\255" unquoted\\032word "" "caf\u00e9"\n'),
    [
      't.example.test.\t300\tIN\tTXT\t"say \\"hi\\"" "back\\\\slash" "\\000\\255" "unquoted word" "" "caf\\195\\169"',
    ],
  );
});

test('every record type in presentation form', () => {
  assert.deepEqual(
    load(
      [
        'h HINFO "Generic PC" Linux',
        'm MX 10 mail.example.net.',
        's SRV 0 5 5060 sip',
        'c CAA 0 issue "ca.example.net; account=1"',
        'c CAA 128 tbs unquoted',
        'p PTR www',
        'd DNAME example.net.',
        'v6 AAAA 2001:DB8:0:0:0:0:0:1',
        'v6 AAAA ::ffff:192.0.2.1',
        'v6 AAAA 64:ff9b::192.0.2.33',
        'n NS ns.example.net.',
        'x TYPE65280 \\# 4 0A000001',
        'x TYPE65281 \\# 0',
        'x TYPE65282 \\# 3 ( 0A 0000 )',
        'g TYPE1 \\# 4 C0000202',
        'g2 A \\# 4 C0000203',
        'ds DS \\# 4 01020304',
        'cl CLASS1 A 192.0.2.9',
      ].join('\n') + '\n',
    ),
    [
      'h.example.test.\t300\tIN\tHINFO\t"Generic PC" "Linux"',
      'm.example.test.\t300\tIN\tMX\t10 mail.example.net.',
      's.example.test.\t300\tIN\tSRV\t0 5 5060 sip.example.test.',
      'c.example.test.\t300\tIN\tCAA\t0 issue "ca.example.net; account=1"',
      'c.example.test.\t300\tIN\tCAA\t128 tbs "unquoted"',
      'p.example.test.\t300\tIN\tPTR\twww.example.test.',
      'd.example.test.\t300\tIN\tDNAME\texample.net.',
      'v6.example.test.\t300\tIN\tAAAA\t2001:db8::1',
      'v6.example.test.\t300\tIN\tAAAA\t::ffff:192.0.2.1',
      'v6.example.test.\t300\tIN\tAAAA\t64:ff9b::c000:221',
      'n.example.test.\t300\tIN\tNS\tns.example.net.',
      'x.example.test.\t300\tIN\tTYPE65280\t\\# 4 0A000001',
      'x.example.test.\t300\tIN\tTYPE65281\t\\# 0',
      'x.example.test.\t300\tIN\tTYPE65282\t\\# 3 0A0000',
      'g.example.test.\t300\tIN\tA\t192.0.2.2',
      'g2.example.test.\t300\tIN\tA\t192.0.2.3',
      'ds.example.test.\t300\tIN\tDS\t\\# 4 01020304',
      'cl.example.test.\t300\tIN\tA\t192.0.2.9',
    ],
  );
});

test('SOA in parentheses over several lines with comments and time units', () => {
  const r = loadZone(
    '$TTL 1h\n@ IN SOA ns1.example.test. host\\.master ( ; comment\n  2024010101 ; serial\n  2h ; refresh\n  30m\n  2w\n  5m )\n  NS ns1\nns1 A 192.0.2.1\n',
    { origin: 'example.test.' },
  );
  assert.equal(
    recordToText(r.soa),
    'example.test.\t3600\tIN\tSOA\tns1.example.test. host\\.master.example.test. 2024010101 7200 1800 1209600 300',
  );
});

test('$INCLUDE through an injected reader, with relative paths and an origin argument', () => {
  const files: Record<string, string> = {
    'zones/main.zone': HEAD + '$INCLUDE inc/a.zone\nafter A 192.0.2.9\n$INCLUDE /abs/b.zone sub\n',
    'zones/inc/a.zone':
      'www A 192.0.2.1\n  AAAA 2001:db8::1\n$ORIGIN elsewhere.example.test.\nx A 192.0.2.2\n',
    '/abs/b.zone': '@ A 192.0.2.3\n',
  };
  const readFile = (p: string): string => {
    const t = files[p];
    if (t === undefined) throw new Error(`ENOENT ${p}`);
    return t;
  };
  const r = loadZone(files['zones/main.zone']!, {
    origin: 'example.test',
    fileName: 'zones/main.zone',
    readFile,
  });
  assert.deepEqual(lines(r.records.slice(3)), [
    'www.example.test.\t300\tIN\tA\t192.0.2.1',
    'www.example.test.\t300\tIN\tAAAA\t2001:db8::1',
    'x.elsewhere.example.test.\t300\tIN\tA\t192.0.2.2',
    'after.example.test.\t300\tIN\tA\t192.0.2.9',
    'sub.example.test.\t300\tIN\tA\t192.0.2.3',
  ]);
});

test('$INCLUDE problems: no reader, missing file, loops, depth, errors inside includes', () => {
  assert.match(problems(HEAD + '$INCLUDE x.zone\n').join('\n'), /z\.zone:5: \$INCLUDE is not allowed here/);
  const files: Record<string, string> = {
    'a.zone': HEAD + '$INCLUDE b.zone\n',
    'b.zone': 'ok A 192.0.2.1\n$INCLUDE a.zone\nbad A 1.2.3\n',
  };
  const readFile = (p: string): string => {
    const t = files[p];
    if (t === undefined) throw new Error(`ENOENT: no such file ${p}`);
    return t;
  };
  const loop = problems(files['a.zone']!, { fileName: 'a.zone', readFile });
  assert.deepEqual(loop, [
    'b.zone:2: $INCLUDE loop: a.zone -> b.zone -> a.zone',
    'b.zone:3: invalid IPv4 address "1.2.3"',
  ]);
  assert.match(
    problems(HEAD + '$INCLUDE nope.zone\n', { readFile }).join('\n'),
    /z\.zone:5: cannot read \$INCLUDE file nope\.zone: ENOENT/,
  );
  // A self-similar chain of distinct files hits the depth limit, not the stack.
  const deep = (p: string): string => `$INCLUDE ${p}x\n`;
  assert.match(problems(HEAD + '$INCLUDE d\n', { readFile: deep }).join('\n'), /nested deeper than 16/);
});

test('unterminated quotes and parentheses, stray ")" and bad escapes carry file:line', () => {
  assert.deepEqual(problems(HEAD + 't TXT "open\nu A 192.0.2.1\n').slice(0, 1), [
    'z.zone:5: unterminated quoted string',
  ]);
  assert.deepEqual(problems(HEAD + 'ok A 192.0.2.1\nt TXT ( "a"\n "b"\n'), [
    'z.zone:6: unterminated "(" (no matching ")" before end of file)',
  ]);
  assert.deepEqual(problems(HEAD + 't TXT a )\n'), ['z.zone:5: unbalanced ")" (no matching "(")']);
  assert.deepEqual(problems(HEAD + 't TXT "\\999"\n'), [
    'z.zone:5: bad escape "\\999" (\\DDD must be at most 255)',
  ]);
  assert.deepEqual(problems(HEAD + 't TXT "\\12"\n'), [
    'z.zone:5: bad escape "\\12" (\\DDD needs three digits)',
  ]);
  assert.deepEqual(problems(HEAD + 'n\\999 A 192.0.2.1\n'), [
    'z.zone:5: \\999 is not an octet in name "n\\999"',
  ]);
  assert.deepEqual(problems(HEAD + 't TXT a\\\n'), ['z.zone:5: backslash at end of line']);
});

test('hostile values: huge TTL, garbage types, meta types, bad numbers, oversize strings and names', () => {
  const cases: [string, RegExp][] = [
    ['h 4294967295 A 192.0.2.1', /z\.zone:5: TTL "4294967295" exceeds 2147483647/],
    ['h 2147483648 A 192.0.2.1', /exceeds 2147483647/],
    ['$TTL 99999999999', /exceeds/],
    ['g BOGUS x', /z\.zone:5: unknown record type or class "BOGUS"/],
    ['g TYPE70000 x', /unknown record type/],
    ['g IN ANY x', /meta type/],
    ['g AXFR x', /meta type/],
    ['g OPT x', /meta type/],
    ['g', /missing record type/],
    ['g MX 65536 mail', /MX preference 65536 is larger than 65535/],
    ['g MX ten mail', /not a number/],
    ['g MX 10', /missing MX exchange/],
    ['g A 192.0.2.1 extra', /unexpected "extra" after A data/],
    ['g A', /missing IPv4/],
    ['g AAAA 1::2::3', /invalid IPv6/],
    ['g CAA 0 "issue" x', /CAA tag/],
    ['g CAA 0 is-sue x', /CAA tag/],
    ['g CAA 256 issue x', /CAA flags/],
    ['g SRV 1 2 3', /missing SRV target/],
    ['g SOA a b 1 2 3 4', /missing SOA minimum/],
    [`g TXT "${'x'.repeat(256)}"`, /256 octets \(at most 255\)/],
    [`${'a'.repeat(64)} A 192.0.2.1`, /label longer than 63/],
    [`${'abcdefghij.'.repeat(24)} A 192.0.2.1`, /longer than 255/],
    [`${'abcdefghij.'.repeat(22)}x A 192.0.2.1`, /longer than 255/], // only too long once the origin is added
    [`g CNAME ${'abcdefghij.'.repeat(22)}x`, /longer than 255/],
    ['g TYPE1 \\# 3 C00002', /A rdata must be 4/],
    ['g TYPE65280 \\# 2 C0000202', /does not match/],
    ['g TYPE65280 \\# 2 ZZZZ', /non-hex/],
    ['g NSEC3 1 0 0 - abc', /no presentation format for type NSEC3/],
    ['"quoted" A 192.0.2.1', /quoted string where a domain name is expected/],
    ['g A "192.0.2.1" x', /unexpected/],
    ['$GENERATE 1-10 x A 192.0.2.$', /unsupported directive \$GENERATE/],
    ['$ORIGIN', /\$ORIGIN needs a domain name/],
  ];
  for (const [line, pattern] of cases) {
    const found = problems(HEAD + line + '\n');
    assert.ok(
      found.some((p) => pattern.test(p)),
      `${line}: ${found.join(' | ')}`,
    );
  }
});

test('semantic checks: SOA once at apex, out-of-zone data, CNAME exclusivity, apex NS, glue, class', () => {
  assert.deepEqual(problems(HEAD + '@ SOA ns1 h 2 1 1 1 1\n'), [
    'z.zone:5: more than one SOA record at the zone apex',
  ]);
  assert.deepEqual(problems(HEAD + 'sub SOA ns1 h 2 1 1 1 1\n'), [
    'z.zone:5: SOA record at sub.example.test., which is not the zone apex example.test.',
  ]);
  assert.deepEqual(problems(HEAD + 'www.example.net. A 192.0.2.1\nexample.testing. A 192.0.2.1\n'), [
    'z.zone:5: www.example.net. is outside the zone example.test.',
    'z.zone:6: example.testing. is outside the zone example.test.',
  ]);
  assert.deepEqual(problems(HEAD + 'c CNAME www\nc A 192.0.2.1\n'), [
    'z.zone:5: CNAME at c.example.test. coexists with A data (line 6)',
  ]);
  assert.deepEqual(problems(HEAD + 'c CNAME www\nc CNAME www2\n'), [
    'z.zone:6: more than one CNAME at c.example.test.',
  ]);
  assert.deepEqual(problems(HEAD + 'c CNAME www\nc RRSIG \\# 0\nc NSEC \\# 0\n'), []);
  assert.deepEqual(problems('$TTL 1\n@ SOA ns1 h 1 1 1 1 1\nns1 A 192.0.2.1\n'), [
    'z.zone: no NS records at the zone apex example.test.',
  ]);
  assert.deepEqual(problems('$TTL 1\n@ SOA ns1 h 1 1 1 1 1\n NS ns1\n NS ns2\nns1 A 192.0.2.1\n'), [
    'z.zone:4: NS target ns2.example.test. has no address records (A or AAAA)',
  ]);
  assert.deepEqual(problems(HEAD + 'ch CH TXT "x"\n'), [
    "z.zone:5: class CH differs from the zone's class IN",
  ]);
});

test('warnings: duplicates merged, RRset TTLs unified, occluded data, targets without addresses', () => {
  const r = parseZone(
    HEAD +
      'd A 192.0.2.1\nd A 192.0.2.1\nt 60 A 192.0.2.1\nt 120 A 192.0.2.2\nsub NS ns.sub\nns.sub A 192.0.2.9\nx.sub TXT "hidden"\n@ MX 10 nomail\n',
    { origin: 'example.test', fileName: 'z.zone' },
  );
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings.map(formatProblem), [
    'z.zone:6: duplicate record d.example.test. A ignored',
    "z.zone:8: TTL 120 differs from the RRset's 60; using 60 (RFC 2181 §5.2)",
    'z.zone:11: TXT below a delegation at x.sub.example.test. is occluded',
    'z.zone:12: MX target nomail.example.test. has no address records (A or AAAA)',
  ]);
  assert.deepEqual(
    r.records.filter((x) => x.name === 't.example.test.').map((x) => x.ttl),
    [60, 60],
  );
});

test('loadZone refuses the whole zone with a ZoneError listing every problem', () => {
  try {
    loadZone(HEAD + 'a A 192.0.2.256\nb BOGUS\n', { origin: 'example.test', fileName: 'z.zone' });
    assert.fail('expected ZoneError');
  } catch (err) {
    assert.ok(err instanceof ZoneError);
    assert.equal(err.code, ErrorCodes.PARSE);
    assert.equal(err.problems.length, 2);
    assert.match(
      err.message,
      /z\.zone:5: invalid IPv4 address "192\.0\.2\.256"\nz\.zone:6: unknown record type/,
    );
  }
});

test('checkZone prints a named-checkzone style summary', () => {
  const ok = checkZone('example.test', join(fixtures, 'example.test.zone'));
  assert.equal(ok.ok, true);
  assert.equal(ok.serial, 2024061501);
  assert.equal(ok.output, 'zone example.test/IN: loaded serial 2024061501\nOK\n');
  const inc = checkZone('example.test.', join(fixtures, 'with-include.zone'));
  assert.equal(inc.ok, true, inc.output);
  assert.equal(inc.recordCount, 7);
  const loop = checkZone('example.test', join(fixtures, 'loop-a.zone'));
  assert.equal(loop.ok, false);
  assert.match(
    loop.output,
    /loop-b\.zone:2: \$INCLUDE loop: .*loop-a\.zone -> .*loop-b\.zone -> .*loop-a\.zone/,
  );
  const broken = checkZone('example.test', join(fixtures, 'broken.zone'));
  assert.equal(broken.ok, false);
  const rel = broken.errors.map((e) => e.slice(e.indexOf('broken.zone')));
  assert.deepEqual(rel, [
    'broken.zone:10: unterminated quoted string',
    'broken.zone:6: invalid IPv4 address "192.0.2.256"',
    'broken.zone:7: bad escape "\\999" (\\DDD must be at most 255)',
    'broken.zone:8: TTL "4294967295" exceeds 2147483647 (RFC 2181 §8)',
    'broken.zone:9: unknown record type or class "BOGUSTYPE"',
    'broken.zone:13: outside.test. is outside the zone example.test.',
    'broken.zone:11: CNAME at cname.example.test. coexists with A data (line 12)',
  ]);
  assert.match(broken.output, /zone example\.test\/IN: not loaded due to errors\.\n$/);
  const missing = checkZone('example.test', join(fixtures, 'does-not-exist.zone'));
  assert.equal(missing.ok, false);
  assert.match(missing.output, /cannot read/);
});

test('the realistic fixture zone loads completely and matches its features', () => {
  const text = readFileSync(join(fixtures, 'example.test.zone'), 'utf8');
  const z = loadZone(text, { origin: 'example.test', fileName: 'example.test.zone' });
  assert.deepEqual(z.warnings, []);
  const at = (name: string, type?: string): string[] =>
    lines(z.records)
      .filter((l) => l.startsWith(`${name}\t`) && (type === undefined || l.split('\t')[3] === type))
      .map((l) => l.split('\t').slice(3).join(' '));
  assert.equal(z.soa.data.minimum, 300);
  assert.equal(at('big.example.test.', 'A').length, 30);
  assert.equal(at('bigtxt.example.test.', 'TXT').length, 30);
  assert.deepEqual(at('*.wild.example.test.'), [
    'A 192.0.2.200',
    'TXT "wildcard"',
    'MX 10 mail.example.test.',
  ]);
  assert.deepEqual(at('b.c.example.test.'), []); // empty non-terminal
  assert.deepEqual(at('a.b.c.example.test.'), ['A 192.0.2.210']);
  assert.deepEqual(at('sub.example.test.'), [
    'NS ns1.sub.example.test.',
    'NS ns2.sub.example.test.',
    'NS ns.outside.test.',
  ]);
  assert.deepEqual(at('alias1.example.test.'), ['CNAME alias2.example.test.']);
  assert.deepEqual(at('outside.example.test.'), ['CNAME www.example.net.']);
  assert.deepEqual(
    at('txt.example.test.', 'TXT')[0],
    'TXT "first string" "second \\"quoted\\" string" "back\\\\slash" "tab\\009and\\255high"',
  );
  assert.deepEqual(at('generic-a.example.test.'), ['A 192.0.2.2']);
  assert.deepEqual(at('example.test.', 'CAA'), [
    'CAA 0 issue "ca.example.net"',
    'CAA 0 iodef "mailto:security@example.test"',
    'CAA 128 tbs "critical"',
  ]);
  // Printing every record and loading the text back gives the same records (presentation round trip).
  const printed = lines(z.records).join('\n') + '\n';
  const again = loadZone(printed, { origin: 'example.test' });
  assert.deepEqual(again.records, z.records);
});
