/**
 * The Telnet client's protocol engine over any connected byte stream (TCP or TLS socket): it
 * parses what the server sends, answers option negotiation by RFC 1143 with the client's policy
 * (policy.ts), answers TERMINAL-TYPE, NAWS and NEW-ENVIRON sub-negotiations, and hands the data
 * to its owner; the owner sends lines, keys and commands through it. It knows nothing about
 * terminals: the CLI decides modes from `serverEchoes` and the `options` event.
 *
 * Hostile servers: memory stays bounded because the parser bounds sub-negotiations, reading
 * pauses while our own replies are not drained or while the owner asks (its output is slow),
 * and each option is answered at most MAX_NEGOTIATIONS_PER_OPTION times.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { TranscriptTap } from '../../core/transcript.js';
import {
  Cmd,
  describeCommand,
  encodeCommand,
  encodeKeys,
  encodeLine,
  encodeNegotiation,
  encodeSubnegotiation,
  environIs,
  escapeIac,
  isTerminalTypeSend,
  nawsPayload,
  Opt,
  OptionTable,
  parseEnvironSend,
  SENDABLE,
  TelnetParser,
  terminalTypeIs,
  type SendableName,
  type Side,
  type TelnetCommand,
  type TelnetEvent,
  type Verb,
} from '../codec/index.js';
import { MAX_NEGOTIATIONS_PER_OPTION } from '../limits.js';
import { agrees, type OptionOffer } from './policy.js';
import { TranscriptLines } from './transcript-lines.js';

/** The terminal's size in characters. */
export interface WindowSize {
  readonly columns: number;
  readonly rows: number;
}

/** What the client offers the server; anything left out is refused. */
export interface TelnetClientOptions {
  /** TERMINAL-TYPE's answer (the `TERM` value); undefined refuses the option. */
  readonly terminalType?: string;
  /** The window size NAWS reports; undefined (or returning undefined) refuses NAWS. */
  readonly windowSize?: () => WindowSize | undefined;
  /** Variables NEW-ENVIRON may send, by name; undefined refuses the option (RFC 1572). */
  readonly environ?: ReadonlyMap<string, string>;
  /** Where C:/S: lines go (`--transcript`), with negotiation decoded. */
  readonly transcript?: TranscriptTap;
}

/** Events: `data` (Buffer: server data to show), `options` (a side of an option changed), `close`. */
export interface TelnetClientEvents {
  data: [Buffer];
  options: [];
  /** Something worth telling the user (an option storm cut off, a sub-negotiation dropped). */
  notice: [string];
  close: [];
}

/** Visible evidence for a server's AYT (RFC 854: "Are You There"). */
const AYT_ANSWER = Buffer.from('\r\n[outpost telnet: yes]\r\n');

/** One Telnet session from the client's side. */
export class TelnetClient extends EventEmitter<TelnetClientEvents> {
  readonly #socket: Duplex;
  readonly #options: TelnetClientOptions;
  readonly #parser = new TelnetParser();
  readonly #table = new OptionTable();
  readonly #answered = new Map<number, number>();
  readonly #serverLines: TranscriptLines | undefined;
  readonly #clientLines: TranscriptLines | undefined;
  #started = false;
  #outputPaused = false;
  #writePaused = false;
  #closed = false;

