/**
 * Connection accounting shared by every listener (the line-protocol TcpService, the DNS TCP
 * transport): how many connections are open in all and from each client IP, and whether one
 * more may be accepted. Memory stays bounded by the open connections: an IP whose count drops to
 * zero is forgotten.
 */

/** Why a connection was refused. */
export type RefusalReason = 'max_connections' | 'max_per_ip';

/** Counts open connections, in all and per client IP. */
export class ConnectionCounter {
  readonly #max: number;
  readonly #maxPerIp: number;
  readonly #perIp = new Map<string, number>();
  #total = 0;

  constructor(max: number, maxPerIp: number) {
    this.#max = max;
    this.#maxPerIp = maxPerIp;
  }

  /** Open connections in all. */
  get size(): number {
    return this.#total;
  }

  /** Counts a new connection from `ip`, or says why it must be refused (nothing counted then). */
  tryAdd(ip: string): RefusalReason | null {
    if (this.#total >= this.#max) return 'max_connections';
    const fromIp = this.#perIp.get(ip) ?? 0;
    if (fromIp >= this.#maxPerIp) return 'max_per_ip';
    this.#perIp.set(ip, fromIp + 1);
    this.#total++;
    return null;
  }

  /** A connection from `ip` that `tryAdd` counted has closed. */
  remove(ip: string): void {
    const left = (this.#perIp.get(ip) ?? 1) - 1;
    if (left <= 0) this.#perIp.delete(ip);
    else this.#perIp.set(ip, left);
    this.#total = Math.max(0, this.#total - 1);
  }
}
