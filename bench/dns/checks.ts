/**
 * Answer verification before any timing: each server must answer sample questions from the zone
 * correctly, so no server is measured while answering errors. What "correct" means depends on
 * what the server claims to do: a full authoritative server (NSD, Outpost) must get CNAMEs and
 * NXDOMAIN right, the dns2 A-record map must get A and NXDOMAIN right, the fixed-reply ceiling
 * only has to return the right A answer to the question it was built for.
 */
import { RRType, type Message } from '../../src/dns/index.js';
import { probe } from './probe.js';

/** How much of the zone a server is expected to implement. */
export type AnswerKind = 'authoritative' | 'a-map' | 'fixed';

interface Check {
  readonly name: string;
  readonly type: number;
  readonly rcode: number;
  /** A addresses the answer section must hold exactly (in any order). */
  readonly a?: readonly string[];
  /** Record types the answer section must contain. */
  readonly answerTypes?: readonly number[];
  /** The authority section must hold the zone's SOA (negative answers, RFC 2308). */
  readonly soaInAuthority?: boolean;
}

const WWW: Check = { name: 'www.example.test.', type: RRType.A, rcode: 0, a: ['192.0.2.80', '192.0.2.81'] };
const NX: Check = { name: 'no-such-host.example.test.', type: RRType.A, rcode: 3 };
const CHECKS: Readonly<Record<AnswerKind, readonly Check[]>> = {
  fixed: [WWW],
  'a-map': [WWW, NX, { name: 'mail.example.test.', type: RRType.A, rcode: 0, a: ['192.0.2.25'] }],
  authoritative: [
    WWW,
    { ...NX, soaInAuthority: true },
    {
      name: 'ftp.example.test.',
      type: RRType.A,
      rcode: 0,
      a: ['192.0.2.80', '192.0.2.81'],
      answerTypes: [RRType.CNAME],
    },
    { name: 'example.test.', type: RRType.MX, rcode: 0, answerTypes: [RRType.MX] },
    { name: 'foo.wild.example.test.', type: RRType.A, rcode: 0, a: ['192.0.2.200'] },
  ],
};

function problem(check: Check, msg: Message): string | undefined {
  const q = `${check.name} ${check.type}`;
  if (!msg.header.qr) return `${q}: reply without QR`;
  if (msg.header.rcode !== check.rcode) return `${q}: rcode ${msg.header.rcode}, expected ${check.rcode}`;
  if (check.a !== undefined) {
    const got = msg.answers.flatMap((rr) => (rr.data.type === 'A' ? [rr.data.address] : [])).sort();
    if (got.join(',') !== [...check.a].sort().join(','))
      return `${q}: A ${got.join(',') || 'none'}, expected ${check.a.join(',')}`;
  }
  for (const t of check.answerTypes ?? []) {
    if (!msg.answers.some((rr) => rr.type === t)) return `${q}: no type ${t} in the answer`;
  }
  if (check.soaInAuthority === true && !msg.authorities.some((rr) => rr.type === RRType.SOA)) {
    return `${q}: no SOA in the authority section`;
  }
  return undefined;
}

/** Ask the server every check for `kind`; resolves with a list of problems (empty when right). */
export async function verifyAnswers(port: number, kind: AnswerKind): Promise<string[]> {
  const problems: string[] = [];
  for (const check of CHECKS[kind]) {
    try {
      const why = problem(check, await probe(port, check.name, check.type, 2000));
      if (why !== undefined) problems.push(why);
    } catch (err) {
      problems.push(`${check.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return problems;
}
