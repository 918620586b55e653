/**
 * Root hints: where iteration starts. The file is in named.root format, which is a master file
 * (RFC 1035 §5) holding the root's NS RRset and its servers' A/AAAA records; real deployments
 * use IANA's copy (https://www.internic.net/domain/named.root), a test world lists loopback
 * servers. Parsing goes through the zone-file parser, so problems come out as `file:line:
 * message`. A file without one root NS that has an address is refused: the resolver could never
 * answer anything.
 */
import { readFileSync } from 'node:fs';
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { isLoopback } from '../../core/net.js';
import { RRType } from '../constants.js';
import { nameKey } from '../name.js';
import type { ResourceRecord } from '../types.js';
import { parseZoneText } from '../zone/parser.js';
import { formatProblem } from '../zone/problems.js';

/** The root servers as the hints name them. */
export interface RootHints {
  /** The root NS RRset. */
  readonly ns: readonly ResourceRecord[];
  /** A and AAAA records of the NS names. */
  readonly addresses: readonly ResourceRecord[];
}

/** Parse named.root text; throws ERR_CONFIG_INVALID naming `fileName` and the problems. */
export function parseRootHints(text: string, fileName = '<root hints>'): RootHints {
  const { records, problems } = parseZoneText(text, { origin: '.', fileName, defaultTtl: 3_600_000 });
  if (problems.length > 0) {
    throw new OutpostError(
      ErrorCodes.CONFIG_INVALID,
      `root hints: ${problems.map(formatProblem).slice(0, 5).join('; ')}`,
    );
  }
  const ns = records.map((r) => r.record).filter((r) => r.type === RRType.NS && r.name === '.');
  const targets = new Set(ns.map((r) => (r.data.type === 'NS' ? nameKey(r.data.target) : '')));
  const addresses = records
    .map((r) => r.record)
    .filter((r) => (r.type === RRType.A || r.type === RRType.AAAA) && targets.has(nameKey(r.name)));
  if (ns.length === 0 || addresses.length === 0) {
    throw new OutpostError(
      ErrorCodes.CONFIG_INVALID,
      `root hints ${fileName}: need at least one ". NS" record and an address for its name`,
    );
  }
  return { ns, addresses };
}

/** Read and parse a root hints file; ERR_CONFIG_INVALID when it cannot be read or parsed. */
export function loadRootHints(path: string): RootHints {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new OutpostError(ErrorCodes.CONFIG_INVALID, `root hints ${path}: cannot read`, { cause: err });
  }
  return parseRootHints(text, path);
}

/** True when every root server address is loopback (a test world, the mini-Internet). */
export function hintsAreLoopback(hints: RootHints): boolean {
  return hints.addresses.every((r) =>
    r.data.type !== 'A' && r.data.type !== 'AAAA' ? true : isLoopback(r.data.address),
  );
}
