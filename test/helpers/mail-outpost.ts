/**
 * Tier-3/4 fixture shared by the POP3 and IMAP tests: a real Outpost suite (startTestOutpost)
 * with one mail-reading protocol switched on, on 127.0.0.1 port 0 (plain with STARTTLS/STLS,
 * and implicit TLS), the real SQLite mail store shared through the suite, and `deliver()` to put
 * messages in with `store.accept()` as SMTP does. test/imap/helpers/imap-outpost.ts and
 * test/pop3/helpers/pop3-outpost.ts name it for their protocol.
 */
import { startTestOutpost, type TestOutpost } from '../../src/testing/index.js';
import { sharedMailStore } from '../../src/mail/service/mail-store.js';
import type { MailStore } from '../../src/mail/store/types.js';

export const ALICE = { address: 'alice@example.test', password: 'correct horse' };
export const BOB = { address: 'bob@example.test', password: 'battery staple' };

/** The protocols this fixture switches on (each has `listen` and `tls_listen`). */
export type MailProtocol = 'imap' | 'pop3';

/** A running suite with one mail protocol. */
export interface MailOutpost extends AsyncDisposable {
  outpost: TestOutpost;
  /** The plain listener (STARTTLS / STLS offered). */
  port: number;
  /** The implicit-TLS listener. */
  tlsPort: number;
  /** PEM of the suite's self-signed certificate (clients trust it as CA). */
  ca: string;
  store: MailStore;
  /** Delivers `text` (LF endings become CRLF) to `user`'s INBOX; resolves with its UID. */
  deliver(user: string, text: string): Promise<number>;
  close(): Promise<void>;
}

/** Starts the suite with ALICE and BOB and `[protocol]` (extra keys of that table merged in). */
export async function startMailOutpost(
  protocol: MailProtocol,
  settings: Record<string, unknown> = {},
): Promise<MailOutpost> {
  const outpost = await startTestOutpost({
    users: [ALICE, BOB],
    [protocol]: true,
    config: { [protocol]: { listen: ['127.0.0.1:0'], tls_listen: ['127.0.0.1:0'], ...settings } },
  });
  const endpoints = outpost.endpoints().filter((e) => e.service === protocol);
  const plain = endpoints.find((e) => e.tls !== 'implicit');
  const tls = endpoints.find((e) => e.tls === 'implicit');
  const provider = outpost.suite.context.tls;
  if (!plain || !tls || !provider) {
    await outpost.close();
    throw new Error(`${protocol} endpoints or TLS missing`);
  }
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
