/**
 * Tier-3/4 fixture: a real Outpost suite (startTestOutpost) with `[pop3]` on 127.0.0.1 port 0
 * (plain with STLS, and implicit TLS), the real SQLite mail store shared through the suite, and
 * `deliver()` to put messages in with `store.accept()` as SMTP does.
 */
import { startTestOutpost, type TestOutpost } from '../../../src/testing/index.js';
import { sharedMailStore } from '../../../src/mail/service/mail-store.js';
import type { MailStore } from '../../../src/mail/store/types.js';

export const ALICE = { address: 'alice@example.test', password: 'correct horse' };
export const BOB = { address: 'bob@example.test', password: 'battery staple' };

/** A running suite with POP3. */
export interface Pop3Outpost extends AsyncDisposable {
  outpost: TestOutpost;
  port: number;
  tlsPort: number;
  /** PEM of the suite's self-signed certificate (clients trust it as CA). */
  ca: string;
  store: MailStore;
  deliver(user: string, text: string): Promise<number>;
  close(): Promise<void>;
}

/** Starts the suite; `allowPlaintextOnLoopback` defaults to true as in the config. */
export async function startPop3Outpost(
  options: { allowPlaintextOnLoopback?: boolean } = {},
): Promise<Pop3Outpost> {
  const outpost = await startTestOutpost({
    users: [ALICE, BOB],
    config: {
      pop3: {
        listen: ['127.0.0.1:0'],
        tls_listen: ['127.0.0.1:0'],
        allow_plaintext_on_loopback: options.allowPlaintextOnLoopback ?? true,
      },
    },
  });
  const pop3 = outpost.endpoints().filter((e) => e.service === 'pop3');
  const plain = pop3.find((e) => e.tls !== 'implicit');
  const tls = pop3.find((e) => e.tls === 'implicit');
  const provider = outpost.suite.context.tls;
  if (!plain || !tls || !provider) throw new Error('pop3 endpoints or TLS missing');
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
    'From: bob@example.test',
    'To: alice@example.test',
    `Subject: test message ${String(n)}`,
    `Message-ID: <m${String(n)}@example.test>`,
    '',
    `Body of message ${String(n)}.`,
    '.a line that starts with a dot',
    extra,
    '',
  ].join('\n');
}
