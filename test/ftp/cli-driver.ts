/**
 * Runs `outpost ftp …` from source for the CLI tests (bin/outpost needs a build): registers the
 * ftp command on a bare commander program and maps errors to exit codes the way src/cli/main.ts
 * does (OutpostError: one line on stderr, exit 1).
 */
import { Command } from 'commander';
import { OutpostError } from '../../src/core/errors.js';
import { registerFtpCommand } from '../../src/cli/ftp.js';

const program = new Command('outpost').exitOverride();
registerFtpCommand(program);
try {
  await program.parseAsync(process.argv.slice(2), { from: 'user' });
} catch (err) {
  process.stderr.write(
    `outpost: ${err instanceof OutpostError ? `${err.message} [${err.code}]` : String(err)}\n`,
  );
  process.exitCode = 1;
}
