// `outpost dig` argument parsing (free order like dig, types by name incl. TYPE123, @server,
// -p/-t/-c/-q/-x, +options), resolv.conf reading, and runDig's exit codes without a network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DigUsageError, parseDigArgs, reverseName } from '../../src/cli/dig-args.js';
import { runDig } from '../../src/cli/dig.js';
import { parseResolvConf, readResolvConf } from '../../src/dns/client/index.js';
import { RRClass, RRType } from '../../src/dns/index.js';
import { tempDir } from '../helpers/temp.js';

test('tokens in any order: name, type, class, @server, -p and +options', () => {
  const a = parseDigArgs([
    'MX',
    '@192.0.2.53',
    'example.test',
    '-p',
    '10053',
    '+tcp',
    '+norec',
    '+short',
    '+noedns',
  ]);
  assert.deepEqual(a, {
    name: 'example.test.',
    type: RRType.MX,
    class: RRClass.IN,
    server: '192.0.2.53',
    port: 10053,
    tcp: true,
    recurse: false,
    short: true,
    edns: false,
    timeoutMs: 5000,
    retries: 2,
    trace: false,
  });
  assert.equal(parseDigArgs(['+trace', 'example.test']).trace, true);
  const b = parseDigArgs([
    '-p10053',
    'www.example.test',
    'ch',
    'TYPE65280',
    '@::1',
    '+bufsize=4096',
    '+time=2',
    '+tries=1',
  ]);
  assert.equal(b.type, 65280);
  assert.equal(b.class, RRClass.CH);
  assert.equal(b.server, '::1');
  assert.equal(b.port, 10053);
  assert.deepEqual(b.edns, { payload: 4096 });
  assert.equal(b.timeoutMs, 2000);
  assert.equal(b.retries, 0);
  assert.equal(parseDigArgs(['+vc', '+notcp', 'x']).tcp, false);
  assert.equal(parseDigArgs(['+retry=4', 'x']).retries, 4);
});

test('defaults follow dig: no name asks ". NS", a name alone asks A, a type alone asks the root', () => {
  assert.deepEqual([parseDigArgs([]).name, parseDigArgs([]).type], ['.', RRType.NS]);
  assert.deepEqual([parseDigArgs(['x.test']).name, parseDigArgs(['x.test']).type], ['x.test.', RRType.A]);
  assert.deepEqual([parseDigArgs(['soa']).name, parseDigArgs(['soa']).type], ['.', RRType.SOA]);
  // The first type-looking token is the type; a second one is the name (dig's rule too).
  assert.deepEqual([parseDigArgs(['a', 'mx']).type, parseDigArgs(['a', 'mx']).name], [RRType.A, 'mx.']);
  assert.deepEqual(
    [parseDigArgs(['-t', 'aaaa', '-q', 'a', '-c', 'IN']).type, parseDigArgs(['-q', 'a']).name],
    [RRType.AAAA, 'a.'],
  );
});

test('-x builds the reverse name and asks PTR', () => {
  assert.equal(reverseName('192.0.2.1'), '1.2.0.192.in-addr.arpa.');
  assert.equal(
    reverseName('2001:db8::1'),
    '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.',
  );
  const r = parseDigArgs(['-x', '192.0.2.1']);
  assert.deepEqual([r.name, r.type], ['1.2.0.192.in-addr.arpa.', RRType.PTR]);
});

test('usage errors are DigUsageError', () => {
  for (const bad of [
    ['+bogus'],
    ['-z'],
    ['-p'],
    ['-p', '70000'],
    ['-p', 'x'],
    ['@'],
    ['a.test', 'b.test'],
    ['-t', 'NOPE'],
    ['+bufsize=10'],
    ['+bufsize'],
    ['+time=0'],
    ['+edns=1'],
    ['-x', 'not-an-ip'],
    ['example.test', 'AXFR'],
    ['a..b'],
  ]) {
    assert.throws(() => parseDigArgs(bad), DigUsageError, bad.join(' '));
  }
});

test('resolv.conf: nameserver lines in order, comments and junk skipped, missing file is empty', async () => {
  const conf = parseResolvConf(
    '# comment\nsearch example.test\nnameserver 10.0.0.1 # primary\n; old\nnameserver not-an-ip\nnameserver fe80::1%eth0\n  nameserver   2001:db8::53\n',
  );
  assert.deepEqual(conf.nameservers, ['10.0.0.1', 'fe80::1%eth0', '2001:db8::53']);
  assert.deepEqual((await readResolvConf('/nonexistent/resolv.conf')).nameservers, []);
});

test('runDig: exit 1 with usage on stderr, exit 9 when nothing answers, default server from resolv.conf', async () => {
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) };
  assert.equal(await runDig(['+bogus'], io), 1);
  assert.match(err.join(''), /invalid option \+bogus\nUsage: outpost dig/);
  assert.equal(await runDig(['x.test', '@no-such-host.invalid'], io), 1);
  assert.match(err.join(''), /couldn't get address for 'no-such-host\.invalid'/);
  // A resolv.conf pointing at a port nobody serves, and a 1-try short timeout.
  const dir = tempDir('outpost-dig-');
  writeFileSync(join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\n');
  const code = await runDig(['x.test', '-p', '9', '+tries=1', '+time=1'], {
    ...io,
    resolvConf: join(dir, 'resolv.conf'),
  });
  assert.equal(code, 9);
  assert.match(
    out.join(''),
    /^;; (connection timed out|communications error to 127\.0\.0\.1#9: .*); no servers could be reached\n$/,
  );
});
