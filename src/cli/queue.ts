/**
 * `outpost queue list | flush [ID] | delete ID`: the outbound mail queue of a data directory,
 * read and changed directly in its SQLite store. Safe while `outpost serve` runs (SQLite WAL);
 * a running queue runner notices a flush at its next poll (`QUEUE_LIMITS.pollIntervalMs`, 5 s).
 */
import type { Command } from 'commander';
import { mailDatabasePath } from '../mail/service/mail-store.js';
import { openSqliteMailStore } from '../mail/store/sqlite-store.js';
import type { MailStore, QueueEntry } from '../mail/store/types.js';
import { dataOptions, requireSuiteData, resolveDataDir, type DataOptions } from './data-dir.js';

/** Opens the mail store of an existing data directory (ERR_NO_DATA, creating nothing, when none). */
async function withStore<T>(options: DataOptions, fn: (store: MailStore) => Promise<T>): Promise<T> {
  const dataDir = resolveDataDir(options);
  const path = mailDatabasePath(dataDir);
  requireSuiteData(dataDir, path, 'the mail store appears when `outpost serve` runs with [smtp] or [pop3]');
  const store = openSqliteMailStore({ path });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** One entry as text: id, age, size, sender, then each recipient with its state and last reply. */
export function formatEntry(e: QueueEntry, now: Date = new Date()): string {
  const age = Math.max(0, Math.round((now.getTime() - e.createdAt.getTime()) / 60_000));
  const lines = [
    `${e.id}  ${String(e.size)} bytes  ${e.createdAt.toISOString()} (${String(age)} min ago)  attempts ${String(e.attempts)}  next ${e.nextAttemptAt.toISOString()}`,
    `  from <${e.mailFrom}>`,
  ];
  for (const r of e.recipients)
    lines.push(`  to <${r.address}>  ${r.status}${r.lastReply === null ? '' : `  ${r.lastReply}`}`);
  return lines.join('\n');
}

/** Registers `outpost queue …`. */
export function registerQueueCommand(program: Command): void {
  const queue = program.command('queue').description('the outbound mail queue of a data directory');
  dataOptions(queue.command('list').description('list queued messages and their recipients')).action(
    async (opts: DataOptions) => {
      const entries = await withStore(opts, (s) => s.queue.list());
      process.stdout.write(
        entries.length === 0
          ? 'queue is empty\n'
          : `${entries.map((e) => formatEntry(e)).join('\n')}\n${String(entries.length)} message(s)\n`,
      );
    },
  );
  dataOptions(
    queue
      .command('flush [id]')
      .description('make one message (or all) due now; a running server retries within 5 s'),
  ).action(async (id: string | undefined, opts: DataOptions) => {
    const n = await withStore(opts, (s) => s.queue.flush(id));
    process.stdout.write(`${String(n)} message(s) due now\n`);
    if (id !== undefined && n === 0) process.exitCode = 1;
  });
  dataOptions(
    queue.command('delete <id>').description('remove a message from the queue without a bounce'),
  ).action(async (id: string, opts: DataOptions) => {
    const ok = await withStore(opts, (s) => s.queue.delete(id));
    process.stdout.write(ok ? `deleted ${id}\n` : `no queued message ${id}\n`);
    if (!ok) process.exitCode = 1;
  });
}
