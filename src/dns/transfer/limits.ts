/**
 * Every bound and default of zone replication (AXFR/IXFR in and out, NOTIFY, the secondary's
 * timers) in one place, with units and the RFC or the policy behind each, so the transfer client,
 * the secondary and the NOTIFY sender cannot drift apart.
 */

/** Defaults and caps of zone replication. */
export const TRANSFER_LIMITS = {
  /**
   * Octets of RR data we aim to pack into one outgoing AXFR message. The hard cap is 65535 (the
   * TCP length prefix, RFC 1035 §4.2.2; RFC 5936 §2.2 lets a server use as many messages as it
   * needs); the margin leaves room for the header, the question and an OPT record.
   */
  axfrMessageBudget: 64_000,
  /** Whole-transfer time limit of an incoming transfer, in milliseconds (our policy). */
  transferTimeoutMs: 60_000,
  /** Records accepted in one incoming transfer, both SOAs included (our policy). */
  maxTransferRecords: 1_000_000,
  /** Octets accepted in one incoming transfer, length prefixes excluded (our policy: 256 MiB). */
  maxTransferBytes: 256 * 1024 * 1024,
  /** Messages accepted in one incoming transfer (our policy; an RR needs at least 11 octets). */
  maxTransferMessages: 100_000,
  /** Wait for one NOTIFY reply, in milliseconds (RFC 1996 §3.6 leaves the interval to us). */
  notifyTimeoutMs: 2_000,
  /** NOTIFY retransmissions after the first attempt (RFC 1996 §3.6 suggests about 5). */
  notifyRetries: 5,
  /** Wait for the primary's SOA reply during a refresh check, in milliseconds. */
  soaQueryTimeoutMs: 5_000,
  /**
   * Floor under the SOA REFRESH and RETRY intervals, in seconds (our policy, like BIND's
   * min-refresh-time): a primary advertising 0 must not make us poll it in a loop.
   */
  minTimerSeconds: 5,
  /**
   * Longest single timer we arm, in milliseconds: Node's setTimeout holds a signed 32-bit delay;
   * longer waits (SOA timers are 32-bit seconds, RFC 1035 §3.3.13) are re-armed in steps.
   */
  maxTimerMs: 0x7fffffff,
} as const;
