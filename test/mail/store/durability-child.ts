/**
 * Child process of durability.test.ts: accepts messages into the store at argv[2] as fast as it
 * can and prints `ok N` once accept() for message N has resolved, until it is killed.
 */
import { openSqliteMailStore } from '../../../src/mail/store/index.js';

const store = openSqliteMailStore({ path: process.argv[2] ?? 'mail.db' });
let n = 0;
function batch(): void {
  for (let i = 0; i < 8; i++) {
    const id = ++n;
    void store
      .accept({
        receivedAt: new Date(),
        local: [{ user: 'bob@example.test' }],
        localBytes: Buffer.from(`Subject: ${id}\r\n\r\n${id}\r\n`),
      })
      .then(() => process.stdout.write(`ok ${id}\n`));
  }
  setImmediate(batch);
}
batch();
