/**
 * Queue entry ids, the same in every mail-store backend: a time-ordered prefix (so ids sort
 * roughly by arrival) plus randomness, URL- and shell-safe for `outpost queue delete ID`.
 */
import { randomBytes } from 'node:crypto';

/** A new queue id for a message received at `now` (milliseconds since the epoch). */
export function newQueueId(now: number): string {
  return `${now.toString(36)}${randomBytes(6).toString('hex')}`;
}
