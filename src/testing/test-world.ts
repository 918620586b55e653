/**
 * `startTestWorld`: the mini-Internet of `outpost world` as a test fixture. Generates a world in a
 * temporary directory on a 127.x network and port offset of the caller's choosing (defaults:
 * 127.77.0 and +30000, away from the embedded default, 127.0.0.1-3 and 127.0.0.53), starts it,
 * and hands back the resolver's address, each organisation's endpoints and mailboxes, and the
 * generated passwords. `close()` drains every server and deletes the directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { World } from '../world/index.js';
import { mailReader } from './mail-reader.js';
import type { TestAddress, WaitForMessageOptions } from './index.js';
import type { TestMessage } from './test-message.js';

export interface TestWorldOptions {
  /** First three octets of the hosts' addresses (default `127.77.0`). */
  net?: string;
  /** Added to every standard port (default 30000). */
  portOffset?: number;
}

/** One organisation of a test world (`crepes.test`, `hamburger.test`). */
export interface TestWorldOrg {
  readonly domain: string;
  readonly dataDir: string;
  /** Its name server. */
  readonly dns: TestAddress;
  /** The mail host's MX, submission, POP3 and IMAP listeners. */
  readonly smtp: TestAddress;
  readonly submission: TestAddress;
  readonly pop3: TestAddress;
  readonly imap: TestAddress;
  /** Its web server's base URL. */
  readonly http: string;
  /** The development certificate its TLS listeners present. */
  readonly ca: string | undefined;
  messages(address: string, mailbox?: string): Promise<TestMessage[]>;
  waitForMessage(address: string, options?: WaitForMessageOptions): Promise<TestMessage>;
}

export interface TestWorld extends AsyncDisposable {
  readonly world: World;
  readonly dir: string;
  /** The recursive resolver. */
  readonly resolver: TestAddress;
  /** Generated users and their passwords: alice@crepes.test, bob@hamburger.test. */
  readonly passwords: ReadonlyMap<string, string>;
  org(domain: string): TestWorldOrg;
  close(): Promise<void>;
}

/** Generates and starts a world in a temporary directory. */
export async function startTestWorld(options: TestWorldOptions = {}): Promise<TestWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-world-'));
  let world: World;
  try {
    world = await World.start({
      dir,
      net: options.net ?? '127.77.0',
      portOffset: options.portOffset ?? 30000,
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const address = (suite: string, service: string, role?: string): TestAddress => {
    const e = world
      .suite(suite)
      .endpoints()
      .find((x) => x.service === service && (role === undefined || x.role === role));
    if (e === undefined) throw new Error(`world suite ${suite} has no ${service} ${role ?? ''} endpoint`);
    return { host: e.host, port: e.port };
  };
  const org = (domain: string): TestWorldOrg => {
    const suite = world.suite(domain);
    const http = address(domain, 'http');
    const mail = mailReader(suite);
    return {
      domain,
      dataDir: suite.context.config.data_dir,
      dns: address(domain, 'dns'),
      smtp: address(domain, 'smtp', 'mx'),
      submission: address(domain, 'smtp', 'submission'),
      pop3: address(domain, 'pop3'),
      imap: address(domain, 'imap'),
      http: `http://${http.host}:${String(http.port)}`,
      ca: suite.context.tls?.certificatePem,
      messages: (user, mailbox) => mail.messages(user, mailbox),
      waitForMessage: (user, waitOptions) => mail.waitFor(user, waitOptions),
    };
  };
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= world.close().then(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    return closed;
  };
  return {
    world,
    dir,
    resolver: address('resolver', 'resolver'),
    passwords: new Map(world.newCredentials.map((c) => [c.address, c.password])),
    org,
    close,
    [Symbol.asyncDispose]: close,
  };
}
