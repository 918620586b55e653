/**
 * The receiving half of the NVT byte stream (RFC 854): an incremental parser that turns the
 * bytes a peer sends into data, commands, option negotiations and sub-negotiations. Pure: no
 * sockets, no timers. It takes any split of the stream (an IAC at the end of one chunk, its
 * command in the next), undoubles IAC IAC into one 0xFF, drops the NUL of an NVT "CR NUL" unless
 * the peer sends BINARY, and keeps at most MAX_SUBNEGOTIATION_OCTETS of one sub-negotiation
 * (the rest is counted and reported, never stored), so its memory is bounded whatever it is fed.
 */
import { MAX_SUBNEGOTIATION_OCTETS } from '../limits.js';
import { Cmd, type Verb } from './constants.js';

/** One thing the peer said. */
export type TelnetEvent =
  | { readonly kind: 'data'; readonly data: Buffer }
  /** IAC followed by a command that takes no option: NOP, DM, BRK, IP, AO, AYT, EC, EL, GA (or an unknown byte). */
  | { readonly kind: 'command'; readonly command: number }
  | { readonly kind: 'negotiation'; readonly verb: Verb; readonly option: number }
  | { readonly kind: 'subnegotiation'; readonly option: number; readonly data: Buffer }
  /** A sub-negotiation longer than the limit: its first bytes are dropped with the rest. */
  | { readonly kind: 'subnegotiation-overflow'; readonly option: number; readonly length: number };

const S = {
  DATA: 0,
  IAC: 1,
  NEGOTIATION: 2,
  SB_OPTION: 3,
  SB_DATA: 4,
  SB_IAC: 5,
} as const;
type State = (typeof S)[keyof typeof S];

const CR = 0x0d;
const NUL = 0x00;
const IAC_BYTE = Uint8Array.of(Cmd.IAC);

/** Incremental NVT parser; feed it every chunk in order. */
export class TelnetParser {
  #state: State = S.DATA;
  #verb: Verb = Cmd.WILL;
  #sbOption = 0;
  #sb: Buffer = Buffer.alloc(MAX_SUBNEGOTIATION_OCTETS);
  #sbLength = 0;
  #afterCr = false;
  #binary = false;
  readonly #maxSubnegotiation: number;

  constructor(options: { maxSubnegotiationOctets?: number } = {}) {
    this.#maxSubnegotiation = options.maxSubnegotiationOctets ?? MAX_SUBNEGOTIATION_OCTETS;
    if (this.#maxSubnegotiation !== this.#sb.length) this.#sb = Buffer.alloc(this.#maxSubnegotiation);
  }

  /** Whether the peer sends BINARY (RFC 856): then CR NUL is data like any other bytes. */
  set binary(on: boolean) {
    this.#binary = on;
    this.#afterCr = false;
  }

  get binary(): boolean {
    return this.#binary;
  }

  /** Bytes held between calls (a sub-negotiation in progress): never more than the limit. */
  get bufferedOctets(): number {
    return this.#state === S.SB_DATA || this.#state === S.SB_IAC
      ? Math.min(this.#sbLength, this.#maxSubnegotiation)
      : 0;
  }

  /** Parses one chunk; returns what it completed, in order. */
  feed(chunk: Uint8Array): TelnetEvent[] {
    const events: TelnetEvent[] = [];
    const data: Uint8Array[] = [];
    let runStart = -1;
    // Plain data is taken in runs between the bytes that need handling, and copied once.
    const flushRun = (end: number): void => {
      if (runStart >= 0 && end > runStart) data.push(chunk.subarray(runStart, end));
      runStart = -1;
    };
    const flushData = (): void => {
      if (data.length > 0) {
        events.push({ kind: 'data', data: Buffer.concat(data) });
        data.length = 0;
      }
    };
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] ?? 0;
      switch (this.#state) {
        case S.DATA:
          if (b === Cmd.IAC) {
            flushRun(i);
            this.#state = S.IAC;
          } else if (this.#afterCr && b === NUL && !this.#binary) {
            // RFC 854: CR NUL is a bare carriage return; the NUL is not data.
            flushRun(i);
            this.#afterCr = false;
          } else {
            if (runStart < 0) runStart = i;
            this.#afterCr = b === CR;
          }
          break;
        case S.IAC:
          this.#afterIac(b, events, data, flushData);
          break;
        case S.NEGOTIATION:
          flushData();
          events.push({ kind: 'negotiation', verb: this.#verb, option: b });
          this.#state = S.DATA;
          break;
        case S.SB_OPTION:
          this.#sbOption = b;
          this.#sbLength = 0;
          this.#state = S.SB_DATA;
          break;
        case S.SB_DATA:
          if (b === Cmd.IAC) this.#state = S.SB_IAC;
          else this.#sbByte(b);
          break;
        case S.SB_IAC:
          if (b === Cmd.IAC) {
            this.#sbByte(b);
            this.#state = S.SB_DATA;
          } else {
            // IAC SE ends it; any other IAC x means the SE was lost: end here, then obey x.
            flushData();
            events.push(this.#endSubnegotiation());
            this.#state = S.DATA;
            if (b !== Cmd.SE) this.#afterIac(b, events, data, flushData);
          }
          break;
      }
    }
    if (this.#state === S.DATA) flushRun(chunk.length);
    flushData();
    return events;
  }

  #afterIac(b: number, events: TelnetEvent[], data: Uint8Array[], flushData: () => void): void {
    this.#afterCr = false;
    if (b === Cmd.IAC) {
      data.push(IAC_BYTE);
      this.#state = S.DATA;
    } else if (b === Cmd.WILL || b === Cmd.WONT || b === Cmd.DO || b === Cmd.DONT) {
      this.#verb = b;
      this.#state = S.NEGOTIATION;
    } else if (b === Cmd.SB) {
      this.#state = S.SB_OPTION;
    } else {
      flushData();
      events.push({ kind: 'command', command: b });
      this.#state = S.DATA;
    }
  }

  #sbByte(b: number): void {
    if (this.#sbLength < this.#maxSubnegotiation) this.#sb[this.#sbLength] = b;
    this.#sbLength++;
  }

  #endSubnegotiation(): TelnetEvent {
    const length = this.#sbLength;
    this.#sbLength = 0;
    if (length > this.#maxSubnegotiation)
      return { kind: 'subnegotiation-overflow', option: this.#sbOption, length };
    return {
      kind: 'subnegotiation',
      option: this.#sbOption,
      data: Buffer.from(this.#sb.subarray(0, length)),
    };
  }
}
