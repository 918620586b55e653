/**
 * The outbound queue runner: takes due entries from the store's durable queue, groups their
 * pending recipients by domain, finds each domain's mail hosts (MxResolver), relays with the SMTP
 * client (opportunistic STARTTLS, no certificate check, like MTAs), and records every recipient's
 * outcome with `recordAttempt`. 4xx and connection trouble defer with exponential backoff; 5xx,
 * a null MX or NXDOMAIN fail at once; recipients still pending after `maxAgeMs` expire (4.4.7).
 * Failures get one DSN (RFC 3464) per attempt, delivered through `store.accept` to a local
 * sender's INBOX or queued for a remote one, with the null reverse-path, and a message whose
 * sender is `<>` is never bounced (RFC 5321 §4.5.5). At-least-once: recipients stay pending
 * until the attempt is recorded, so a crash mid-delivery re-delivers after restart; the bounce is
 * committed before the attempt that caused it, so a crash duplicates rather than loses it.
 * A DSN for a local sender without an enabled account (deleted or disabled since it sent) goes
 * to the postmaster's INBOX instead, like Postfix's double bounce; with no postmaster account it
 * is dropped and logged. DSNs travel with `<>`, so a bounce never causes another one.
 *
 * `reconfigure` (SIGHUP) swaps the relay port, resolver, lifetime, backoff and local-recipient
 * rules in place. Each attempt reads the settings once when it starts, so an attempt in flight
 * finishes with the settings it began with and the next attempt uses the new ones; the runner,
 * its in-flight set (what keeps an entry from being attempted twice at once) and its timer stay
 * the same. That is simpler than swapping runners, which would need the two to share that set to
 * avoid delivering an in-flight entry twice. Entries already scheduled keep their due time: the
 * new backoff applies from their next attempt.
 */
import type { Counter } from 'prom-client';
import { systemClock, type Clock, type ClockTimer } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { ServiceMetrics } from '../../core/metrics.js';
import { domainOf } from '../message/address.js';
import { buildDsn, type DsnRecipient } from '../message/dsn.js';
import { replyClass, replyText, type SmtpReply } from '../smtp/codec/reply.js';
import { SmtpClient, SmtpClientError, type SmtpClientOptions } from '../smtp/client/smtp-client.js';
import type { MailStore, QueueEntry, QueueRecipient, RecipientOutcome } from '../store/types.js';
import { QUEUE_LIMITS, retryDelay } from './limits.js';
import type { MxResolver } from './mx-resolver.js';

/** Options of QueueRunner. */
export interface QueueRunnerOptions {
  readonly store: MailStore;
  /** Our name: EHLO, Reporting-MTA, MAILER-DAEMON@. */
  readonly hostname: string;
  /** Port of remote MX hosts (25; tests use any). */
  readonly relayPort: number;
  readonly resolver: MxResolver;
  /** True for domains we receive mail for (bounces to their users go straight to INBOX). */
  readonly isLocalDomain: (domain: string) => Promise<boolean>;
  /** The canonical address of a local user (for bounces); null when there is none. Default: as given. */
  readonly localUser?: (address: string) => Promise<string | null>;
  /** The account that gets bounces for local senders without an account; null when none. */
  readonly postmaster?: () => Promise<string | null>;
  readonly logger: Logger;
  /** Counts each recipient's outcome (`outpost_deliveries_total`, route `remote`). */
  readonly metrics?: ServiceMetrics;
  /** Time and timers: when work is due, the poll and retry timers, close()'s grace (default: the
   *  system clock, which node:test's mock.timers fakes). */
  readonly clock?: Clock;
  /** The time of attempts, DSNs and expiry when it must differ from `clock` (tests stepping
   *  `runOnce` by hand). */
  readonly now?: () => Date;
  /** Delays after the 1st, 2nd… attempt, in ms (the last repeats); default exponential backoff. */
  readonly retrySchedule?: readonly number[];
  /** Exponential backoff bounds when no schedule is given, in ms. */
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  /** Give up on a message this old (default 5 days). */
  readonly maxAgeMs?: number;
  /** Look at the store at least this often (noticing `outpost queue flush`), in ms. */
  readonly pollIntervalMs?: number;
  /** Entries delivered in parallel. */
  readonly concurrency?: number;
  /** How long close() waits for deliveries in flight before cutting them, in ms (default 10 s). */
  readonly closeGraceMs?: number;
  /** Extra SMTP client options: source address, timeouts, TLS (tests). */
  readonly client?: Partial<Pick<SmtpClientOptions, 'localAddress' | 'timeouts' | 'security' | 'tls'>>;
}

