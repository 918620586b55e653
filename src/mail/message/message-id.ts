/**
 * Message-ID generation (RFC 5322 §3.6.4): `<unique@hostname>`, where the left side combines the
 * time and 96 random bits so two hosts, processes or calls never collide.
 */
import { randomBytes } from 'node:crypto';

/** A new msg-id with angle brackets, e.g. `<mfx3k2.5f0c…@mail.crepes.test>`. */
export function generateMessageId(hostname: string, now: Date = new Date()): string {
  const host = /^[A-Za-z0-9.-]+$/.test(hostname) && hostname !== '' ? hostname : 'localhost';
  return `<${now.getTime().toString(36)}.${randomBytes(12).toString('hex')}@${host}>`;
}
