/**
 * Which of a delegation's servers to ask, and how long to wait: the infrastructure cache. Each
 * server address keeps a smoothed RTT and its variance (RFC 6298 §2 arithmetic, as BIND and
 * Unbound keep per-server RTTs), the timeout is SRTT + 4 x RTTVAR within bounds, and a server
 * that timed out is avoided for a backoff period that doubles with each further timeout: an
 * unresponsive server costs one timeout, then other servers are asked first until its backoff
 * ends. Servers never heard from are tried with a middling timeout and a random place among
 * themselves, so load spreads over a delegation. Pure: the clock and randomness are injected.
 */
import { DEFAULT_TIMING, type TimingLimits } from './limits.js';

/** An upstream server. */
export interface ServerAddress {
  readonly address: string;
  readonly port: number;
}

interface Stat {
  srtt: number;
  rttvar: number;
  timeouts: number;
  avoidUntil: number;
}

/** Most servers remembered (oldest forgotten first). */
const MAX_SERVERS = 10_000;

export function serverKey(s: ServerAddress): string {
  return `${s.address}#${s.port}`;
}

/** Server statistics shared by every resolution. */
export class ServerSelection {
  readonly timing: TimingLimits;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #stats = new Map<string, Stat>();

  constructor(options: { timing?: Partial<TimingLimits>; now?: () => number; random?: () => number } = {}) {
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
  }

  /** Servers to try, best first: answering ones by SRTT, unknown ones shuffled, avoided ones last. */
  order(servers: readonly ServerAddress[]): ServerAddress[] {
    const now = this.#now();
    const scored = servers.map((s) => {
      const stat = this.#stats.get(serverKey(s));
      const avoided = stat !== undefined && stat.avoidUntil > now;
      const rtt = stat === undefined ? this.timing.unknownTimeoutMs / 4 : stat.srtt;
      return { s, avoided, score: rtt, tie: this.#random() };
    });
    scored.sort((a, b) =>
      a.avoided !== b.avoided ? (a.avoided ? 1 : -1) : a.score - b.score || a.tie - b.tie,
    );
    return scored.map((x) => x.s);
  }

  /** Forgets every server's statistics (as a restart would). */
  clear(): void {
    this.#stats.clear();
  }

  /** True while `server` is in its backoff period. */
  avoided(server: ServerAddress): boolean {
    const stat = this.#stats.get(serverKey(server));
    return stat !== undefined && stat.avoidUntil > this.#now();
  }

  /** Timeout for one attempt to `server`; doubled on each further pass (exponential backoff). */
  timeoutFor(server: ServerAddress, pass = 0): number {
    const t = this.timing;
    const stat = this.#stats.get(serverKey(server));
    const base = stat === undefined || stat.srtt === 0 ? t.unknownTimeoutMs : stat.srtt + 4 * stat.rttvar;
    return Math.min(t.maxTimeoutMs, Math.max(t.minTimeoutMs, base) * 2 ** pass);
  }

  /** A reply arrived after `rttMs`. */
  success(server: ServerAddress, rttMs: number): void {
    const stat = this.#stat(server);
    const rtt = Math.max(0, rttMs);
    if (stat.srtt === 0 && stat.rttvar === 0) {
      stat.srtt = rtt;
      stat.rttvar = rtt / 2;
    } else {
      stat.rttvar = 0.75 * stat.rttvar + 0.25 * Math.abs(stat.srtt - rtt);
      stat.srtt = 0.875 * stat.srtt + 0.125 * rtt;
    }
    stat.timeouts = 0;
    stat.avoidUntil = 0;
  }

  /** No usable reply (timeout, unreachable): back off, doubling up to the ceiling. */
  failure(server: ServerAddress): void {
    const stat = this.#stat(server);
    stat.timeouts++;
    const t = this.timing;
    stat.avoidUntil = this.#now() + Math.min(t.maxBackoffMs, t.backoffMs * 2 ** (stat.timeouts - 1));
  }

  #stat(server: ServerAddress): Stat {
    const key = serverKey(server);
    let stat = this.#stats.get(key);
    if (stat === undefined) {
      if (this.#stats.size >= MAX_SERVERS) {
        const oldest = this.#stats.keys().next();
        if (oldest.done !== true) this.#stats.delete(oldest.value);
      }
      stat = { srtt: 0, rttvar: 0, timeouts: 0, avoidUntil: 0 };
      this.#stats.set(key, stat);
    }
    return stat;
  }
}
