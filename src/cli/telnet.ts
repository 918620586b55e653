/**
 * `outpost telnet HOST [PORT]`: the Telnet client on the command line (docs/telnet.md). It
 * parses the options, opens the connection (telnet-open.ts), and runs the session on the
 * terminal (telnet-tty.ts) or, with stdin from a pipe or a file, as a script (telnet-pipe.ts).
 * `--transcript` prints the session on stderr in the suite's transcript format with negotiation
 * decoded. Failures are OutpostErrors with clear words and exit 1.
 */
import type { Command } from 'commander';
import { ErrorCodes, OutpostError } from '../core/errors.js';
import { formatTranscriptEntry, subscribeTranscript, transcriptTap } from '../core/transcript.js';
import { STARTTLS_PROTOCOLS, TelnetClient, type StartTlsProtocol } from '../telnet/index.js';
import { escapeName, parseDnsServer, parseEnviron, parseEscape, parsePort } from './telnet-args.js';
import { ExplainedTlsError, openTelnetConnection } from './telnet-open.js';
import { runPipe } from './telnet-pipe.js';
import { runTerminal } from './telnet-tty.js';

/** `outpost telnet`'s options as commander hands them over. */
export interface TelnetCliOptions {
  escape: string;
  wait: string;
  tls?: boolean;
  starttls?: string;
  cacert?: string;
  insecure?: boolean;
  dns?: string;
  environ?: string[];
  transcript?: boolean;
}

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

function starttlsProtocol(text: string | undefined): StartTlsProtocol | undefined {
  if (text === undefined) return undefined;
  const found = STARTTLS_PROTOCOLS.find((p) => p === text.toLowerCase());
  if (found === undefined)
    throw new OutpostError(
      ErrorCodes.CONFIG_INVALID,
      `--starttls takes ${STARTTLS_PROTOCOLS.join('|')}, not "${text}"`,
    );
  return found;
}

function waitMs(text: string): number {
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 86_400)
    throw new OutpostError(ErrorCodes.CONFIG_INVALID, `--wait takes seconds (0..86400), not "${text}"`);
  return seconds * 1000;
}

/** Runs one session; resolves with the exit code. */
export async function runTelnet(
  host: string,
  portText: string | undefined,
  opts: TelnetCliOptions,
): Promise<number> {
  const port = parsePort(portText);
  const escape = parseEscape(opts.escape);
  const wait = waitMs(opts.wait);
  const starttls = starttlsProtocol(opts.starttls);
  if (starttls !== undefined && opts.tls === true)
    throw new OutpostError(ErrorCodes.CONFIG_INVALID, '--tls and --starttls exclude each other');
  const environ = opts.environ === undefined ? undefined : parseEnviron(opts.environ, process.env);
  const interactive = process.stdin.isTTY;
  const stdout = process.stdout;
  const unsubscribe =
    opts.transcript === true
      ? subscribeTranscript((entry) => {
          process.stderr.write(`${formatTranscriptEntry(entry)}${interactive ? '\r\n' : '\n'}`);
        })
      : undefined;
  try {
    const tap = opts.transcript === true ? transcriptTap('telnet', `${host}:${port}`) : undefined;
    let connection;
    try {
      connection = await openTelnetConnection(
        {
          host,
          port,
          ...(opts.dns === undefined ? {} : { dns: parseDnsServer(opts.dns) }),
          ...(opts.tls === true ? { tls: true } : {}),
          ...(starttls === undefined ? {} : { starttls }),
          ...(opts.cacert === undefined ? {} : { cacert: opts.cacert }),
          ...(opts.insecure === true ? { insecure: true } : {}),
        },
        say,
        (line) => stdout.write(`${line}\n`),
        tap,
      );
    } catch (err) {
      if (err instanceof ExplainedTlsError) return 1;
      throw err;
    }
    const term = process.env['TERM'];
    const client = new TelnetClient(connection.socket, {
      ...(term === undefined || term === '' ? {} : { terminalType: term }),
      ...(stdout.isTTY ? { windowSize: () => ({ columns: stdout.columns, rows: stdout.rows }) } : {}),
      ...(environ === undefined ? {} : { environ }),
      ...(tap === undefined ? {} : { transcript: tap }),
    });
    if (!interactive) {
      client.on('notice', (text) => {
        say(`[${text}]`);
      });
      const end = await runPipe(client, connection.socket, process.stdin, stdout, wait);
      if (end === 'closed') say('Connection closed by foreign host.');
      process.stdin.destroy();
      return 0;
    }
    say(`Escape character is '${escapeName(escape)}'.`);
    await runTerminal(
      client,
      process.stdin,
      stdout,
      {
        host,
        address: connection.address.address,
        port,
        tls: opts.tls === true || starttls !== undefined,
        escape,
      },
      say,
    );
    return 0;
  } finally {
    unsubscribe?.();
  }
}

/** Adds `outpost telnet` to the program. */
export function registerTelnetCommand(program: Command): void {
  program
    .command('telnet')
    .description(
      'talk to a Telnet server, or to any text protocol by hand (SMTP, POP3, HTTP…); from a pipe, sends the lines and prints every reply',
    )
    .argument('<host>', 'host name, IPv4 or IPv6 address')
    .argument('[port]', 'port number or service name (default 23)')
    .option('-e, --escape <char>', "escape character for the telnet> prompt (^X notation, or 'none')", '^]')
    .option('--wait <seconds>', 'with stdin from a pipe: after its end, wait this long for silence', '5')
    .option('--tls', 'implicit TLS (ports such as 465, 993, 995)')
    .option('--starttls <protocol>', `upgrade to TLS after the greeting: ${STARTTLS_PROTOCOLS.join('|')}`)
    .option('--cacert <file>', 'trust this CA or certificate (PEM) besides the system roots')
    .option('-k, --insecure', 'do not verify the server certificate')
    .option('--dns <host:port>', 'resolve HOST through this DNS server (an Outpost resolver, say)')
    .option(
      '--environ <names>',
      'let NEW-ENVIRON send these variables (NAME or NAME=VALUE, comma-separated; repeatable)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--transcript', 'print every line and negotiation (C:/S:) on stderr')
    .action(async (host: string, port: string | undefined, opts: TelnetCliOptions) => {
      process.exitCode = await runTelnet(host, port, opts);
    });
}