/** What `QueueRunner.reconfigure` can change; keys left out keep their value. */
export type QueueRunnerSettings = Partial<
  Pick<
    QueueRunnerOptions,
    | 'relayPort'
    | 'resolver'
    | 'isLocalDomain'
    | 'localUser'
    | 'postmaster'
    | 'retrySchedule'
    | 'retryInitialMs'
    | 'retryMaxMs'
    | 'maxAgeMs'
  >
>;

/** A recipient's result for this attempt, with what the DSN needs. */
interface Outcome extends RecipientOutcome {
  readonly status: string;
  readonly remoteMta?: string;
}

function statusOf(r: SmtpReply): string {
  return r.enhanced ?? `${String(replyClass(r) === 2 ? 2 : replyClass(r) === 5 ? 5 : 4)}.0.0`;
}

function outcomeOf(address: string, r: SmtpReply, remoteMta?: string): Outcome {
  const cls = replyClass(r);
  return {
    address,
    outcome: cls === 2 ? 'delivered' : cls === 5 ? 'failed' : 'deferred',
    reply: replyText(r),
    status: statusOf(r),
    ...(remoteMta === undefined ? {} : { remoteMta }),
  };
}

/** True when the recipient asked for failure notices (RFC 3461 §4.1: default is FAILURE). */
function wantsFailureDsn(r: QueueRecipient): boolean {
  return r.notify === undefined || r.notify.length === 0 || r.notify.includes('FAILURE');
}

/** Delivers the outbound queue. */
export class QueueRunner {
  /** Replaced (never mutated) by reconfigure; an attempt keeps the object it started with. */
  #o: QueueRunnerOptions;
  readonly #log: Logger;
  readonly #deliveries: Counter<'route' | 'result'> | undefined;
  readonly #clock: Clock;
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #clients = new Set<SmtpClient>();
  #timer: ClockTimer | null = null;
  /** When `#timer` fires (clock time). */
  #timerAt = 0;
  /** The last `#startDue` pass; the next one starts after it (see `#startDue`). */
  #starting: Promise<unknown> = Promise.resolve();
  #started = false;
  #closed = false;
  #closing: Promise<void> | null = null;

  constructor(options: QueueRunnerOptions) {
    this.#o = options;
    this.#log = options.logger;
    this.#deliveries = options.metrics?.deliveriesTotal;
    this.#clock = options.clock ?? systemClock;
  }

