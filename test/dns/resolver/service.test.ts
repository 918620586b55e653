/**
 * The `[resolver]` service in a suite, asked by ISC dig and Knot kdig over UDP and TCP: answers through a
 * loopback hierarchy (RA set), repeated questions from the packet cache with TTLs counted down,
 * REFUSED with EDE 18 for clients outside `allow` (cached answers included), and SERVFAIL
 * with EDE 22 within 5 s when every root server is silent, never silence.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { configFromObject } from '../../../src/core/config/load.js';
import type { OutpostConfigInput } from '../../../src/core/config/schema.js';
import { resolverServiceDefinition } from '../../../src/dns/resolver/service.js';
import { Suite } from '../../../src/suite/suite.js';
import { run } from '../../helpers/run.js';
import { tempDir } from '../../helpers/temp.js';
import { startLoopbackWorld, type LoopbackWorld } from './loopback-world.js';

async function startResolver(
  resolver: Partial<NonNullable<OutpostConfigInput['resolver']>> & { root_hints: string },
): Promise<{ suite: Suite; port: number }> {
  const suite = await Suite.start({
    config: configFromObject({
      data_dir: tempDir('outpost-resolver-data-'),
      resolver: { listen: ['127.0.0.1:0'], ...resolver },
    }),
    services: [resolverServiceDefinition],
  });
  return { suite, port: suite.endpoints()[0]?.port ?? 0 };
}

async function dig(port: number, ...args: string[]): Promise<string> {
  const r = await run('dig', ['@127.0.0.1', '-p', String(port), '+tries=1', '+time=8', ...args], {
    timeoutMs: 20_000,
  });
  return r.stdout.toString();
}

describe('resolver service with dig', () => {
  let world: LoopbackWorld;
  before(async () => {
    world = await startLoopbackWorld();
  });
  after(async () => {
    await world.close();
  });

  it('answers recursively over UDP and TCP', async () => {
    const { suite, port } = await startResolver({ root_hints: world.hintsFile, upstream_port: world.port });
    try {
      const out = await dig(port, 'www.example.test', 'A');
      assert.match(out, /status: NOERROR/);
      assert.match(out, /flags: qr rd ra;/);
      assert.match(out, /^www\.example\.test\.\s+\d+\s+IN\s+A\s+192\.0\.2\.1$/m);
      const tcp = await dig(port, '+tcp', 'far.example.test', 'A');
      assert.match(tcp, /^far\.example\.test\.\s+\d+\s+IN\s+CNAME\s+www\.other\.test\.$/m);
      assert.match(tcp, /^www\.other\.test\.\s+\d+\s+IN\s+A\s+198\.51\.100\.7$/m);
      const nx = await dig(port, 'nope.example.test', 'MX');
      assert.match(nx, /status: NXDOMAIN/);
      assert.match(nx, /AUTHORITY SECTION:\nexample\.test\.\s+\d+\s+IN\s+SOA/);
      assert.match(await dig(port, 'example.test', 'AXFR'), /Transfer failed|REFUSED/);
    } finally {
      await suite.close();
    }
  });

  it('answers Knot kdig over UDP and TCP', async () => {
    const { suite, port } = await startResolver({ root_hints: world.hintsFile, upstream_port: world.port });
    try {
      for (const extra of [[], ['+tcp']]) {
        const r = await run(
          'kdig',
          ['@127.0.0.1', '-p', String(port), '+retry=0', '+time=8', ...extra, 'www.old.dn.test', 'A'],
          {
            timeoutMs: 20_000,
          },
        );
        const out = r.stdout.toString();
        assert.match(out, /status: NOERROR/);
        assert.match(out, /Flags: qr rd ra;/);
        assert.match(out, /^old\.dn\.test\.\s+\d+\s+IN\s+DNAME\s+example\.test\.$/m);
        assert.match(out, /^www\.example\.test\.\s+\d+\s+IN\s+A\s+192\.0\.2\.1$/m);
      }
    } finally {
      await suite.close();
    }
  });

  it('answers a repeated question from its packet cache with the TTL counted down, never to a refused client', async () => {
    const { suite, port } = await startResolver({
      root_hints: world.hintsFile,
      upstream_port: world.port,
      allow: ['127.0.0.1/32'],
    });
    const ttl = (out: string): number =>
      Number(/^www\.example\.test\.\s+(\d+)\s+IN\s+A\s/m.exec(out)?.[1] ?? Number.NaN);
    try {
      const first = ttl(await dig(port, 'www.example.test', 'A'));
      const cached = await dig(port, 'www.example.test', 'A');
      await new Promise((r) => setTimeout(r, 2100));
      const later = ttl(await dig(port, 'www.example.test', 'A'));
      assert.ok(ttl(cached) <= first, `${String(ttl(cached))} after ${String(first)}`);
      assert.ok(later <= first - 2 && later > 0, `TTL ${String(later)} two seconds after ${String(first)}`);
      const refused = await dig(port, '-b', '127.0.0.2', 'www.example.test', 'A');
      assert.match(refused, /status: REFUSED/);
      assert.doesNotMatch(refused, /ANSWER SECTION/);
    } finally {
      await suite.close();
    }
  });

  it('refuses clients outside allow, with EDE 18', async () => {
    const { suite, port } = await startResolver({
      root_hints: world.hintsFile,
      upstream_port: world.port,
      allow: ['127.0.0.2/32'],
    });
    try {
      const out = await dig(port, 'www.example.test', 'A');
      assert.match(out, /status: REFUSED/);
      assert.match(out, /EDE: 18 \(Prohibited\)/);
    } finally {
      await suite.close();
    }
  });

  it('answers SERVFAIL with EDE 22 within 5 s when every root server is silent', async () => {
    const silent = createSocket('udp4');
    silent.bind(0, '127.53.30.1');
    await once(silent, 'listening');
    const dir = tempDir('outpost-resolver-dead-');
    const hintsFile = join(dir, 'root.hints');
    writeFileSync(
      hintsFile,
      '. 3600000 NS a.root.test.\n. 3600000 NS b.root.test.\na.root.test. 3600000 A 127.53.30.1\nb.root.test. 3600000 A 127.53.30.2\n',
    );
    const { suite, port } = await startResolver({
      root_hints: hintsFile,
      upstream_port: silent.address().port,
    });
    try {
      const started = Date.now();
      const out = await dig(port, 'www.example.test', 'A');
      const elapsed = Date.now() - started;
      assert.match(out, /status: SERVFAIL/);
      assert.match(out, /EDE: 22 \(No Reachable Authority\)/);
      assert.ok(elapsed < 5000, `${elapsed} ms`);
    } finally {
      await suite.close();
      silent.close();
    }
  });
});
