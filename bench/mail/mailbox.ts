/**
 * The mail benchmarks' maildrop (bench/pop3.ts, bench/imap.ts): 10,000 deterministic messages of realistic shape (headers of a
 * delivered message, text bodies of 1-12 KiB, a few lines starting with "." so dot-stuffing is
 * exercised), with CRLF line endings. The same bytes go into Outpost's store and Dovecot's Maildir.
 */
import { prng } from '../../test/dns/helpers.js';

const WORDS =
  'the quick brown fox jumps over a lazy dog while seven mail servers argue about dot stuffing and line lengths'.split(
    ' ',
  );

/** Message `i` (0-based) of the benchmark mailbox. */
export function benchMessage(i: number, random: () => number): Buffer {
  const date = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toUTCString().replace('GMT', '+0000');
  const lines = [
    'Return-Path: <sender@example.net>',
    `Received: from mx.example.net (mx.example.net [192.0.2.25]) by mail.example.test with ESMTPS id m${String(i)}; ${date}`,
    'From: Sender <sender@example.net>',
    'To: Alice <alice@example.test>',
    `Subject: benchmark message ${String(i + 1)}`,
    `Date: ${date}`,
    `Message-ID: <bench-${String(i)}@example.net>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
  ];
  const target = 1024 + Math.floor(random() * 11 * 1024);
  let size = lines.join('\r\n').length;
  while (size < target) {
    let line = '';
    const words = 8 + Math.floor(random() * 6);
    for (let w = 0; w < words; w++) line += `${WORDS[Math.floor(random() * WORDS.length)] ?? 'x'} `;
    if (random() < 0.02) line = `.${line}`;
    lines.push(line.trimEnd());
    size += line.length + 2;
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n`);
}

/** All `count` messages. */
export function benchMailbox(count: number): Buffer[] {
  const random = prng(6);
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) out.push(benchMessage(i, random));
  return out;
}
