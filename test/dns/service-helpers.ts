/**
 * Shared by the DNS service tests: start a suite running only the DNS service from a config
 * object, and read the SOA serial a server is answering with.
 */
import { configFromObject } from '../../src/core/config/load.js';
import type { OutpostConfigInput } from '../../src/core/config/schema.js';
import { queryDns } from '../../src/dns/client/query.js';
import { dnsServiceDefinition } from '../../src/dns/service/dns-service.js';
import { RRType } from '../../src/dns/index.js';
import { Suite } from '../../src/suite/suite.js';

/** A suite with only the DNS service; `port` is its first listener's. */
export async function startDnsSuite(input: OutpostConfigInput): Promise<{ suite: Suite; port: number }> {
  const suite = await Suite.start({ config: configFromObject(input), services: [dnsServiceDefinition] });
  return { suite, port: suite.endpoints()[0]?.port ?? 0 };
}

/** The serial of example.test's SOA as served on 127.0.0.1:`port`, or undefined without one. */
export async function soaSerial(port: number): Promise<number | undefined> {
  const r = await queryDns({
    server: { host: '127.0.0.1', port },
    name: 'example.test',
    type: RRType.SOA,
    timeoutMs: 1000,
  });
  const data = r.message.answers[0]?.data;
  return data?.type === 'SOA' ? data.serial : undefined;
}