  #now(): Date {
    return this.#o.now?.() ?? new Date(this.#clock.now());
  }

  /**
   * Applies new settings from the next attempt on (see the file comment); attempts in flight
   * finish with theirs.
   */
  reconfigure(settings: QueueRunnerSettings): void {
    this.#o = { ...this.#o, ...settings };
  }

  /** Starts looking for due work (now, then on its own timer). */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.kick();
  }

  /** Looks for due work now (after an accept, or a flush). */
  kick(): void {
    if (!this.#started || this.#closed) return;
    this.#schedule(0);
  }

  /**
   * Starts every due entry (up to the concurrency) and waits for them: the deterministic step
   * tests use with a fake clock. Returns how many entries were attempted.
   */
  async runOnce(): Promise<number> {
    const started = await this.#startDue();
    await Promise.all([...this.#inFlight.values()]);
    return started;
  }

  /** Entries being delivered right now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Stops; waits (bounded) for deliveries in flight, then cuts their connections. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    const all = Promise.all([...this.#inFlight.values()]);
    let grace: ClockTimer | undefined;
    const timedOut = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((resolve) => {
        grace = this.#clock.setTimeout(() => {
          resolve(true);
        }, this.#o.closeGraceMs ?? QUEUE_LIMITS.closeGraceMs);
      }),
    ]);
    if (grace !== undefined) this.#clock.clearTimeout(grace);
    if (timedOut) {
      // Entries stay pending: they are delivered (again) after restart, never lost.
      for (const c of this.#clients) c.destroy();
      await all;
    }
  }

  /** Arms the timer for `delayMs` from now, unless it is already armed to fire sooner. */
  #schedule(delayMs: number): void {
    if (this.#closed) return;
    const at = this.#clock.now() + Math.max(0, delayMs);
    if (this.#timer !== null) {
      if (this.#timerAt <= at) return;
      this.#clock.clearTimeout(this.#timer);
    }
    this.#timerAt = at;
    this.#timer = this.#clock.setTimeout(
      () => {
        this.#timer = null;
        this.#tick();
      },
      Math.max(0, delayMs),
    );
  }

  #tick(): void {
    void this.#tickNow();
  }

  async #tickNow(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#startDue();
    } catch (err) {
      this.#log.error({ err }, 'queue: cannot read the queue');
    }
    const poll = this.#o.pollIntervalMs ?? QUEUE_LIMITS.pollIntervalMs;
    let next: Date | null = null;
    try {
      next = await this.#o.store.queue.nextDueAt();
    } catch {
      // The poll below retries.
    }
    const wait = next === null ? poll : next.getTime() - this.#now().getTime();
    // Due but busy: finishing deliveries kick again; otherwise wait for the due time.
    this.#schedule(wait <= 0 ? poll : Math.min(wait, poll));
  }

  /**
   * Starts due entries up to the concurrency. Passes run one after the other (a timer tick and a
   * `runOnce` never both pick the same entry), and `#attempt` re-reads its entry first, so an
   * entry that finished an attempt between the `due` read and its start is not sent twice.
   */
  #startDue(): Promise<number> {
    const pass = this.#starting.then(() => this.#startDueNow());
    this.#starting = pass.catch(() => undefined);
    return pass;
  }

  async #startDueNow(): Promise<number> {
    const limit = this.#o.concurrency ?? QUEUE_LIMITS.concurrency;
    if (limit - this.#inFlight.size <= 0 || this.#closed) return 0;
    const listed = await this.#o.store.queue.due(this.#now(), limit + this.#inFlight.size);
    const free = limit - this.#inFlight.size;
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- close() may run during the await
    if (free <= 0 || this.#closed) return 0;
    const due = listed.filter((e) => !this.#inFlight.has(e.id)).slice(0, free);
    for (const entry of due) {
      const p = this.#attempt(entry)
        .catch((err: unknown) => {
          this.#log.error({ err, queueId: entry.id }, 'queue: attempt failed');
        })
        .finally(() => {
          this.#inFlight.delete(entry.id);
          this.kick();
        });
      this.#inFlight.set(entry.id, p);
    }
    return due.length;
  }

  /** One attempt at one entry: every pending recipient, domain by domain. */
  async #attempt(listed: QueueEntry): Promise<void> {
    const o = this.#o;
    const entry = await o.store.queue.get(listed.id);
    // Deleted, or attempted by a pass that finished after the `due` read: nothing to do now.
    if (entry === null || entry.attempts !== listed.attempts) return;
    const bytes = await o.store.queue.readBytes(entry.id);
    if (bytes === null) return;
    const pending = entry.recipients.filter((r) => r.status === 'pending');
    const byDomain = new Map<string, QueueRecipient[]>();
    for (const r of pending) {
      const d = domainOf(r.address);
      byDomain.set(d, [...(byDomain.get(d) ?? []), r]);
    }
    const outcomes: Outcome[] = [];
    for (const [domain, recipients] of byDomain) {
      outcomes.push(...(await this.#deliverDomain(o, entry, bytes, domain, recipients)));
    }
    const now = this.#now();
    const expired = now.getTime() - entry.createdAt.getTime() >= (o.maxAgeMs ?? QUEUE_LIMITS.maxAgeMs);
    const final = outcomes.map((o): Outcome =>
      o.outcome === 'deferred' && expired
        ? {
            ...o,
            outcome: 'failed',
            status: '4.4.7',
            reply: `message expired after ${String(entry.attempts + 1)} attempts; last error: ${o.reply}`,
          }
        : o,
    );
    const failed = final.filter((o) => o.outcome === 'failed');
    if (failed.length > 0) await this.#bounce(o, entry, bytes, failed, now);
    const delay = retryDelay(entry.attempts + 1, {
      ...(o.retrySchedule === undefined ? {} : { schedule: o.retrySchedule }),
      ...(o.retryInitialMs === undefined ? {} : { initialMs: o.retryInitialMs }),
      ...(o.retryMaxMs === undefined ? {} : { maxMs: o.retryMaxMs }),
    });
    const nextAttemptAt = new Date(now.getTime() + delay);
    await o.store.queue.recordAttempt(
      entry.id,
      final.map(({ address, outcome, reply }) => ({ address, outcome, reply })),
      nextAttemptAt,
    );
    // One line per recipient, as Postfix logs status=sent/deferred/bounced.
    for (const f of final) {
      const result = f.outcome === 'failed' ? 'bounced' : f.outcome;
      this.#deliveries?.inc({ route: 'remote', result });
      this.#log.info(
        {
          queueId: entry.id,
          to: f.address,
          reply: f.reply,
          ...(f.remoteMta === undefined ? {} : { relay: f.remoteMta }),
          ...(result === 'deferred' ? { nextAttemptAt: nextAttemptAt.toISOString() } : {}),
        },
        `queue: ${result}`,
      );
    }
  }

  async #deliverDomain(
    o: QueueRunnerOptions,
    entry: QueueEntry,
    bytes: Buffer,
    domain: string,
    recipients: readonly QueueRecipient[],
  ): Promise<Outcome[]> {
    const all = (
      outcome: 'deferred' | 'failed',
      status: string,
      reply: string,
      remoteMta?: string,
    ): Outcome[] =>
      recipients.map((r) => ({
        address: r.address,
        outcome,
        status,
        reply,
        ...(remoteMta === undefined ? {} : { remoteMta }),
      }));
    let mx;
    try {
      mx = await o.resolver.resolve(domain);
    } catch (err) {
      return all('deferred', '4.4.3', `451 4.4.3 MX lookup failed: ${(err as Error).message}`);
    }
    if (mx.kind !== 'hosts') {
      return all(
        mx.kind === 'permanent' ? 'failed' : 'deferred',
        mx.status,
        `${String(mx.code)} ${mx.status} ${mx.message}`,
      );
    }
    let lastError = '451 4.4.1 no mail host could be reached';
    let lastStatus = '4.4.1';
    let allPermanent = true;
    for (const host of mx.hosts) {
      for (const address of host.addresses) {
        if (this.#closed) return all('deferred', '4.3.2', '451 4.3.2 queue runner stopping');
        let client: SmtpClient;
        try {
          client = await this.#connect(o, address, host.exchange);
        } catch (err) {
          // RFC 5321 §5.1: a host that cannot be reached or refuses the session: try the next one.
          const e = err as Error;
          const reply = err instanceof SmtpClientError ? err.reply : undefined;
          if (!(reply && replyClass(reply) === 5)) allPermanent = false;
          lastError = reply
            ? `${replyText(reply)} (from ${host.exchange})`
            : `451 4.4.1 ${host.exchange}[${address}]: ${e.message}`;
          lastStatus = reply ? statusOf(reply) : '4.4.1';
          this.#log.warn(
            { queueId: entry.id, host: host.exchange, address, err: e.message },
            'queue: host unusable',
          );
          continue;
        }
        this.#clients.add(client);
        try {
          const res = await client.send({
            mailFrom: entry.mailFrom,
            recipients: recipients.map((r) => ({
              address: r.address,
              ...(r.notify === undefined ? {} : { notify: r.notify }),
              ...(r.orcpt === undefined ? {} : { orcpt: r.orcpt }),
            })),
            bytes,
            ...(entry.envId === undefined ? {} : { envId: entry.envId }),
            ...(entry.ret === undefined ? {} : { ret: entry.ret }),
          });
          await client.quit();
          return res.recipients.map((r) => outcomeOf(r.address, r.reply, host.exchange));
        } catch (err) {
          // The session broke mid-transaction: the server may or may not have the message. Keep
          // the recipients pending (at-least-once) and try again later.
          client.destroy();
          return all(
            'deferred',
            '4.4.2',
            `451 4.4.2 ${host.exchange}[${address}]: ${(err as Error).message}`,
            host.exchange,
          );
        } finally {
          this.#clients.delete(client);
        }
      }
    }
    return allPermanent && lastStatus.startsWith('5')
      ? all('failed', lastStatus, lastError)
      : all('deferred', lastStatus.startsWith('5') ? '4.4.1' : lastStatus, lastError);
  }

  /**
   * Connects with opportunistic STARTTLS. When the TLS handshake itself fails, connects once more
   * in plaintext (RFC 7435 §3: opportunistic security must not make delivery worse than
   * cleartext), as Postfix does at `smtp_tls_security_level = may`.
   */
  async #connect(o: QueueRunnerOptions, address: string, exchange: string): Promise<SmtpClient> {
    const options: SmtpClientOptions = {
      host: address,
      port: o.relayPort,
      clientName: o.hostname,
      security: 'opportunistic',
      tls: { rejectUnauthorized: false, ...(isLiteral(exchange) ? {} : { servername: exchange }) },
      ...o.client,
    };
    try {
      return await SmtpClient.connect(options);
    } catch (err) {
      if (!(
        err instanceof SmtpClientError &&
        err.stage === 'starttls' &&
        options.security === 'opportunistic'
      ))
        throw err;
      this.#log.warn(
        { host: exchange, address, err: err.message },
        'queue: STARTTLS failed, retrying without TLS',
      );
      return SmtpClient.connect({ ...options, security: 'none' });
    }
  }

  /** Sends one DSN for the failed recipients (never for the null sender). */
  async #bounce(
    o: QueueRunnerOptions,
    entry: QueueEntry,
    bytes: Buffer,
    failed: readonly Outcome[],
    now: Date,
  ): Promise<void> {
    if (entry.mailFrom === '') {
      this.#log.warn(
        { queueId: entry.id, failed: failed.length },
        'queue: undeliverable bounce dropped (null sender)',
      );
      return;
    }
    const byAddress = new Map(entry.recipients.map((r) => [r.address, r]));
    const reported = failed.filter((f) => {
      const r = byAddress.get(f.address);
      return r === undefined || wantsFailureDsn(r);
    });
    if (reported.length === 0) return;
    const recipients: DsnRecipient[] = reported.map((f) => {
      const orcpt = byAddress.get(f.address)?.orcpt;
      return {
        address: f.address,
        action: 'failed',
        // Expiry is reported as failed with the 4.4.7 status (RFC 3463).
        status: f.status.startsWith('2')
          ? '5.0.0'
          : f.status.startsWith('4') && f.status !== '4.4.7'
            ? `5${f.status.slice(1)}`
            : f.status,
        diagnostic: f.reply,
        lastAttempt: now,
        ...(orcpt === undefined ? {} : { originalRecipient: orcpt }),
        ...(f.remoteMta === undefined ? {} : { remoteMta: f.remoteMta }),
      };
    });
    const dsn = buildDsn({
      reportingMta: o.hostname,
      to: entry.mailFrom,
      recipients,
      original: bytes,
      ret: entry.ret ?? 'HDRS',
      ...(entry.envId === undefined ? {} : { envId: entry.envId }),
      arrivalDate: entry.createdAt,
      now,
    });
    const target = await this.#bounceTarget(o, entry);
    if (target === null) return;
    try {
      if (target.kind === 'local') {
        await o.store.accept({
          receivedAt: now,
          origin: 'queue',
          local: [{ user: target.user }],
          localBytes: Buffer.concat([Buffer.from('Return-Path: <>\r\n'), dsn]),
        });
      } else {
        await o.store.accept({
          receivedAt: now,
          origin: 'queue',
          local: [],
          outbound: { mailFrom: '', recipients: [{ address: entry.mailFrom }], bytes: dsn },
        });
      }
      this.#log.info(
        {
          queueId: entry.id,
          to: entry.mailFrom,
          failed: recipients.length,
          ...(target.kind === 'local' && target.postmaster ? { postmaster: target.user } : {}),
        },
        target.kind === 'local' && target.postmaster
          ? 'queue: bounce for a local sender without an account sent to the postmaster'
          : 'queue: bounce sent',
      );
    } catch (err) {
      // Not retried and never bounced: a DSN has the null sender (RFC 5321 §4.5.5).
      this.#log.error(
        { err, queueId: entry.id, to: entry.mailFrom },
        'queue: cannot store the bounce, dropped',
      );
    }
  }

  /**
   * Where the DSN for `entry` goes: a remote sender gets it queued; a local sender's INBOX when
   * the account is enabled, else the postmaster's (double bounce); null (dropped, logged) when
   * the sender is local and no account can take it.
   */
  async #bounceTarget(
    o: QueueRunnerOptions,
    entry: QueueEntry,
  ): Promise<{ kind: 'local'; user: string; postmaster: boolean } | { kind: 'remote' } | null> {
    if (!(await o.isLocalDomain(domainOf(entry.mailFrom)))) return { kind: 'remote' };
    const user = o.localUser ? await o.localUser(entry.mailFrom) : entry.mailFrom;
    if (user !== null) return { kind: 'local', user, postmaster: false };
    const postmaster = (await o.postmaster?.()) ?? null;
    if (postmaster !== null) return { kind: 'local', user: postmaster, postmaster: true };
    this.#log.warn(
      { queueId: entry.id, to: entry.mailFrom },
      'queue: bounce dropped, no such local user and no postmaster account',
    );
    return null;
  }
}

function isLiteral(exchange: string): boolean {
  return exchange.startsWith('[');
}
