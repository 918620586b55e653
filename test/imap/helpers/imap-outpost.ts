/**
 * Tier-3/4 fixture: a real Outpost suite (startTestOutpost) with `[imap]` on 127.0.0.1 port 0
 * (plain with STARTTLS, and implicit TLS), the real SQLite mail store shared through the suite,
 * and `deliver()` to put messages in with `store.accept()` as SMTP does.
 */
import { startTestOutpost, type TestOutpost } from '../../../src/testing/index.js';
import { sharedMailStore } from '../../../src/mail/service/mail-store.js';
import type { MailStore } from '../../../src/mail/store/types.js';

export const ALICE = { address: 'alice@example.test', password: 'correct horse' };
export const BOB = { address: 'bob@example.test', password: 'battery staple' };

/** A running suite with IMAP. */
export interface ImapOutpost extends AsyncDisposable {
  outpost: TestOutpost;
  port: number;
  tlsPort: number;
  /** PEM of the suite's self-signed certificate (clients trust it as CA). */
  ca: string;
  store: MailStore;
  deliver(user: string, text: string): Promise<number>;
  close(): Promise<void>;
}

/** Starts the suite with `[imap]` (extra keys merged in). */
export async function startImapOutpost(imap: Record<string, unknown> = {}): Promise<ImapOutpost> {
  const outpost = await startTestOutpost({
    users: [ALICE, BOB],
    config: { imap: { listen: ['127.0.0.1:0'], tls_listen: ['127.0.0.1:0'], ...imap } },
  });
  const endpoints = outpost.endpoints().filter((e) => e.service === 'imap');
  const plain = endpoints.find((e) => e.tls !== 'implicit');
  const tls = endpoints.find((e) => e.tls === 'implicit');
  const provider = outpost.suite.context.tls;
  if (!plain || !tls || !provider) throw new Error('imap endpoints or TLS missing');
  const store = sharedMailStore(outpost.suite.context);
  return {
    outpost,
    port: plain.port,
    tlsPort: tls.port,
    ca: provider.certificatePem,
    store,
    async deliver(user, text) {
      const r = await store.accept({
        receivedAt: new Date(),
        local: [{ user }],
        localBytes: Buffer.from(text.replace(/\r?\n/g, '\r\n')),
      });
      const d = r.delivered[0];
      if (!d) throw new Error('not delivered');
      return d.uid;
    },
    close: () => outpost.close(),
    [Symbol.asyncDispose]: () => outpost.close(),
  };
}

/** A test message (LF endings; `deliver` makes them CRLF). */
export function testMessage(n: number, extra = ''): string {
  return [
    'From: Bob <bob@example.test>',
    'To: alice@example.test',
    `Subject: test message ${String(n)}`,
    `Message-ID: <m${String(n)}@example.test>`,
    'Date: Mon, 07 Dec 2026 10:00:00 +0000',
    '',
    `Body of message ${String(n)}.`,
    extra,
    '',
  ].join('\n');
}

/** Runs python3 with `script` and the common arguments (host, ports, CA file, user, password). */
export const PY_PRELUDE = String.raw`
import json, imaplib, ssl, sys, base64
host, port, tlsport, cafile, user, pw = sys.argv[1:7]
port, tlsport = int(port), int(tlsport)
ctx = ssl.create_default_context(cafile=cafile)
out = {}
def s(v):
    if isinstance(v, bytes): return v.decode('utf-8', 'replace')
    if isinstance(v, (list, tuple)): return [s(x) for x in v]
    return v
`;
