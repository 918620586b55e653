/**
 * Option negotiation by the Q method of RFC 1143: for each option, our side ("us": WILL/WONT we
 * send, DO/DONT we receive) and the peer's side ("him") each hold one of NO, YES, WANTNO,
 * WANTYES and a one-deep queue (EMPTY/OPPOSITE). The tables of RFC 1143 §7 are followed line by
 * line, so no sequence of requests can loop between two peers, a request for the state already
 * agreed gets no reply (RFC 854's rule against acknowledging a mode already in effect), and the
 * refusal or acceptance of each option is a policy the caller passes in. Pure: it only says
 * what to send.
 */
import { Cmd, type Verb } from './constants.js';

/** One side's state of one option (RFC 1143 §7). */
export type QState = 'no' | 'yes' | 'wantno' | 'wantyes';

/** The state and the queue bit of one side. */
export interface QSide {
  readonly state: QState;
  /** RFC 1143's OPPOSITE queue: the opposite of the pending request is wanted next. */
  readonly opposite: boolean;
}

/** Which side of an option: ours (we WILL) or the peer's (he WILL). */
export type Side = 'us' | 'him';

/** What receiving (or asking for) a negotiation leads to. */
export interface QOutcome {
  /** The verb to send for this option, if any. */
  readonly send: Verb | null;
  /** The side's new enabled state when it changed (YES entered or left), else undefined. */
  readonly enabled?: boolean;
  /** RFC 1143's "Error:" cases: the peer answered out of turn, or the request was redundant. */
  readonly error?: string;
}

const NO_SIDE: QSide = { state: 'no', opposite: false };

interface Verbs {
  readonly ask: Verb;
  readonly refuse: Verb;
}
/** What each side sends: for "him" we send DO/DONT, for "us" WILL/WONT. */
const SENDS: Readonly<Record<Side, Verbs>> = {
  him: { ask: Cmd.DO, refuse: Cmd.DONT },
  us: { ask: Cmd.WILL, refuse: Cmd.WONT },
};

/** The negotiation state of every option of one connection. */
export class OptionTable {
  readonly #sides = new Map<number, { us: QSide; him: QSide }>();

  /** The current state of one side of `option`. */
  side(option: number, side: Side): QSide {
    return this.#sides.get(option)?.[side] ?? NO_SIDE;
  }

  /** True when the side of `option` is enabled (YES). */
  enabled(option: number, side: Side): boolean {
    return this.side(option, side).state === 'yes';
  }

  /** Options with any side not in the plain NO state, for `status`. */
  options(): number[] {
    return [...this.#sides.keys()].sort((a, b) => a - b);
  }

  #set(option: number, side: Side, next: QSide): void {
    const entry = this.#sides.get(option) ?? { us: NO_SIDE, him: NO_SIDE };
    entry[side] = next;
    this.#sides.set(option, entry);
  }

  /**
   * The peer sent `verb` for `option`. WILL/WONT concern his side, DO/DONT ours; `accept` says
   * whether we agree to that side being enabled (asked only when it is off and requested).
   */
  receive(verb: Verb, option: number, accept: (side: Side, option: number) => boolean): QOutcome {
    const side: Side = verb === Cmd.WILL || verb === Cmd.WONT ? 'him' : 'us';
    const positive = verb === Cmd.WILL || verb === Cmd.DO;
    const { ask, refuse } = SENDS[side];
    const { state, opposite } = this.side(option, side);
    const to = (next: QState, queue = false): void => {
      this.#set(option, side, { state: next, opposite: queue });
    };
    if (positive) {
      switch (state) {
        case 'no':
          if (!accept(side, option)) return { send: refuse };
          to('yes');
          return { send: ask, enabled: true };
        case 'yes':
          return { send: null };
        case 'wantno':
          // "DONT answered by WILL": the peer ignored our refusal.
          to(opposite ? 'yes' : 'no');
          return opposite
            ? { send: null, enabled: true, error: 'refusal answered by acceptance' }
            : { send: null, error: 'refusal answered by acceptance' };
        case 'wantyes':
          if (!opposite) {
            to('yes');
            return { send: null, enabled: true };
          }
          to('wantno');
          return { send: refuse };
      }
    }
    switch (state) {
      case 'no':
        return { send: null };
      case 'yes':
        to('no');
        return { send: refuse, enabled: false };
      case 'wantno':
        // Our refusal is confirmed (the side already counted as off when we sent it).
        if (!opposite) {
          to('no');
          return { send: null };
        }
        to('wantyes');
        return { send: ask };
      case 'wantyes':
        to('no');
        return { send: null };
    }
  }

  /** We want `side` of `option` enabled (true) or disabled (false): RFC 1143's request tables. */
  request(side: Side, option: number, enable: boolean): QOutcome {
    const { ask, refuse } = SENDS[side];
    const { state, opposite } = this.side(option, side);
    const to = (next: QState, queue = false): void => {
      this.#set(option, side, { state: next, opposite: queue });
    };
    const settled = enable ? 'yes' : 'no';
    const pending = enable ? 'wantyes' : 'wantno';
    const reverse = enable ? 'wantno' : 'wantyes';
    if (state === settled) return { send: null, error: enable ? 'already enabled' : 'already disabled' };
    if (state === (enable ? 'no' : 'yes')) {
      to(pending);
      return { send: enable ? ask : refuse, ...(enable ? {} : { enabled: false }) };
    }
    if (state === reverse) {
      // Negotiating the other way: queue this request (RFC 1143's queueing variant).
      if (opposite) return { send: null, error: 'already queued' };
      to(reverse, true);
      return { send: null };
    }
    // Already negotiating this way: cancel a queued reversal, if any.
    if (opposite) to(pending, false);
    return opposite ? { send: null } : { send: null, error: 'already negotiating' };
  }
}
