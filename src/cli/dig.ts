/**
 * `outpost dig`: ask one DNS question and print the reply like dig. Exit codes follow dig: 0 when
 * a reply arrived (whatever its rcode), 1 for usage errors, 9 when no usable reply came back
 * (timeout, unreachable server, malformed replies); 1 also when the @server name has no address.
 * The default server is the first `nameserver` of /etc/resolv.conf, as for dig; 127.0.0.1 when
 * there is none. `+trace` iterates from the root itself (dig-trace.ts).
 */
import { ErrorCodes, OutpostError } from '../core/errors.js';
import {
  formatDig,
  formatShort,
  queryDns,
  readResolvConf,
  resolveServer,
  type QueryResult,
  type ResolvedServer,
} from '../dns/client/index.js';
import { DIG_USAGE, DigUsageError, parseDigArgs } from './dig-args.js';
import { runTrace } from './dig-trace.js';

/** dig's exit status when no server answered. */
export const DIG_EXIT_NO_REPLY = 9;
/** dig's exit status for a command-line error. */
export const DIG_EXIT_USAGE = 1;

/** Where `runDig` writes and what it reads; each defaults to the process's own. */
export interface DigIo {
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
  /** resolv.conf path for the default server. */
  readonly resolvConf?: string;
  readonly now?: () => Date;
  /** Version shown in the banner. */
  readonly version?: string;
}

/** Run `outpost dig` with the arguments after `dig`; resolves with the exit code. */
export async function runDig(args: readonly string[], io: DigIo = {}): Promise<number> {
  const stdout = io.stdout ?? ((text: string) => process.stdout.write(text));
  const stderr = io.stderr ?? ((text: string) => process.stderr.write(text));
  let request;
  try {
    request = parseDigArgs(args);
  } catch (err) {
    if (!(err instanceof DigUsageError)) throw err;
    stderr(`outpost dig: ${err.message}\n${DIG_USAGE}\n`);
    return DIG_EXIT_USAGE;
  }
  const host = request.server ?? (await readResolvConf(io.resolvConf)).nameservers[0] ?? '127.0.0.1';
  let server: ResolvedServer;
  try {
    server = await resolveServer({ host, port: request.port });
  } catch (err) {
    if (!(err instanceof OutpostError)) throw err;
    stderr(`outpost dig: couldn't get address for '${host}'\n`);
    return DIG_EXIT_USAGE; // dig exits 1 here too
  }
  if (request.trace) {
    return runTrace(request, server, {
      stdout,
      args,
      ...(io.version === undefined ? {} : { version: io.version }),
      ...(io.now === undefined ? {} : { now: io.now }),
    });
  }
  let result: QueryResult;
  try {
    result = await queryDns({
      server,
      name: request.name,
      type: request.type,
      class: request.class,
      recursionDesired: request.recurse,
      tcp: request.tcp,
      edns: request.edns,
      timeoutMs: request.timeoutMs,
      retries: request.retries,
    });
  } catch (err) {
    if (!(err instanceof OutpostError)) throw err;
    // dig's wording: "connection timed out" or "communications error to ADDR#PORT: reason".
    const reason =
      err.code === ErrorCodes.TIMEOUT
        ? 'connection timed out'
        : err.code === ErrorCodes.CONNECTION_CLOSED
          ? `communications error to ${err.message}`
          : err.message;
    stdout(`;; ${reason}; no servers could be reached\n`);
    return DIG_EXIT_NO_REPLY;
  }
  if (request.short) {
    stdout(formatShort(result.message));
  } else {
    const ctx = {
      args,
      when: io.now?.() ?? new Date(),
      serverGiven: request.server !== undefined,
      tcpRequested: request.tcp,
    };
    stdout(formatDig(result, io.version === undefined ? ctx : { ...ctx, version: io.version }));
  }
  return 0;
}