  constructor(socket: Duplex, options: TelnetClientOptions = {}) {
    super();
    this.#socket = socket;
    this.#options = options;
    const tap = options.transcript;
    if (tap !== undefined) {
      this.#serverLines = new TranscriptLines((text) => {
        tap('S', text);
      });
      this.#clientLines = new TranscriptLines((text) => {
        tap('C', text);
      });
    }
    socket.pause();
    socket.on('data', (chunk: Buffer) => {
      this.#receive(chunk);
    });
    socket.on('drain', () => {
      this.#writePaused = false;
      this.#updateFlow();
    });
    socket.once('close', () => {
      this.#end();
    });
    socket.on('error', () => {
      // 'close' follows; the owner sees the end of the session.
    });
  }

  /** True once the server's side of ECHO is on: it echoes, so the terminal should not. */
  get serverEchoes(): boolean {
    return this.#table.enabled(Opt.ECHO, 'him');
  }

  /** True while the server suppresses go-ahead (character at a time is then sensible). */
  get serverSuppressesGoAhead(): boolean {
    return this.#table.enabled(Opt.SGA, 'him');
  }

  /** True when we send BINARY (CR goes out as it is). */
  get sendsBinary(): boolean {
    return this.#table.enabled(Opt.BINARY, 'us');
  }

  /** True once the session's stream has ended. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Every option either side negotiated, with each side's RFC 1143 state, for `status`. */
  optionStates(): { option: number; us: string; him: string }[] {
    return this.#table.options().map((option) => ({
      option,
      us: this.#table.side(option, 'us').state,
      him: this.#table.side(option, 'him').state,
    }));
  }

  /** Starts reading the server, once the owner listens to `data` (the stream stays paused until then). */
  start(): void {
    this.#started = true;
    this.#updateFlow();
  }

  /** Holds (true) or resumes (false) reading while the owner's output is backed up. */
  pauseOutput(paused: boolean): void {
    this.#outputPaused = paused;
    this.#updateFlow();
  }

  /** Sends one line (line mode, pipes): IAC escaped, ended by CR LF. */
  sendLine(text: Uint8Array): void {
    this.#clientLines?.push(Buffer.concat([text, Buffer.of(0x0a)]));
    this.#write(encodeLine(text));
  }

  /** Sends typed keys (character mode): CR NUL for a bare CR unless we send BINARY. */
  sendKeys(keys: Uint8Array): void {
    this.#clientLines?.push(keys.map((b) => (b === 0x0d ? 0x0a : b)));
    this.#write(encodeKeys(keys, this.sendsBinary));
  }

  /** Sends raw data (IAC escaped, nothing else changed). */
  sendData(data: Uint8Array): void {
    this.#clientLines?.push(data);
    this.#write(escapeIac(data));
  }

  /** Sends a command by its `telnet>` name: `send ayt`, `send synch` (IAC DM), … */
  sendCommand(name: SendableName): void {
    const command = SENDABLE[name];
    this.#tell('C', { kind: 'command', command });
    this.#write(encodeCommand(command));
  }

  /** Asks for `side` of `option` on or off (RFC 1143 request); `mode` uses ECHO and SGA. */
  request(side: Side, option: number, enable: boolean): void {
    const outcome = this.#table.request(side, option, enable);
    if (outcome.send !== null) this.#negotiate(outcome.send, option);
    if (outcome.enabled !== undefined) this.#changed(side, option, outcome.enabled);
  }

  /** The window changed (SIGWINCH): report the new size when NAWS is on. */
  windowChanged(): void {
    if (this.#table.enabled(Opt.NAWS, 'us')) this.#sendWindowSize();
  }

  /** Ends our side of the connection (the server may still send). */
  end(): void {
    this.#socket.end();
  }

  /** Closes the connection at once. */
  destroy(): void {
    this.#socket.destroy();
  }

  #offer(): OptionOffer {
    return {
      terminalType: this.#options.terminalType !== undefined,
      windowSize: this.#options.windowSize?.() !== undefined,
      environ: this.#options.environ !== undefined,
    };
  }

  #receive(chunk: Buffer): void {
    for (const event of this.#parser.feed(chunk)) this.#handle(event);
  }

  #handle(event: TelnetEvent): void {
    if (event.kind === 'data') {
      this.#serverLines?.push(event.data);
      this.emit('data', event.data);
      return;
    }
    this.#tell('S', event);
    switch (event.kind) {
      case 'negotiation':
        this.#onNegotiation(event.verb, event.option);
        break;
      case 'subnegotiation':
        this.#onSubnegotiation(event.option, event.data);
        break;
      case 'subnegotiation-overflow':
        this.emit('notice', `dropped a ${event.length}-byte sub-negotiation of option ${event.option}`);
        break;
      case 'command':
        // DM ends a Synch; without the urgent mark (which Node cannot read) it only marks a
        // point in the stream. IP, AO, BRK, EC, EL, GA and NOP from a server ask nothing of us.
        if (event.command === Cmd.AYT) this.emit('data', AYT_ANSWER);
        break;
    }
  }

  #onNegotiation(verb: Verb, option: number): void {
    const count = (this.#answered.get(option) ?? 0) + 1;
    if (count > MAX_NEGOTIATIONS_PER_OPTION) {
      if (count === MAX_NEGOTIATIONS_PER_OPTION + 1) {
        this.#answered.set(option, count);
        this.emit('notice', `the server keeps negotiating option ${option}; no longer answering it`);
      }
      return;
    }
    this.#answered.set(option, count);
    const offer = this.#offer();
    const outcome = this.#table.receive(verb, option, (side, o) => agrees(offer, side, o));
    if (outcome.send !== null) this.#negotiate(outcome.send, option);
    const side: Side = verb === Cmd.WILL || verb === Cmd.WONT ? 'him' : 'us';
    if (outcome.enabled !== undefined) this.#changed(side, option, outcome.enabled);
  }

  #changed(side: Side, option: number, enabled: boolean): void {
    if (side === 'him' && option === Opt.BINARY) this.#parser.binary = enabled;
    if (side === 'us' && option === Opt.NAWS && enabled) this.#sendWindowSize();
    this.emit('options');
  }

  #onSubnegotiation(option: number, data: Buffer): void {
    if (option === Opt.TTYPE && this.#table.enabled(Opt.TTYPE, 'us') && isTerminalTypeSend(data)) {
      this.#sendSubnegotiation(Opt.TTYPE, terminalTypeIs(this.#options.terminalType ?? ''));
    } else if (option === Opt.NEW_ENVIRON && this.#table.enabled(Opt.NEW_ENVIRON, 'us')) {
      const requests = parseEnvironSend(data);
      if (requests !== null)
        this.#sendSubnegotiation(Opt.NEW_ENVIRON, environIs(requests, this.#options.environ ?? new Map()));
    }
  }

  #sendWindowSize(): void {
    const size = this.#options.windowSize?.();
    if (size !== undefined) this.#sendSubnegotiation(Opt.NAWS, nawsPayload(size.columns, size.rows));
  }

  #negotiate(verb: Verb, option: number): void {
    this.#tell('C', { kind: 'negotiation', verb, option });
    this.#write(encodeNegotiation(verb, option));
  }

  #sendSubnegotiation(option: number, payload: Buffer): void {
    this.#tell('C', { kind: 'subnegotiation', option, data: payload });
    this.#write(encodeSubnegotiation(option, payload));
  }

  #tell(direction: 'C' | 'S', command: TelnetCommand): void {
    const tap = this.#options.transcript;
    if (tap === undefined) return;
    (direction === 'S' ? this.#serverLines : this.#clientLines)?.flush();
    tap(direction, describeCommand(command));
  }

  #write(bytes: Buffer): void {
    if (this.#closed || this.#socket.destroyed || !this.#socket.writable) return;
    if (!this.#socket.write(bytes)) {
      this.#writePaused = true;
      this.#updateFlow();
    }
  }

  #updateFlow(): void {
    if (!this.#started || this.#outputPaused || this.#writePaused) this.#socket.pause();
    else if (!this.#closed) this.#socket.resume();
  }

  #end(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#serverLines?.flush();
    this.#clientLines?.flush();
    this.emit('close');
  }
}
