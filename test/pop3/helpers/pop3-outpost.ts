/**
 * Tier-3/4 fixture: the shared "suite with a protocol switched on" (test/helpers/mail-outpost.ts)
 * with `[pop3]`, plus POP3's test message (with a line that needs dot-stuffing).
 */
import { startMailOutpost, type MailOutpost } from '../../helpers/mail-outpost.js';

export { ALICE, BOB } from '../../helpers/mail-outpost.js';

/** A running suite with POP3 (plain + STLS on `port`, implicit TLS on `tlsPort`). */
export type Pop3Outpost = MailOutpost;

/** Starts the suite; `allowPlaintextOnLoopback` defaults to true as in the config. */
export function startPop3Outpost(options: { allowPlaintextOnLoopback?: boolean } = {}): Promise<Pop3Outpost> {
  return startMailOutpost('pop3', { allow_plaintext_on_loopback: options.allowPlaintextOnLoopback ?? true });
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
