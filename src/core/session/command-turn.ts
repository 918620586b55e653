/**
 * The one error boundary of a line-protocol session (POP3, SMTP; FTP and IMAP adopt it): every
 * command's handler runs through `runCommand`, which turns an error nobody expected (a throwing
 * account hook, a store that fails, a bug) into the protocol's temporary failure, logs it once
 * with the session and the verb (never the arguments: they may carry a password), and counts the
 * command by the class of the reply it got. Sessions stay usable after such a failure: handlers
 * replace their state as a whole (one discriminated union) only once a step has succeeded, so a
 * throw leaves the state the command started from. A failure while a reply is already on the wire
 * (a streamed message body) cannot be answered; `sendFailed` logs it and the session ends.
 *
 * How a protocol uses it (src/pop3/session.ts and src/mail/smtp/session.ts are the models):
 *
 *     const reply = await runCommand(verb, () => command.run(ctx, input, state), this.#boundary);
 *     if (reply !== null) await this.#send(reply);      // the protocol writes its own reply type
 *
 * with `#boundary = { protocol, sessionId, logger, temporaryFailure, classOf, meter }`.
 */
import type { Logger } from '../logger.js';
import type { CommandMeter } from '../metrics.js';

/** What a command handler returns: its reply, or null when no one is left to answer (the
 *  connection closed while the handler read more input). */
export type CommandResult<R> = R | null;

/** How one protocol's sessions answer an unexpected error and count their commands. */
export interface CommandBoundary<R> {
  /** For the log line, e.g. `pop3`. */
  readonly protocol: string;
  /** The connection's id (the transcript's session id). */
  readonly sessionId: string;
  readonly logger: Logger;
  /** The protocol's temporary failure: SMTP `451 4.3.0`, POP3 `-ERR [SYS/TEMP]`, FTP `451`. */
  readonly temporaryFailure: () => R;
  /** The reply's class for the commands metric (`2xx`…, or `ok`/`err` for POP3). */
  readonly classOf: (reply: R) => string;
  /** Counts commands by verb and class; absent in tests that do not look. */
  readonly meter?: CommandMeter | undefined;
}

/**
 * Runs one command's handler inside the boundary (see the file comment) and counts it. `verb` is
 * the upper-cased verb as sent ('' when the line had none). Never throws.
 */
export async function runCommand<R>(
  verb: string,
  handler: () => CommandResult<R> | Promise<CommandResult<R>>,
  boundary: CommandBoundary<R>,
): Promise<CommandResult<R>> {
  let reply: CommandResult<R>;
  try {
    reply = await handler();
  } catch (err) {
    boundary.logger.error(
      { err, session: boundary.sessionId, verb },
      `${boundary.protocol}: ${verb} failed unexpectedly`,
    );
    reply = boundary.temporaryFailure();
  }
  if (reply !== null) boundary.meter?.count(verb, boundary.classOf(reply));
  return reply;
}

/** Logs a failure while a reply was being written (its start is on the wire: no reply is possible). */
export function sendFailed<R>(boundary: CommandBoundary<R>, verb: string, err: unknown): void {
  boundary.logger.error(
    { err, session: boundary.sessionId, verb },
    `${boundary.protocol}: ${verb} failed while sending its reply; closing`,
  );
}

/**
 * A command-table row's handler typed by the states the row lists, for a table of rows with
 * different states (POP3 and SMTP `row()`): the gate already guarantees the state, and should
 * anything else call the handler in another state it throws (the boundary answers with the
 * temporary failure) instead of running on the wrong data or returning silently. `where` names
 * a state for that error, e.g. `the AUTHORIZATION state`.
 */
export function guardState<C, I, S, T extends S, R>(
  verb: string,
  accepts: (state: S) => state is T,
  where: (state: S) => string,
  run: (ctx: C, input: I, state: T) => R,
): (ctx: C, input: I, state: S) => R {
  return (ctx, input, state) => {
    if (!accepts(state)) throw new Error(`${verb} run in ${where(state)}`);
    return run(ctx, input, state);
  };
}
