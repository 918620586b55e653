/**
 * The `outpost` command line: parses arguments (commander) and dispatches to one module per
 * command family. Errors with a stable code print one line on stderr and exit 1; usage errors
 * exit 2. This is the only place that calls process.exit.
 */
import { Command, CommanderError } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { OutpostError } from '../core/errors.js';
import { loadConfigFile } from '../core/config/load.js';
import { CLI_CONFIG_LOAD } from './config-warnings.js';
import { checkZone } from '../dns/zone/index.js';
import { checkSuiteConfig } from '../suite/check.js';
import {
  domainAdd,
  domainList,
  domainRemove,
  userAdd,
  userList,
  userPasswd,
  userRemove,
} from './accounts.js';
import { configInit, DEFAULT_CONFIG_FILE } from './config-init.js';
import { dataOptions } from './data-dir.js';
import { runDig } from './dig.js';
import { registerFtpCommand } from './ftp.js';
import { registerHttpCommand } from './http-command.js';
import { registerMailCommand } from './mail.js';
import { registerQueueCommand } from './queue.js';
import { serve } from './serve.js';
import { registerTelnetCommand } from './telnet.js';
import { DEFAULT_WORLD_DIR, runWorld, type WorldCommandOptions } from './world.js';

/** The package's package.json: two levels up from src/cli (tsx) or three from dist/src/cli. */
function packageJsonPath(): URL {
  const fromSource = new URL('../../package.json', import.meta.url);
  return existsSync(fromSource) ? fromSource : new URL('../../../package.json', import.meta.url);
}

function version(): string {
  const pkg = JSON.parse(readFileSync(packageJsonPath(), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command('outpost')
    .description("The Internet's application layer in one package: DNS, HTTP, mail, FTP servers and clients.")
    .version(version())
    .exitOverride();

  program
    .command('serve')
    .description('run the suite in the foreground (embedded default on loopback when no --config)')
    .option('-c, --config <file>', 'TOML configuration file')
    .option('-d, --data <dir>', 'data directory (default ./data, or data_dir from the config)')
    .option('--transcript', 'print every session line (C:/S:) on stderr')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent')
    .action(async (opts: { config?: string; data?: string; transcript?: boolean; logLevel?: string }) => {
      await serve(opts);
    });

  program
    .command('world [dir]')
    .description(
      `run the mini-Internet (root, TLD and organisation name servers, a resolver, two organisations' mail and web servers on 127.0.0.x) from DIR/world.toml, generated on first run (default ./${DEFAULT_WORLD_DIR})`,
    )
    .option('--net <a.b.c>', 'first run only: the 127.x.y network of the hosts (default 127.0.0)')
    .option(
      '--port-offset <n>',
      'first run only: added to every standard port (default 0 as root, else 10000)',
    )
    .option('--transcript', 'print every session line (C:/S:) on stderr')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent')
    .action(async (dir: string | undefined, opts: WorldCommandOptions) => {
      await runWorld(dir, opts);
    });

  program
    .command('dig')
    .description(
      'ask a DNS server one question, dig-style (dig NAME [TYPE] [@SERVER] [-p PORT] [+tcp] [+norec] [+short] [+noedns])',
    )
    .argument('[args...]', 'name, type, class, @server, -p port and +options, in any order')
    .allowUnknownOption()
    .action(async (args: string[]) => {
      // dig's exit codes (0 reply, 1 usage, 9 no reply) without cutting stdout short.
      process.exitCode = await runDig(args, { version: version() });
    });

  registerHttpCommand(program, version);
  registerFtpCommand(program);
  registerMailCommand(program);
  registerQueueCommand(program);
  registerTelnetCommand(program);

  const dns = program.command('dns').description('DNS tools');
  dns
    .command('check-zone <zone> <file>')
    .description('check a zone file like named-checkzone: the problems with file:line, or the record count')
    .action((zone: string, file: string) => {
      const summary = checkZone(zone, file);
      process.stdout.write(summary.output);
      if (summary.ok) process.stdout.write(`${summary.recordCount} records\n`);
      else process.exitCode = 1;
    });

  const config = program.command('config').description('configuration tools');
  config
    .command('init [file]')
    .description(
      `write a commented configuration equal to the embedded default (default ${DEFAULT_CONFIG_FILE}) and the demo zone beside it; prints the demo passwords once`,
    )
    .option('--force', 'overwrite existing files')
    .action(configInit);
  config
    .command('check <file>')
    .description(
      'validate a configuration file and everything `serve` would load from it (zone files, TLS files, paths) without starting or writing anything',
    )
    .action((file: string) => {
      const services = checkSuiteConfig(loadConfigFile(file, CLI_CONFIG_LOAD));
      process.stdout.write(`${file}: OK (${services.length > 0 ? services.join(', ') : 'no services'})\n`);
    });

  const user = program
    .command('user')
    .description('manage user accounts (full addresses, e.g. alice@example.test)');
  dataOptions(user.command('add <address>').description('add a user (password generated unless given)'))
    .option('--password <password>', 'the password (visible in the process list; prefer --password-stdin)')
    .option('--password-stdin', 'read the password from the first line of stdin')
    .action(userAdd);
  dataOptions(user.command('passwd <address>').description('set a new password (generated unless given)'))
    .option('--password <password>', 'the password')
    .option('--password-stdin', 'read the password from the first line of stdin')
    .action(userPasswd);
  dataOptions(user.command('list [domain]').description('list users')).action(userList);
  dataOptions(user.command('remove <address>').description('remove a user')).action(userRemove);

  const domain = program.command('domain').description('manage the domains this server is responsible for');
  dataOptions(domain.command('add <name>').description('add a domain')).action(domainAdd);
  dataOptions(domain.command('list').description('list domains')).action(domainList);
  dataOptions(domain.command('remove <name>').description('remove a domain'))
    .option('--force', 'also remove its users')
    .action(domainRemove);

  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof OutpostError) {
      process.stderr.write(`outpost: ${err.message} [${err.code}]\n`);
      return 1;
    }
    process.stderr.write(`outpost: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
if (code !== 0) process.exit(code);
