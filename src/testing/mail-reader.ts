/**
 * Reading a running suite's mailboxes for tests: every message of a mailbox, parsed, and a wait
 * for the first matching one (woken by the store's append events, bounded by a timeout). Used by
 * `startTestOutpost` and, per organisation, `startTestWorld`.
 */
import { normalizeAddress } from '../core/accounts/address.js';
import type { Suite } from '../suite/suite.js';
import { sharedMailStore, type MailStore } from '../mail/index.js';
import { parseTestMessage, type TestMessage } from './test-message.js';
import type { WaitForMessageOptions } from './index.js';

/** Reads the suite's mail store (opened lazily: a suite without mail services has none). */
export function mailReader(suite: Suite): {
  messages(address: string, mailbox?: string): Promise<TestMessage[]>;
  waitFor(address: string, options?: WaitForMessageOptions): Promise<TestMessage>;
} {
  const store = (): MailStore => sharedMailStore(suite.context);
  const messages = async (address: string, mailbox = 'INBOX'): Promise<TestMessage[]> => {
    const s = store();
    const box = await s.getMailbox(normalizeAddress(address), mailbox);
    if (!box) return [];
    const out: TestMessage[] = [];
    for (const info of await s.listMessages(box.id)) {
      const bytes = await s.readMessage(box.id, info.uid);
      if (bytes) out.push(parseTestMessage(info, bytes));
    }
    return out;
  };
  const waitFor = (address: string, options: WaitForMessageOptions = {}): Promise<TestMessage> => {
    const match = options.match ?? (() => true);
    const timeoutMs = options.timeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        unsubscribe();
        clearTimeout(timer);
        outcome();
      };
      // A throwing `match` (the caller's code) or a bad address rejects with that error at once,
      // whether the message was already there or arrives later (the store swallows listener
      // errors, so they must be caught here).
      const check = async (): Promise<void> => {
        try {
          const found = (await messages(address, options.mailbox)).find(match);
          if (found) {
            finish(() => {
              resolve(found);
            });
          }
        } catch (err) {
          finish(() => {
            reject(err instanceof Error ? err : new Error(String(err)));
          });
        }
      };
      const look = (): void => {
        if (!settled) void check();
      };
      let unsubscribe: () => void = () => undefined;
      try {
        // Subscribe before the first look so a delivery between the two cannot be missed. The
        // scope is the user (the mailbox may not exist yet); other users' mail never wakes us.
        unsubscribe = store().subscribe({ user: normalizeAddress(address) }, (change) => {
          if (change.kind === 'append') look();
        });
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      const timer = setTimeout(() => {
        finish(() => {
          reject(new Error(`no matching message for ${address} within ${timeoutMs} ms`));
        });
      }, timeoutMs);
      look();
    });
  };
  return { messages, waitFor };
}
