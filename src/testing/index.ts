/**
 * `outpost/testing`: helpers for other projects' test suites. Start Outpost's servers on port 0
 * with a throwaway data directory, get their addresses, read and wait for the mail they
 * delivered, watch their transcripts, close them with `await using`. Nothing here binds anything
 * but 127.0.0.1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromObject } from '../core/config/load.js';
import type { OutpostConfigInput } from '../core/config/schema.js';
import { subscribeTranscript, type TranscriptEntry } from '../core/transcript.js';
import type { Endpoint } from '../core/service/service.js';
import { Suite } from '../suite/suite.js';
import type { TestMessage } from './test-message.js';
import { mailReader } from './mail-reader.js';

export type { TestMessage } from './test-message.js';
/** A complete mail store in memory, for tests that want one without a data directory. */
export { MemoryMailStore, openMemoryMailStore, type MemoryMailStoreOptions } from '../mail/index.js';

/** A zone given inline: its apex and master-file text. */
export interface InlineZone {
  name: string;
  text: string;
}

export interface TestOutpostOptions {
  /** Zones served by the DNS server (turns DNS on). */
  zones?: InlineZone[];
  /** Users created with these passwords (their domains are added). */
  users?: { address: string; password: string }[];
  /** SMTP on 127.0.0.1:0: an MX listener (mail for the users' domains) and a submission
   *  listener (AUTH as one of `users`; plaintext AUTH is allowed on loopback). */
  smtp?: boolean;
  /** POP3 on 127.0.0.1:0 over the same mailboxes. */
  pop3?: boolean;
  /** IMAP on 127.0.0.1:0 over the same mailboxes (STARTTLS offered; LOGIN allowed on loopback). */
  imap?: boolean;
  /** FTP on 127.0.0.1:0; homes under the data directory. */
  ftp?: boolean;
  /** HTTP on 127.0.0.1:0 serving `root`. */
  http?: { root: string };
  /** Extra configuration, merged over the generated one (it wins over the switches above). */
  config?: Partial<OutpostConfigInput>;
}

/** A host and port on 127.0.0.1. */
export interface TestAddress {
  readonly host: string;
  readonly port: number;
}

/** What `waitForMessage` waits for. */
export interface WaitForMessageOptions {
  /** Only messages this returns true for (default: any). */
  match?: (message: TestMessage) => boolean;
  /** Default INBOX. */
  mailbox?: string;
  /** Default 5000 ms; the promise rejects after it. */
  timeoutMs?: number;
}

/** A running Outpost for a test. */
export interface TestOutpost extends AsyncDisposable {
  readonly suite: Suite;
  readonly dataDir: string;
  /** The DNS server's address, when DNS is on. */
  readonly dns: TestAddress | undefined;
  /** SMTP's MX listener (port-25 role: mail for our domains, no AUTH needed). */
  readonly smtp: TestAddress | undefined;
  /** SMTP submission (STARTTLS offered, AUTH required). */
  readonly submission: TestAddress | undefined;
  readonly pop3: TestAddress | undefined;
  /** IMAP's plain listener (STARTTLS offered). */
  readonly imap: TestAddress | undefined;
  readonly ftp: TestAddress | undefined;
  /** Base URL of the HTTP server, e.g. `http://127.0.0.1:40123`. */
  readonly http: string | undefined;
  /**
   * The PEM certificate the TLS endpoints present (the self-signed development certificate, or
   * the configured `[tls]` one): give it to clients as their CA, e.g. nodemailer's
   * `tls: { ca }`, basic-ftp's `secureOptions: { ca }`, node:tls/https's `ca`, undici's
   * `connect: { ca }`. Undefined when no service offers TLS.
   */
  readonly ca: string | undefined;
  endpoints(): Endpoint[];
  /** The messages in a user's mailbox (INBOX by default), oldest first (async, like the store). */
  messages(address: string, mailbox?: string): Promise<TestMessage[]>;
  /** The first message (already there or yet to come) that matches; rejects on timeout. */
  waitForMessage(address: string, options?: WaitForMessageOptions): Promise<TestMessage>;
  /** Closes every server and deletes the data directory. */
  close(): Promise<void>;
}

/** Starts Outpost on 127.0.0.1 port 0 with a temporary data directory. */
export async function startTestOutpost(options: TestOutpostOptions = {}): Promise<TestOutpost> {
  const dataDir = mkdtempSync(join(tmpdir(), 'outpost-test-'));
  const zones = (options.zones ?? []).map((zone) => {
    const file = join(dataDir, `${zone.name}.zone`);
    writeFileSync(file, zone.text);
    return { name: zone.name, file };
  });
  const any = ['127.0.0.1:0'];
  const input: OutpostConfigInput = {
    data_dir: dataDir,
    users: options.users ?? [],
    ...(zones.length > 0 ? { dns: { listen: any, zones } } : {}),
    ...(options.smtp === true ? { smtp: { listen: any, submission_listen: any } } : {}),
    ...(options.pop3 === true ? { pop3: { listen: any } } : {}),
    ...(options.imap === true ? { imap: { listen: any } } : {}),
    ...(options.ftp === true ? { ftp: { listen: any } } : {}),
    ...(options.http ? { http: { listen: any, root: options.http.root } } : {}),
    ...options.config,
  };
  let suite: Suite;
  try {
    suite = await Suite.start({ config: configFromObject(input) });
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const endpoints = suite.endpoints();
  // The first listener of a service (of a role), a plain one first: `config` may add TLS ones.
  const find = (service: string, role?: string): TestAddress | undefined => {
    const matching = endpoints.filter(
      (x) => x.service === service && (role === undefined || x.role === role),
    );
    const e = matching.find((x) => x.tls !== 'implicit') ?? matching[0];
    return e ? { host: e.host, port: e.port } : undefined;
  };
  const httpEndpoint = endpoints.find((e) => e.service === 'http' && e.tls === 'none');
  const mail = mailReader(suite);
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= suite.close().then(() => {
      rmSync(dataDir, { recursive: true, force: true });
    });
    return closed;
  };
  return {
    suite,
    dataDir,
    dns: find('dns'),
    smtp: find('smtp', 'mx'),
    submission: find('smtp', 'submission'),
    pop3: find('pop3'),
    imap: find('imap'),
    ftp: find('ftp'),
    http: httpEndpoint ? `http://${httpEndpoint.host}:${httpEndpoint.port}` : undefined,
    get ca() {
      return suite.context.tls?.certificatePem;
    },
    endpoints: () => suite.endpoints(),
    messages: (address, mailbox) => mail.messages(address, mailbox),
    waitForMessage: (address, waitOptions) => mail.waitFor(address, waitOptions),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Records every transcript line (C:/S:) until `stop()`. */
export function recordTranscript(filter: (entry: TranscriptEntry) => boolean = () => true): {
  readonly entries: TranscriptEntry[];
  stop(): void;
} {
  const entries: TranscriptEntry[] = [];
  const stop = subscribeTranscript((entry) => {
    if (filter(entry)) entries.push(entry);
  });
  return { entries, stop };
}

export { startTestWorld, type TestWorld, type TestWorldOptions, type TestWorldOrg } from './test-world.js';
