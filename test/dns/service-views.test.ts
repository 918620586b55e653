// Views and rotation in the DNS service, asked with ISC dig: `-b 127.0.0.x` picks the source
// address (the loopback /8 is local on Linux), `+subnet=` sends EDNS Client Subnet (RFC 7871),
// `+ednsopt=8:…` hostile ECS options. UDP and TCP; AXFR carries the default view; identical
// query bytes from two clients never share a packet-cache entry; a view file reloads on change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDnsSuite } from './service-helpers.js';
import { tempDir } from '../helpers/temp.js';
import { run } from '../helpers/run.js';
import { eventually } from '../helpers/eventually.js';

function zone(serial: number, www: string[], extra = ''): string {
  return [
    '$ORIGIN cdn.test.',
    '$TTL 300',
    `@ IN SOA ns.cdn.test. admin.cdn.test. ${serial} 3600 600 86400 60`,
    '@ IN NS ns',
    'ns IN A 192.0.2.53',
    ...www.map((a) => `www IN A ${a}`),
    extra,
    '',
  ].join('\n');
}

async function withSuite(fn: (port: number, dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir('outpost-dns-views-');
  writeFileSync(join(dir, 'cdn.test.zone'), zone(1, ['192.0.2.10']));
  writeFileSync(join(dir, 'edge-a.zone'), zone(1, ['127.0.0.10']));
  writeFileSync(join(dir, 'edge-6.zone'), zone(1, ['127.0.6.10']));
  writeFileSync(
    join(dir, 'rr.test.zone'),
    '$ORIGIN rr.test.\n$TTL 300\n@ SOA ns admin 1 3600 600 86400 60\n@ NS ns\nns A 192.0.2.53\n' +
      'www A 192.0.2.1\nwww A 192.0.2.2\nwww A 192.0.2.3\n',
  );
  const { suite, port } = await startDnsSuite({
    data_dir: join(dir, 'data'),
    dns: {
      listen: ['127.0.0.1:0'],
      zones: [
        {
          name: 'cdn.test',
          file: join(dir, 'cdn.test.zone'),
          allow_transfer: ['127.0.0.0/8'],
          views: [
            { match_clients: ['127.0.0.0/24'], file: join(dir, 'edge-a.zone') },
            { match_clients: ['2001:db8::/32'], file: join(dir, 'edge-6.zone') },
          ],
        },
        { name: 'rr.test', file: join(dir, 'rr.test.zone'), rotate: true },
      ],
    },
  });
  try {
    await fn(port, dir);
  } finally {
    await suite.close();
  }
}

async function dig(port: number, args: string[]): Promise<string> {
  const r = await run('dig', ['@127.0.0.1', '-p', String(port), '+tries=1', '+time=2', ...args], {
    timeoutMs: 10_000,
  });
  assert.equal(r.code, 0, `dig ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.toString();
}

test('the source address picks the view over UDP and TCP; others get the default file', async () => {
  await withSuite(async (port) => {
    for (const transport of ['+notcp', '+tcp']) {
      const a = await dig(port, ['-b', '127.0.0.5', 'www.cdn.test', 'A', '+short', transport]);
      assert.equal(a, '127.0.0.10\n', transport);
      const other = await dig(port, ['-b', '127.0.1.5', 'www.cdn.test', 'A', '+short', transport]);
      assert.equal(other, '192.0.2.10\n', transport);
    }
  });
});

test('identical query bytes from two clients get their own views (no shared cache entry)', async () => {
  await withSuite(async (port) => {
    const args = ['www.cdn.test', 'A', '+short', '+nocookie'];
    for (let i = 0; i < 3; i++) {
      assert.equal(await dig(port, ['-b', '127.0.0.5', ...args]), '127.0.0.10\n');
      assert.equal(await dig(port, ['-b', '127.0.1.5', ...args]), '192.0.2.10\n');
    }
  });
});

test('ECS overrides the source address and is echoed with the scope (RFC 7871 §7.2.1)', async () => {
  await withSuite(async (port) => {
    const inView = await dig(port, ['-b', '127.0.1.5', '+subnet=127.0.0.0/24', 'www.cdn.test', 'A']);
    assert.match(inView, /www\.cdn\.test\.\s+300\s+IN\s+A\s+127\.0\.0\.10/);
    assert.match(inView, /CLIENT-SUBNET: 127\.0\.0\.0\/24\/24/);
    const v6 = await dig(port, ['-b', '127.0.0.5', '+subnet=2001:db8:1::/48', 'www.cdn.test', 'A']);
    assert.match(v6, /IN\s+A\s+127\.0\.6\.10/);
    assert.match(v6, /CLIENT-SUBNET: 2001:db8:1::\/48\/32/);
    // Outside every view: the default, valid for the prefix that misses every view (128.0.0.0/1).
    const out = await dig(port, ['-b', '127.0.0.5', '+subnet=192.0.2.0/24', 'www.cdn.test', 'A']);
    assert.match(out, /IN\s+A\s+192\.0\.2\.10/);
    assert.match(out, /CLIENT-SUBNET: 192\.0\.2\.0\/24\/1/);
    // A zone without views: the answer does not depend on the client, scope 0.
    const plain = await dig(port, ['+subnet=127.0.0.0/24', 'www.rr.test', 'A']);
    assert.match(plain, /CLIENT-SUBNET: 127\.0\.0\.0\/24\/0/);
    // SOURCE 0: the client asked that no address be used: the default data, scope 0.
    const zero = await dig(port, ['-b', '127.0.0.5', '+subnet=0.0.0.0/0', 'www.cdn.test', 'A']);
    assert.match(zero, /IN\s+A\s+192\.0\.2\.10/);
    assert.match(zero, /CLIENT-SUBNET: 0\.0\.0\.0\/0\/0/);
  });
});

test('malformed ECS options are FORMERR over UDP and TCP', async () => {
  await withSuite(async (port) => {
    const hostile = [
      '00030000', // family 3
      '0001', // too short
      '00012100' + '7f000001' + '00', // source /33
      '00011800' + '7f00', // too few address octets for /24
      '00011800' + '7f000001', // too many
      '00011700' + '7f0001', // a bit set beyond /23
      '00011808' + '7f0000', // scope set in a query
    ];
    for (const opt of hostile) {
      for (const transport of ['+notcp', '+tcp']) {
        const out = await dig(port, [`+ednsopt=8:${opt}`, transport, 'www.cdn.test', 'A']);
        assert.match(out, /status: FORMERR/, `${opt} ${transport}`);
      }
    }
  });
});

test('AXFR carries the default view, whatever the client address', async () => {
  await withSuite(async (port) => {
    for (const source of ['127.0.0.5', '127.0.1.5']) {
      const out = await dig(port, ['-b', source, 'AXFR', 'cdn.test']);
      assert.match(out, /www\.cdn\.test\.\s+300\s+IN\s+A\s+192\.0\.2\.10/);
      assert.doesNotMatch(out, /127\.0\.0\.10/);
    }
  });
});

test('a view file changing on disk is reloaded', async () => {
  await withSuite(async (port, dir) => {
    writeFileSync(join(dir, 'edge-a.zone'), zone(2, ['127.0.0.11']));
    await eventually(
      async () => (await dig(port, ['-b', '127.0.0.5', 'www.cdn.test', 'A', '+short'])) === '127.0.0.11\n',
      { what: 'the edge-a view reloaded' },
    );
    assert.equal(await dig(port, ['-b', '127.0.1.5', 'www.cdn.test', 'A', '+short']), '192.0.2.10\n');
  });
});

test('rotate = true: successive answers start with the next record, also through the cache', async () => {
  await withSuite(async (port) => {
    const firsts = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const out = await dig(port, ['www.rr.test', 'A', '+short', '+nocookie']);
      const lines = out.trim().split('\n');
      assert.deepEqual([...lines].sort(), ['192.0.2.1', '192.0.2.2', '192.0.2.3']);
      firsts.add(lines[0] ?? '');
    }
    assert.equal(firsts.size, 3);
  });
});
