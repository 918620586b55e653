// Runs `outpost mail …` / `outpost queue …` from source (the real bin runs dist/, which needs a
// build): the same command definitions and the same error printing as src/cli/main.ts.
import { Command } from 'commander';
import { OutpostError } from '../../../src/core/errors.js';
import { registerMailCommand } from '../../../src/cli/mail.js';
import { registerQueueCommand } from '../../../src/cli/queue.js';

const program = new Command('outpost').exitOverride();
registerMailCommand(program);
registerQueueCommand(program);
try {
  await program.parseAsync(process.argv.slice(2), { from: 'user' });
} catch (err) {
  process.stderr.write(
    `outpost: ${err instanceof Error ? err.message : String(err)}${err instanceof OutpostError ? ` [${err.code}]` : ''}\n`,
  );
  process.exitCode = 1;
}
