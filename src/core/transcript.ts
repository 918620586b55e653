/**
 * The transcript tap: every line a client sends (C:) and every line a server writes (S:), for
 * every session of every protocol, published on a diagnostics_channel. With no subscriber the
 * cost is one boolean check per line, so it is always compiled in and off by default. People
 * learning the protocols watch it live (`outpost serve --transcript`), tests subscribe to it.
 * Secrets (passwords, AUTH payloads) are replaced before publication by the session's redactor.
 */
import { randomBytes } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';

/** One line of one session. `direction` '*' marks events such as connect, TLS, close. */
export interface TranscriptEntry {
  protocol: string;
  sessionId: string;
  direction: 'C' | 'S' | '*';
  text: string;
  /** Milliseconds since the epoch. */
  time: number;
  remoteAddress: string;
}

export const TRANSCRIPT_CHANNEL = 'outpost:transcript';

const channel = diagnostics.channel(TRANSCRIPT_CHANNEL);

/** True when someone is listening; callers skip building entries otherwise. */
export function transcriptActive(): boolean {
  return channel.hasSubscribers;
}

/** Publishes one entry (no-op without subscribers). */
export function publishTranscript(entry: TranscriptEntry): void {
  if (channel.hasSubscribers) channel.publish(entry);
}

/** Publishes the entries of one session; build it only after transcriptActive() said yes. */
export type TranscriptTap = (direction: TranscriptEntry['direction'], text: string) => void;

/**
 * A tap for one session of `protocol` (a fresh random id unless given), for transports that
 * have no LineConnection (HTTP, DNS). Entries are stamped with the time of each call.
 */
export function transcriptTap(
  protocol: string,
  remoteAddress: string,
  sessionId: string = randomBytes(6).toString('base64url'),
): TranscriptTap {
  return (direction, text) => {
    publishTranscript({ protocol, sessionId, direction, text, time: Date.now(), remoteAddress });
  };
}

/** Subscribes to every transcript entry; returns the unsubscribe function. */
export function subscribeTranscript(listener: (entry: TranscriptEntry) => void): () => void {
  const handler = (message: unknown): void => {
    listener(message as TranscriptEntry);
  };
  diagnostics.subscribe(TRANSCRIPT_CHANNEL, handler);
  return () => {
    diagnostics.unsubscribe(TRANSCRIPT_CHANNEL, handler);
  };
}

/** Formats an entry the way the textbook writes transcripts: `C: EHLO x`. */
export function formatTranscriptEntry(entry: TranscriptEntry): string {
  return `[${entry.protocol} ${entry.sessionId}] ${entry.direction}: ${entry.text}`;
}
