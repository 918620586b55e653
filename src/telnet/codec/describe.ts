/**
 * Telnet commands in words, for transcripts: `IAC DO NAWS`, `IAC SB TERMINAL-TYPE SEND IAC SE`,
 * `IAC SB NAWS WIDTH 80 HEIGHT 24 IAC SE`. Sub-negotiations of the options the client knows are
 * decoded; others show their first bytes in hex. Pure.
 */
import { commandName, Env, Opt, optionName, Sub, type Verb } from './constants.js';

/** A command on the wire, either way: what transcripts describe. */
export type TelnetCommand =
  | { readonly kind: 'command'; readonly command: number }
  | { readonly kind: 'negotiation'; readonly verb: Verb; readonly option: number }
  | { readonly kind: 'subnegotiation'; readonly option: number; readonly data: Uint8Array }
  | { readonly kind: 'subnegotiation-overflow'; readonly option: number; readonly length: number };

const HEX_SHOWN = 32;

function quoted(bytes: readonly number[]): string {
  return JSON.stringify(Buffer.from(bytes).toString('latin1'));
}

function describeEnviron(data: Uint8Array): string {
  const words: string[] = [];
  let text: number[] | null = null;
  const close = (): void => {
    if (text !== null) words.push(quoted(text));
    text = null;
  };
  for (let i = 1; i < data.length; i++) {
    const b = data[i] ?? 0;
    if (b === Env.VAR || b === Env.USERVAR || b === Env.VALUE) {
      close();
      words.push(b === Env.VAR ? 'VAR' : b === Env.USERVAR ? 'USERVAR' : 'VALUE');
      text = [];
    } else {
      text ??= [];
      text.push(b === Env.ESC && i + 1 < data.length ? (data[++i] ?? 0) : b);
    }
  }
  close();
  return words.join(' ');
}

function subVerb(b: number | undefined): string {
  return b === Sub.IS ? 'IS' : b === Sub.SEND ? 'SEND' : b === Sub.INFO ? 'INFO' : String(b);
}

function describePayload(option: number, data: Uint8Array): string {
  if (option === Opt.NAWS && data.length === 4) {
    const view = Buffer.from(data);
    return `WIDTH ${view.readUInt16BE(0)} HEIGHT ${view.readUInt16BE(2)}`;
  }
  if (option === Opt.TTYPE && data.length > 0) {
    return data.length === 1 ? subVerb(data[0]) : `${subVerb(data[0])} ${quoted([...data.subarray(1)])}`;
  }
  if (option === Opt.NEW_ENVIRON && data.length > 0) {
    const rest = describeEnviron(data);
    return rest === '' ? subVerb(data[0]) : `${subVerb(data[0])} ${rest}`;
  }
  const hex = Buffer.from(data.subarray(0, HEX_SHOWN))
    .toString('hex')
    .replace(/(..)(?=.)/g, '$1 ');
  return data.length > HEX_SHOWN ? `${hex} … (${data.length} bytes)` : hex;
}

/** One command in words, as a transcript line shows it. */
export function describeCommand(command: TelnetCommand): string {
  switch (command.kind) {
    case 'command':
      return `IAC ${commandName(command.command)}`;
    case 'negotiation':
      return `IAC ${commandName(command.verb)} ${optionName(command.option)}`;
    case 'subnegotiation': {
      const payload = describePayload(command.option, command.data);
      return `IAC SB ${optionName(command.option)}${payload === '' ? '' : ` ${payload}`} IAC SE`;
    }
    case 'subnegotiation-overflow':
      return `IAC SB ${optionName(command.option)} … (${command.length} bytes, over the limit: dropped) IAC SE`;
  }
}
