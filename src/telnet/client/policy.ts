/**
 * Which options the client agrees to, per side (RFC 1143's "if we agree"): from the server,
 * ECHO and SUPPRESS-GO-AHEAD (RFC 857, 858: character mode) and BINARY (856); from us,
 * SUPPRESS-GO-AHEAD, BINARY, TERMINAL-TYPE (1091) when there is a terminal type, NAWS (1073)
 * when there is a window, NEW-ENVIRON (1572) only when the user allowed variables. Every other
 * option, either way, is refused.
 */
import { Opt, type Side } from '../codec/index.js';

/** What the client has to offer. */
export interface OptionOffer {
  readonly terminalType: boolean;
  readonly windowSize: boolean;
  readonly environ: boolean;
}

const FROM_SERVER: ReadonlySet<number> = new Set([Opt.ECHO, Opt.SGA, Opt.BINARY]);

/** True when the client agrees to `side` of `option` being enabled. */
export function agrees(offer: OptionOffer, side: Side, option: number): boolean {
  if (side === 'him') return FROM_SERVER.has(option);
  switch (option) {
    case Opt.SGA:
    case Opt.BINARY:
      return true;
    case Opt.TTYPE:
      return offer.terminalType;
    case Opt.NAWS:
      return offer.windowSize;
    case Opt.NEW_ENVIRON:
      return offer.environ;
    default:
      return false;
  }
}
