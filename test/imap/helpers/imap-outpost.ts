/**
 * Tier-3/4 fixture: the shared "suite with a protocol switched on" (test/helpers/mail-outpost.ts)
 * with `[imap]`, plus IMAP's test message and the python3 imaplib prelude.
 */
import { startMailOutpost, type MailOutpost } from '../../helpers/mail-outpost.js';

export { ALICE, BOB } from '../../helpers/mail-outpost.js';

/** A running suite with IMAP (plain + STARTTLS on `port`, implicit TLS on `tlsPort`). */
export type ImapOutpost = MailOutpost;

/** Starts the suite with `[imap]` (extra keys merged in). */
export function startImapOutpost(imap: Record<string, unknown> = {}): Promise<ImapOutpost> {
  return startMailOutpost('imap', imap);
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
