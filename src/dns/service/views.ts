/**
 * View selection for the authoritative server (BIND `match-clients` style): a zone's views are
 * tried in order and the first whose `match_clients` covers the client address answers; no match
 * means the zone's default data. `select` also works out the RFC 7871 §7.2.1 SCOPE PREFIX-LENGTH:
 * the shortest prefix of the address whose every address would have been given the same view
 * (an earlier, more specific CIDR inside a later one makes it longer than that CIDR's prefix).
 */
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import type { ZoneFinder } from '../authority/answer-builder.js';
import type { ZoneIndex } from '../authority/zone-index.js';
import { parseAllowEntry, type AllowEntry } from '../transfer/allow-list.js';

/** The view chosen for an address (-1: none matched, the default data) and the scope it holds for. */
export interface ViewChoice {
  readonly view: number;
  readonly scope: number;
}

interface Entry extends AllowEntry {
  readonly view: number;
}

/** True when the first `bits` bits of `a` and `b` agree. */
function samePrefix(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  const full = bits >> 3;
  for (let i = 0; i < full; i++) if (a[i] !== b[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((a[full] ?? 0) & mask) === ((b[full] ?? 0) & mask);
}

/** The views of one zone, as CIDR lists in order. */
export class ViewSelector {
  readonly #entries: Entry[] = [];

  /** `matchClients[i]` is view i's list (IPs or CIDRs); throws ERR_CONFIG_INVALID on a bad entry. */
  constructor(matchClients: readonly (readonly string[])[]) {
    matchClients.forEach((list, view) => {
      for (const text of list) {
        const entry = parseAllowEntry(text);
        if (entry === undefined) {
          throw new OutpostError(ErrorCodes.CONFIG_INVALID, `invalid match_clients entry "${text}"`);
        }
        this.#entries.push({ ...entry, view });
      }
    });
  }

  /** Picks the view for `address` (4 or 16 octets; an IPv4-mapped IPv6 address already folded). */
  select(address: Uint8Array): ViewChoice {
    let view = -1;
    for (const e of this.#entries) {
      if (e.bytes.length === address.length && samePrefix(address, e.bytes, e.prefix)) {
        view = e.view;
        break;
      }
    }
    const bits = address.length * 8;
    for (let scope = 0; scope < bits; scope++) if (this.#uniform(address, scope)) return { view, scope };
    return { view, scope: bits };
  }

  /** True when every address sharing `address`'s first `s` bits gets the same view. */
  #uniform(address: Uint8Array, s: number): boolean {
    for (const e of this.#entries) {
      if (e.bytes.length !== address.length) continue;
      if (!samePrefix(address, e.bytes, Math.min(s, e.prefix))) continue; // disjoint
      return s >= e.prefix; // inside this CIDR: decided; else only partly inside
    }
    return true;
  }
}

/** One zone's views: who gets which data (`zones[i]` is view i's current version). */
export interface ZoneViews {
  readonly selector: ViewSelector;
  readonly zones: readonly (ZoneIndex | undefined)[];
}

/**
 * The zones as one client sees them: the Authority's, with a zone that has views replaced by the
 * client's view. Remembers whether any view was consulted and the longest scope involved, for
 * the ECS reply and the packet cache. `address` undefined (ECS with SOURCE 0): the defaults.
 */
export class ClientView implements ZoneFinder {
  used = false;
  scope = 0;
  readonly #zones: ZoneFinder;
  readonly #views: ReadonlyMap<string, ZoneViews>;
  readonly #address: Uint8Array | undefined;

  constructor(zones: ZoneFinder, views: ReadonlyMap<string, ZoneViews>, address: Uint8Array | undefined) {
    this.#zones = zones;
    this.#views = views;
    this.#address = address;
  }

  zoneForKey(key: string): ZoneIndex | undefined {
    const zone = this.#zones.zoneForKey(key);
    const views = zone === undefined ? undefined : this.#views.get(zone.apexKey);
    if (views === undefined) return zone;
    this.used = true;
    if (this.#address === undefined) return zone;
    const choice = views.selector.select(this.#address);
    if (choice.scope > this.scope) this.scope = choice.scope;
    return choice.view === -1 ? zone : (views.zones[choice.view] ?? zone);
  }
}
