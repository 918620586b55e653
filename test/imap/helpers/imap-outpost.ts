/**
 * Tier-3/4 fixture: the shared "suite with a protocol switched on" (test/helpers/mail-outpost.ts)
 * with `[imap]`, plus IMAP's test message and python3 imaplib scripts run against it.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALICE, startMailOutpost, type MailOutpost } from '../../helpers/mail-outpost.js';
import { runText as run } from '../../helpers/run.js';
import { tempDir } from '../../helpers/temp.js';

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

/**
 * Runs an imaplib script (after PY_PRELUDE, which gives it host, ports, a CA file and ALICE's
 * credentials; `extraArgs` follow in sys.argv[7:]) against `imap`; resolves with the JSON object
 * it prints.
 */
export async function imaplib(
  imap: ImapOutpost,
  script: string,
  extraArgs: readonly string[] = [],
): Promise<Record<string, unknown>> {
  const dir = tempDir('imap-imaplib-');
  const cafile = join(dir, 'ca.pem');
  writeFileSync(cafile, imap.ca);
  // By name, so the TLS client sends SNI.
  const args = [
    'localhost',
    String(imap.port),
    String(imap.tlsPort),
    cafile,
    ALICE.address,
    ALICE.password,
    ...extraArgs,
  ];
  const r = await run('python3', ['-c', PY_PRELUDE + script, ...args]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}
