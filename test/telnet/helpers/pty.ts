/**
 * A command on a real pseudo-terminal, driven from a test (through fixtures/pty-bridge.py,
 * python3's pty primitives): type keys, resize the window, read the terminal's line-discipline
 * flags (raw or cooked), send signals, and collect everything the command shows.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { eventually } from '../../helpers/eventually.js';

const BRIDGE = join(import.meta.dirname, '..', 'fixtures', 'pty-bridge.py');

/** The terminal's flags: raw mode has canonical input, echo and signal keys off. */
export interface TerminalFlags {
  readonly icanon: boolean;
  readonly echo: boolean;
  readonly isig: boolean;
}

/** How the command ended, and the flags it left the terminal with. */
export interface PtyExit {
  readonly exit: number | null;
  readonly signal: number | null;
  readonly attrs: TerminalFlags;
}

interface BridgeMessage {
  out?: string;
  attrs?: TerminalFlags;
  exit?: number | null;
  signal?: number | null;
}

/** One command running on its own terminal. */
export class PtySession {
  readonly #child: ChildProcessWithoutNullStreams;
  #output = Buffer.alloc(0);
  #attrs: TerminalFlags[] = [];
  #exit: PtyExit | undefined;
  #stderr = '';

  constructor(rows: number, columns: number, command: readonly string[], env: NodeJS.ProcessEnv = {}) {
    this.#child = spawn('python3', [BRIDGE, String(rows), String(columns), ...command], {
      env: { ...process.env, ...env },
    });
    let pending = '';
    this.#child.stdout.setEncoding('utf8').on('data', (text: string) => {
      pending += text;
      for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
        const message = JSON.parse(pending.slice(0, nl)) as BridgeMessage;
        pending = pending.slice(nl + 1);
        if (message.out !== undefined)
          this.#output = Buffer.concat([this.#output, Buffer.from(message.out, 'base64')]);
        else if ('exit' in message && message.attrs !== undefined)
          this.#exit = { exit: message.exit ?? null, signal: message.signal ?? null, attrs: message.attrs };
        else if (message.attrs !== undefined) this.#attrs.push(message.attrs);
      }
    });
    this.#child.stderr.setEncoding('utf8').on('data', (text: string) => (this.#stderr += text));
  }

  /** Everything the terminal showed so far, as text. */
  get output(): string {
    return this.#output.toString('utf8');
  }

  #send(command: object): void {
    this.#child.stdin.write(`${JSON.stringify(command)}\n`);
  }

  /** Types `keys`. */
  type(keys: string | Uint8Array): void {
    this.#send({ write: Buffer.from(keys).toString('base64') });
  }

  /** Resizes the window (the command gets SIGWINCH). */
  resize(rows: number, columns: number): void {
    this.#send({ resize: [rows, columns] });
  }

  /** Sends a signal to the command. */
  signal(signal: number): void {
    this.#send({ signal });
  }

  /** The terminal's current flags. */
  async flags(): Promise<TerminalFlags> {
    const before = this.#attrs.length;
    this.#send({ attrs: true });
    return eventually(() => this.#attrs[before], { what: 'the terminal flags' });
  }

  /** Waits until the output matches `pattern`, from offset `from`; returns the output's length. */
  async waitFor(pattern: RegExp | string, from = 0): Promise<number> {
    await eventually(
      () => {
        const text = this.output.slice(from);
        return typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
      },
      {
        what: () =>
          `${String(pattern)} on the terminal; it shows ${JSON.stringify(this.output)} (${this.#stderr})`,
      },
    );
    return this.output.length;
  }

  /** Waits for the command to end. */
  async exited(): Promise<PtyExit> {
    return eventually(() => this.#exit, {
      timeoutMs: 20_000,
      what: () => `the command to exit; terminal: ${JSON.stringify(this.output)} (${this.#stderr})`,
    });
  }

  /** Stops the bridge (and the command) if still running. */
  kill(): void {
    this.#child.stdin.end();
    this.#child.kill();
  }
}
