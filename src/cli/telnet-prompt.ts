/**
 * The `telnet>` prompt's commands (after the escape character): `quit`, `close`, `status`,
 * `send ayt|brk|ip|ao|ec|el|nop|ga|synch`, `mode line|character`, `?`/`help`; an empty line goes
 * back to the session. Commands may be abbreviated to any unique prefix, as classic telnet's.
 * Parsing is pure; the terminal session carries the commands out.
 */
import { SENDABLE, type SendableName } from '../telnet/index.js';

/** One command typed at the prompt. */
export type PromptCommand =
  | { readonly kind: 'resume' }
  | { readonly kind: 'quit' }
  | { readonly kind: 'close' }
  | { readonly kind: 'status' }
  | { readonly kind: 'help' }
  | { readonly kind: 'send'; readonly what: SendableName }
  | { readonly kind: 'mode'; readonly mode: 'line' | 'character' }
  | { readonly kind: 'error'; readonly message: string };

const COMMANDS = ['quit', 'close', 'status', 'send', 'mode', 'help', '?'] as const;

/** What each command does, as `?` prints it. */
export const PROMPT_HELP = [
  'Commands may be abbreviated. Commands are:',
  '',
  'close     close the connection and exit',
  'quit      close the connection and exit',
  'status    print status information',
  'send      send a Telnet command: ayt brk ip ao ec el nop ga synch',
  'mode      line (local editing, lines sent with CR LF) or character (each key sent at once)',
  '?         print help information',
  '(empty)   return to the session',
].join('\n');

function unique<T extends string>(word: string, choices: readonly T[]): T | undefined {
  const exact = choices.find((c) => c === word);
  if (exact !== undefined) return exact;
  const matches = choices.filter((c) => c.startsWith(word));
  return matches.length === 1 ? matches[0] : undefined;
}

/** Parses one line typed at `telnet>`. */
export function parsePromptCommand(line: string): PromptCommand {
  const [word, arg, extra] = line.trim().toLowerCase().split(/\s+/);
  if (word === undefined || word === '') return { kind: 'resume' };
  const command = unique(word, COMMANDS);
  if (command === undefined) {
    const ambiguous = COMMANDS.filter((c) => c.startsWith(word)).length > 1;
    return {
      kind: 'error',
      message: `?${ambiguous ? 'Ambiguous' : 'Invalid'} command "${word}" (? for help)`,
    };
  }
  switch (command) {
    case 'quit':
    case 'close':
    case 'status':
      return { kind: command };
    case 'help':
    case '?':
      return { kind: 'help' };
    case 'send': {
      const names = Object.keys(SENDABLE) as SendableName[];
      const what = arg === undefined ? undefined : unique(arg, names);
      if (what === undefined || extra !== undefined)
        return { kind: 'error', message: `usage: send ${names.join('|')}` };
      return { kind: 'send', what };
    }
    case 'mode': {
      const mode = arg === undefined ? undefined : unique(arg, ['line', 'character'] as const);
      if (mode === undefined || extra !== undefined)
        return { kind: 'error', message: 'usage: mode line|character' };
      return { kind: 'mode', mode };
    }
  }
}
