/**
 * `outpost telnet` on a terminal. The terminal is in raw mode for the whole session and the
 * client edits lines itself, so one code path serves both modes: character mode (the server
 * echoes, RFC 857) sends each key at once, CR as CR NUL unless BINARY; line mode (the server
 * does not echo) edits locally (telnet-line-editor.ts) and sends whole lines with CR LF, ^C as
 * IAC IP. `mode line|character` forces one. The escape character opens the `telnet>` prompt
 * (telnet-prompt.ts) with the server's output held meanwhile. NAWS follows every resize
 * (SIGWINCH, through stdout's 'resize'). The terminal is restored on every way out: the session's
 * end, an error (the caller's finally), process exit, and SIGINT/SIGTERM/SIGHUP/SIGQUIT, which
 * are raised again after the restore so the exit status still tells the signal.
 */
import type { ReadStream, WriteStream } from 'node:tty';
import { Opt, type TelnetClient } from '../telnet/index.js';
import { LineEditor } from './telnet-line-editor.js';
import { escapeName } from './telnet-args.js';
import { parsePromptCommand, PROMPT_HELP, type PromptCommand } from './telnet-prompt.js';

/** What the status command reports about the connection. */
export interface TerminalSessionInfo {
  readonly host: string;
  readonly address: string;
  readonly port: number;
  readonly tls: boolean;
  readonly escape: number | null;
}

/** How the terminal session ended. */
export type TerminalEnd = 'closed' | 'quit';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;

/** Runs the interactive session on `stdin`/`stdout` (both terminals) until it ends. */
export function runTerminal(
  client: TelnetClient,
  stdin: ReadStream,
  stdout: WriteStream,
  info: TerminalSessionInfo,
  say: (line: string) => void,
): Promise<TerminalEnd> {
  return new Promise((resolve) => {
    const editor = new LineEditor(info.escape);
    const promptEditor = new LineEditor(null);
    let forced: 'line' | 'character' | undefined;
    let atPrompt = false;
    let ended: TerminalEnd = 'closed';
    const mode = (): 'line' | 'character' => forced ?? (client.serverEchoes ? 'character' : 'line');
    let lastMode = mode();

    const restore = (): void => {
      if (stdin.isRaw) stdin.setRawMode(false);
    };
    const onSignal = (signal: NodeJS.Signals): void => {
      cleanup();
      client.destroy();
      process.kill(process.pid, signal);
    };
    const write = (text: string): void => {
      stdout.write(text);
    };

    const leavePrompt = (): void => {
      atPrompt = false;
      promptEditor.clear();
      client.pauseOutput(false);
    };
    const enterPrompt = (): void => {
      atPrompt = true;
      client.pauseOutput(true);
      write('\r\ntelnet> ');
    };
    const status = (): string[] => {
      const lines = [
        `Connected to ${info.host} (${info.address}) port ${info.port}${info.tls ? ' over TLS' : ''}.`,
        `Operating in ${mode()} mode${forced === undefined ? '' : ' (forced)'}.`,
        `Escape character is '${escapeName(info.escape)}'.`,
      ];
      for (const o of client.optionStates()) lines.push(`  option ${o.option}: we ${o.us}, server ${o.him}`);
      return lines;
    };
    const run = (command: PromptCommand): void => {
      switch (command.kind) {
        case 'resume':
          break;
        case 'quit':
        case 'close':
          ended = 'quit';
          write('Connection closed.\r\n');
          leavePrompt();
          client.destroy();
          return;
        case 'status':
          write(status().join('\r\n') + '\r\n');
          break;
        case 'help':
          write(PROMPT_HELP.replace(/\n/g, '\r\n') + '\r\n');
          break;
        case 'send':
          client.sendCommand(command.what);
          break;
        case 'mode':
          forced = command.mode;
          if (command.mode === 'character') {
            if (!client.serverEchoes) client.request('him', Opt.ECHO, true);
            if (!client.serverSuppressesGoAhead) client.request('him', Opt.SGA, true);
          } else if (client.serverEchoes) {
            client.request('him', Opt.ECHO, false);
          }
          lastMode = mode();
          break;
        case 'error':
          write(`${command.message}\r\n`);
          break;
      }
      leavePrompt();
    };

    const onKeys = (keys: Buffer): void => {
      if (keys.length === 0) return;
      if (atPrompt) {
        const out = promptEditor.feed(keys);
        write(out.echo);
        const stillAtPrompt = (): boolean => atPrompt;
        for (const event of out.events) {
          if (!stillAtPrompt()) break;
          if (event.kind === 'line') run(parsePromptCommand(event.line.toString('utf8')));
          else leavePrompt();
        }
        return;
      }
      if (mode() === 'character') {
        const at = info.escape === null ? -1 : keys.indexOf(info.escape);
        client.sendKeys(at < 0 ? keys : keys.subarray(0, at));
        if (at >= 0) {
          enterPrompt();
          onKeys(keys.subarray(at + 1));
        }
        return;
      }
      const out = editor.feed(keys);
      write(out.echo);
      for (const event of out.events) {
        if (event.kind === 'line') client.sendLine(event.line);
        else if (event.kind === 'interrupt') client.sendCommand('ip');
        else if (event.kind === 'eof') client.sendData(Buffer.of(0x04));
        else enterPrompt();
      }
      onKeys(out.rest);
    };

    const onResize = (): void => {
      client.windowChanged();
    };
    const onOptions = (): void => {
      const now = mode();
      if (now !== lastMode) editor.clear();
      lastMode = now;
    };
    const onData = (data: Buffer): void => {
      if (!stdout.write(data)) {
        client.pauseOutput(true);
        stdout.once('drain', () => {
          if (!atPrompt) client.pauseOutput(false);
        });
      }
    };
    const cleanup = (): void => {
      restore();
      stdin.off('data', onKeys);
      stdin.pause();
      stdout.off('resize', onResize);
      process.off('exit', restore);
      for (const s of SIGNALS) process.off(s, onSignal);
    };

    client.on('data', onData);
    client.on('options', onOptions);
    client.on('notice', (text) => {
      write(`\r\n[${text}]\r\n`);
    });
    client.once('close', () => {
      cleanup();
      if (ended === 'closed') say('Connection closed by foreign host.');
      resolve(ended);
    });
    process.on('exit', restore);
    for (const s of SIGNALS) process.on(s, onSignal);
    stdout.on('resize', onResize);
    stdin.setRawMode(true);
    stdin.on('data', onKeys);
    stdin.resume();
    client.start();
  });
}
