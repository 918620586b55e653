/**
 * Child process of crash.test.ts: an SMTP server (MX listener) whose store is the file at
 * argv[2]; prints its port, then serves until it is killed.
 */
import { startSmtp } from './helpers.js';

async function main(): Promise<void> {
  const f = await startSmtp({ storePath: process.argv[2] ?? 'mail.db' });
  process.stdout.write(`port ${f.ports.mx}\n`);
}
void main();
