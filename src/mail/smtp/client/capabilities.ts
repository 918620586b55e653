/**
 * EHLO reply parsing (RFC 5321 §4.1.1.1): the first line is the server's name and greeting, each
 * further line an extension keyword with optional parameters. Also the obsolete `AUTH=PLAIN
 * LOGIN` spelling some servers still send.
 */
import type { SmtpReply } from '../codec/reply.js';

/** What a server said it supports. */
export class Capabilities {
  readonly #keywords = new Map<string, readonly string[]>();
  /** The domain the server named in its EHLO reply. */
  readonly serverName: string;

  constructor(reply: SmtpReply | null) {
    const [first = '', ...rest] = reply?.lines ?? [];
    this.serverName = first.split(' ')[0] ?? '';
    for (const line of rest) {
      const m = /^([A-Za-z0-9][A-Za-z0-9-]*)(?:[ =](.*))?$/.exec(line.trim());
      if (!m) continue;
      const keyword = (m[1] ?? '').toUpperCase();
      const params = (m[2] ?? '').split(' ').filter((p) => p !== '');
      const previous = this.#keywords.get(keyword) ?? [];
      this.#keywords.set(keyword, [...previous, ...params]);
    }
  }

  /** True when the server listed `keyword` (case-insensitive). */
  has(keyword: string): boolean {
    return this.#keywords.has(keyword.toUpperCase());
  }

  /** The parameters of `keyword`, [] when none or absent. */
  params(keyword: string): readonly string[] {
    return this.#keywords.get(keyword.toUpperCase()) ?? [];
  }

  /** RFC 1870 SIZE limit; 0 when the server announced no fixed limit; null without SIZE. */
  get maxSize(): number | null {
    if (!this.has('SIZE')) return null;
    const n = Number(this.params('SIZE')[0] ?? '0');
    return Number.isSafeInteger(n) && n >= 0 ? n : 0;
  }

  /** SASL mechanisms offered (upper case). */
  get authMechanisms(): string[] {
    return this.params('AUTH').map((m) => m.toUpperCase());
  }

  /** Every keyword, for logs and tests. */
  get keywords(): string[] {
    return [...this.#keywords.keys()];
  }
}
