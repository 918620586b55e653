/**
 * The Telnet protocol's numbers: the commands of RFC 854 (IAC and what may follow it), the
 * option codes of the option RFCs with the names people read in transcripts, and the
 * sub-negotiation verbs of TERMINAL-TYPE (RFC 1091) and NEW-ENVIRON (RFC 1572).
 */

/** RFC 854 commands (the byte after IAC). */
export const Cmd = {
  SE: 240,
  NOP: 241,
  DM: 242,
  BRK: 243,
  IP: 244,
  AO: 245,
  AYT: 246,
  EC: 247,
  EL: 248,
  GA: 249,
  SB: 250,
  WILL: 251,
  WONT: 252,
  DO: 253,
  DONT: 254,
  IAC: 255,
} as const;

/** The four negotiation verbs (RFC 854 "Telnet command structure"). */
export type Verb = typeof Cmd.WILL | typeof Cmd.WONT | typeof Cmd.DO | typeof Cmd.DONT;

/** The commands that stand alone after IAC (no option byte follows). */
export type SimpleCommand =
  | typeof Cmd.NOP
  | typeof Cmd.DM
  | typeof Cmd.BRK
  | typeof Cmd.IP
  | typeof Cmd.AO
  | typeof Cmd.AYT
  | typeof Cmd.EC
  | typeof Cmd.EL
  | typeof Cmd.GA;

/** Option codes this client implements, and the ones it names when it refuses them. */
export const Opt = {
  BINARY: 0, // RFC 856
  ECHO: 1, // RFC 857
  SGA: 3, // RFC 858
  STATUS: 5, // RFC 859
  TIMING_MARK: 6, // RFC 860
  TTYPE: 24, // RFC 1091
  EOR: 25, // RFC 885
  NAWS: 31, // RFC 1073
  TSPEED: 32, // RFC 1079
  LFLOW: 33, // RFC 1372
  LINEMODE: 34, // RFC 1184
  XDISPLOC: 35, // RFC 1096
  ENVIRON: 36, // RFC 1408
  AUTHENTICATION: 37, // RFC 2941
  ENCRYPT: 38, // RFC 2946
  NEW_ENVIRON: 39, // RFC 1572
  CHARSET: 42, // RFC 2066
  COM_PORT: 44, // RFC 2217
  START_TLS: 46, // draft-altman-telnet-starttls
} as const;

const OPTION_NAMES: Readonly<Record<number, string>> = {
  [Opt.BINARY]: 'BINARY',
  [Opt.ECHO]: 'ECHO',
  [Opt.SGA]: 'SUPPRESS-GO-AHEAD',
  [Opt.STATUS]: 'STATUS',
  [Opt.TIMING_MARK]: 'TIMING-MARK',
  [Opt.TTYPE]: 'TERMINAL-TYPE',
  [Opt.EOR]: 'END-OF-RECORD',
  [Opt.NAWS]: 'NAWS',
  [Opt.TSPEED]: 'TERMINAL-SPEED',
  [Opt.LFLOW]: 'TOGGLE-FLOW-CONTROL',
  [Opt.LINEMODE]: 'LINEMODE',
  [Opt.XDISPLOC]: 'X-DISPLAY-LOCATION',
  [Opt.ENVIRON]: 'OLD-ENVIRON',
  [Opt.AUTHENTICATION]: 'AUTHENTICATION',
  [Opt.ENCRYPT]: 'ENCRYPT',
  [Opt.NEW_ENVIRON]: 'NEW-ENVIRON',
  [Opt.CHARSET]: 'CHARSET',
  [Opt.COM_PORT]: 'COM-PORT-OPTION',
  [Opt.START_TLS]: 'START-TLS',
};

const COMMAND_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(Cmd).map(([name, code]) => [code, name]),
);

/** The option's name as transcripts print it (`NAWS`), or its number for unknown ones. */
export function optionName(option: number): string {
  return OPTION_NAMES[option] ?? String(option);
}

/** The command's name (`WILL`, `AYT`), or its number for bytes that are not commands. */
export function commandName(command: number): string {
  return COMMAND_NAMES[command] ?? String(command);
}

/** TERMINAL-TYPE (RFC 1091) and NEW-ENVIRON (RFC 1572) sub-negotiation verbs. */
export const Sub = {
  IS: 0,
  SEND: 1,
  INFO: 2,
} as const;

/** NEW-ENVIRON (RFC 1572) type bytes inside IS/SEND/INFO. */
export const Env = {
  VAR: 0,
  VALUE: 1,
  ESC: 2,
  USERVAR: 3,
} as const;

/** The commands `send NAME` puts on the wire (the `telnet>` prompt's names, as classic telnet's). */
export const SENDABLE = {
  ayt: Cmd.AYT,
  brk: Cmd.BRK,
  ip: Cmd.IP,
  ao: Cmd.AO,
  ec: Cmd.EC,
  el: Cmd.EL,
  nop: Cmd.NOP,
  ga: Cmd.GA,
  synch: Cmd.DM,
} as const;

/** A name `send` accepts. */
export type SendableName = keyof typeof SENDABLE;
