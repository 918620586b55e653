/**
 * The sending half of the NVT stream (RFC 854): data with every 0xFF doubled, commands,
 * negotiations and sub-negotiations as bytes, and the two ways a newline goes out: CR LF after a
 * line typed in line mode or read from a pipe, and CR NUL for a bare carriage return typed in
 * character mode when BINARY is off (RFC 854: "CR NUL" is a carriage return alone). Pure.
 */
import { Cmd, type SimpleCommand, type Verb } from './constants.js';

const CR = 0x0d;
const LF = 0x0a;
const NUL = 0x00;

/** `data` with each 0xFF doubled (IAC IAC), so the peer reads it as data. */
export function escapeIac(data: Uint8Array): Buffer {
  let count = 0;
  for (const b of data) if (b === Cmd.IAC) count++;
  if (count === 0) return Buffer.from(data);
  const out = Buffer.alloc(data.length + count);
  let n = 0;
  for (const b of data) {
    out[n++] = b;
    if (b === Cmd.IAC) out[n++] = Cmd.IAC;
  }
  return out;
}

/** IAC followed by one command that takes no option (NOP, AYT, IP, …). */
export function encodeCommand(command: SimpleCommand): Buffer {
  return Buffer.of(Cmd.IAC, command);
}

/** IAC WILL|WONT|DO|DONT option. */
export function encodeNegotiation(verb: Verb, option: number): Buffer {
  return Buffer.of(Cmd.IAC, verb, option);
}

/** IAC SB option payload IAC SE, with 0xFF in the payload doubled. */
export function encodeSubnegotiation(option: number, payload: Uint8Array): Buffer {
  return Buffer.concat([Buffer.of(Cmd.IAC, Cmd.SB, option), escapeIac(payload), Buffer.of(Cmd.IAC, Cmd.SE)]);
}

/** One line as sent in line mode or from a pipe: the text (IAC escaped) and CR LF. */
export function encodeLine(text: Uint8Array): Buffer {
  return Buffer.concat([escapeIac(text), Buffer.of(CR, LF)]);
}

/**
 * Keys typed in character mode. Without BINARY a CR that is not followed by LF becomes CR NUL
 * (RFC 854), so the server does not wait for the LF of a CR LF; with BINARY bytes go as typed.
 */
export function encodeKeys(keys: Uint8Array, binary: boolean): Buffer {
  if (binary || !keys.includes(CR)) return escapeIac(keys);
  const out: number[] = [];
  for (let i = 0; i < keys.length; i++) {
    const b = keys[i] ?? 0;
    out.push(b);
    if (b === CR && keys[i + 1] !== LF) out.push(NUL);
  }
  return escapeIac(Uint8Array.from(out));
}
