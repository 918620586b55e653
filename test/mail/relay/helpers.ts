// The two-host mini-Internet for relay tests: hamburger.test (bob) receives on 127.0.0.2 and
// serves the DNS zones; crepes.test (alice) submits and relays on 127.0.0.1, resolving MX
// records through the receiver's DNS and relaying to the receiver's ephemeral MX port.
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { OutpostConfigInput } from '../../../src/core/config/schema.js';
import { openSqliteMailStore } from '../../../src/mail/store/index.js';
import { startTestOutpost, type TestOutpost } from '../../../src/testing/index.js';
import { inbox } from '../smtp/helpers.js';
import { eventually } from '../../helpers/eventually.js';

export const ALICE = { address: 'alice@crepes.test', password: 'alice-secret-1' };
export const BOB = { address: 'bob@hamburger.test', password: 'bob-secret-1' };

/** A zone whose apex MX points at `mx.<domain>` with address `ip`, plus optional extra records. */
export function mxZone(domain: string, ip: string, extra = ''): { name: string; text: string } {
  return {
    name: domain,
    text: `$ORIGIN ${domain}.\n$TTL 60\n@ IN SOA ns hostmaster 1 3600 600 86400 60\n@ IN NS ns\nns IN A 127.0.0.1\n@ IN MX 10 mx\nmx IN A ${ip}\n${extra}`,
  };
}

/** Starts the receiving host (MX on 127.0.0.2, DNS on 127.0.0.1 with both zones). */
export async function startReceiver(
  extraZoneText = '',
): Promise<{ outpost: TestOutpost; mxPort: number; dns: string }> {
  const outpost = await startTestOutpost({
    zones: [mxZone('hamburger.test', '127.0.0.2', extraZoneText), mxZone('crepes.test', '127.0.0.1')],
    users: [BOB],
    config: { hostname: 'mx.hamburger.test', smtp: { listen: ['127.0.0.2:0'] } },
  });
  const mx = outpost.endpoints().find((e) => e.service === 'smtp');
  if (!mx || !outpost.dns) throw new Error('receiver has no MX or DNS endpoint');
  return { outpost, mxPort: mx.port, dns: `${outpost.dns.host}:${String(outpost.dns.port)}` };
}

/** The sender's `[smtp]` table: MX + submission on 127.0.0.1, relaying via `dns` to `relayPort`. */
export function senderSmtpConfig(dns: string, relayPort: number): NonNullable<OutpostConfigInput['smtp']> {
  return {
    listen: ['127.0.0.1:0'],
    submission_listen: ['127.0.0.1:0'],
    relay_port: relayPort,
    dns_server: dns,
    retry_initial_seconds: 1,
    retry_max_seconds: 2,
  };
}

/** Starts the sending host (alice) in-process. */
export async function startSender(
  dns: string,
  relayPort: number,
): Promise<{ outpost: TestOutpost; submissionPort: number }> {
  const outpost = await startTestOutpost({
    users: [ALICE],
    config: { hostname: 'mx.crepes.test', smtp: senderSmtpConfig(dns, relayPort) },
  });
  const sub = outpost
    .endpoints()
    .find((e) => e.service === 'smtp' && /submission/.test(e.note ?? '') && e.tls !== 'implicit');
  if (!sub) throw new Error('sender has no submission endpoint');
  return { outpost, submissionPort: sub.port };
}

/** The messages in a user's INBOX of a data directory, read through a second store handle. */
export async function inboxOf(dataDir: string, user: string): Promise<string[]> {
  const store = openSqliteMailStore({ path: join(dataDir, 'mail.db') });
  try {
    return await inbox(store, user);
  } finally {
    await store.close();
  }
}

/** Polls `inboxOf` until `predicate` holds (bounded: 30 s), returning that listing. */
export async function waitForInbox(
  dataDir: string,
  user: string,
  predicate: (msgs: string[]) => boolean,
): Promise<string[]> {
  let msgs: string[] = [];
  return eventually(
    async () => {
      msgs = await inboxOf(dataDir, user);
      return predicate(msgs) && msgs;
    },
    {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: () => `${user}'s INBOX to match (has ${String(msgs.length)})`,
    },
  );
}

/** Submits as alice with nodemailer (a peer nobody here wrote): STARTTLS required, AUTH. */
export async function submitAsAlice(
  port: number,
  mail: { to: string; subject: string; text: string; from?: string },
): Promise<{ accepted: unknown[] }> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    requireTLS: true,
    tls: { rejectUnauthorized: false },
    auth: { user: ALICE.address, pass: ALICE.password },
  });
  try {
    const info = await transport.sendMail({ from: ALICE.address, ...mail });
    return { accepted: info.accepted };
  } finally {
    transport.close();
  }
}
