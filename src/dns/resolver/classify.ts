/**
 * What one upstream reply means, after scrubbing (pure). The scrubbing is the resolver's
 * bailiwick rule, the defence against Kaminsky-style and older cache poisoning (RFC 5452 §6,
 * RFC 2181 §5.4.1): a server asked about zone Z may only speak for names in Z. So:
 * - answer records outside Z, or not on the chain from the asked name through its CNAMEs and
 *   DNAMEs, are dropped (an "extra" A record for a bank's name rides along in vain);
 * - a referral counts only when its NS owner lies strictly below Z and at or above the asked
 *   name (an upward or sideways referral is lame; a delegation for an unrelated name is a
 *   poisoning attempt and is ignored the same way);
 * - glue is kept only for the referral's NS names and only when inside Z (out-of-bailiwick glue
 *   is how a server would plant addresses for names it does not own);
 * - the SOA of a negative answer must be Z or below, and above the name it speaks for;
 * - DNAME answers are turned into our own synthesised CNAME (RFC 6672 §3.2); a server's CNAME
 *   that disagrees with the DNAME is ignored.
 * Everything not kept never reaches the cache or the client.
 */
import { rcodeToString, RRType, Rcode } from '../constants.js';
import { isSubdomain, labelCount, nameKey, namesEqual, parseName, formatLabels } from '../name.js';
import type { Message, ResourceRecord } from '../types.js';

/** The question as sent upstream and the zone whose servers were asked. */
export interface Asked {
  readonly zone: string;
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

/** What a scrubbed reply says. `chain` holds CNAME/DNAME links (and synthesised CNAMEs) in order. */
export type Verdict =
  | {
      readonly kind: 'referral';
      readonly cut: string;
      readonly ns: readonly ResourceRecord[];
      readonly glue: readonly ResourceRecord[];
    }
  | {
      readonly kind: 'answer';
      readonly chain: readonly ResourceRecord[];
      readonly records: readonly ResourceRecord[];
    }
  | { readonly kind: 'cname'; readonly chain: readonly ResourceRecord[]; readonly target: string }
  | {
      readonly kind: 'nxdomain' | 'nodata';
      readonly chain: readonly ResourceRecord[];
      readonly name: string;
      readonly soa: readonly ResourceRecord[];
    }
  | { readonly kind: 'lame'; readonly reason: string };

/** Links followed inside one reply (the engine's own limit applies to the whole answer). */
const MAX_LINKS_IN_REPLY = 16;

/** `name` with its `owner` suffix replaced by `target` (RFC 6672 §2.2); undefined if too long. */
export function dnameSubstitute(name: string, owner: string, target: string): string | undefined {
  const n = parseName(name).labels;
  const keep = n.slice(0, n.length - labelCount(owner));
  try {
    return formatLabels(parseName(formatLabels([...keep, ...parseName(target).labels])).labels);
  } catch {
    return undefined;
  }
}

/** Classify `reply`, an answer (already matched to the query) from a server of `asked.zone`. */
export function classify(reply: Message, asked: Asked): Verdict {
  const { rcode } = reply.header;
  if (rcode !== Rcode.NOERROR && rcode !== Rcode.NXDOMAIN)
    return { kind: 'lame', reason: rcodeToString(rcode) };
  if (reply.header.tc) return { kind: 'lame', reason: 'truncated' };
  const inZone = (name: string): boolean => isSubdomain(name, asked.zone);
  const answers = reply.answers.filter((r) => r.class === asked.class && inZone(r.name));
  if (!reply.header.aa) return referral(reply, asked, answers.length > 0);
  const chain: ResourceRecord[] = [];
  const seen = new Set<string>();
  let name = asked.name;
  for (let links = 0; links <= MAX_LINKS_IN_REPLY; links++) {
    const key = nameKey(name);
    if (seen.has(key)) return { kind: 'cname', chain, target: name }; // a loop: the engine ends it
    seen.add(key);
    const owned = answers.filter((r) => nameKey(r.name) === key);
    const records = asked.type === RRType.ANY ? owned : owned.filter((r) => r.type === asked.type);
    if (records.length > 0) return { kind: 'answer', chain, records };
    const dname =
      asked.type === RRType.DNAME
        ? undefined
        : answers.find(
            (r) => r.type === RRType.DNAME && isSubdomain(name, r.name) && !namesEqual(name, r.name),
          );
    const cname = asked.type === RRType.CNAME ? undefined : owned.find((r) => r.type === RRType.CNAME);
    if (dname !== undefined && dname.data.type === 'DNAME') {
      const target = dnameSubstitute(name, dname.name, dname.data.target);
      if (target === undefined) return { kind: 'lame', reason: 'DNAME substitution too long (YXDOMAIN)' };
      const synthesised: ResourceRecord = {
        name,
        type: RRType.CNAME,
        class: asked.class,
        ttl: dname.ttl,
        data: { type: 'CNAME', target },
      };
      chain.push(dname, synthesised);
      name = target;
    } else if (cname !== undefined && cname.data.type === 'CNAME') {
      chain.push(cname);
      name = cname.data.target;
    } else {
      break;
    }
    if (!inZone(name)) return { kind: 'cname', chain, target: name };
  }
  const soa = reply.authorities.filter(
    (r) => r.type === RRType.SOA && r.class === asked.class && inZone(r.name) && isSubdomain(name, r.name),
  );
  const soaSet = soa.filter((r) => namesEqual(r.name, soa[0]?.name ?? '.'));
  if (rcode === Rcode.NXDOMAIN) return { kind: 'nxdomain', chain, name, soa: soaSet };
  if (chain.length === 0 || soaSet.length > 0) return { kind: 'nodata', chain, name, soa: soaSet };
  return { kind: 'cname', chain, target: name }; // the chain goes on, the server did not follow it
}

function referral(reply: Message, asked: Asked, hasAnswers: boolean): Verdict {
  if (hasAnswers || reply.header.rcode !== Rcode.NOERROR) {
    return { kind: 'lame', reason: 'non-authoritative answer' };
  }
  const nsAll = reply.authorities.filter((r) => r.type === RRType.NS && r.class === asked.class);
  const first = nsAll[0];
  if (first === undefined) return { kind: 'lame', reason: 'non-authoritative reply without a referral' };
  const cut = first.name;
  if (!isSubdomain(cut, asked.zone) || namesEqual(cut, asked.zone)) {
    return { kind: 'lame', reason: `referral to ${cut}, not below ${asked.zone}` };
  }
  if (!isSubdomain(asked.name, cut)) {
    return { kind: 'lame', reason: `referral to ${cut}, which does not hold ${asked.name}` };
  }
  const ns = nsAll.filter((r) => namesEqual(r.name, cut));
  const targets = new Set(ns.map((r) => (r.data.type === 'NS' ? nameKey(r.data.target) : '')));
  const glue = reply.additionals.filter(
    (r) =>
      (r.type === RRType.A || r.type === RRType.AAAA) &&
      r.class === asked.class &&
      targets.has(nameKey(r.name)) &&
      isSubdomain(r.name, asked.zone),
  );
  return { kind: 'referral', cut: formatLabels(parseName(cut).labels), ns, glue };
}
