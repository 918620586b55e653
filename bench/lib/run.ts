/**
 * What every benchmark run does around its peers and its report: `peerSet` keeps the peers it
 * starts and stops them all (and removes the temp directory) at the end or on Ctrl-C, and
 * `runInfo` is the part of a BenchReport that says when and where the run happened.
 */
import { loadAverage, type MachineInfo } from './machine.js';
import type { Peer } from './peer.js';
import type { TempDir } from './temp.js';
import { canPin } from './tools.js';

/** The peers of a run: push each one started; `stopAll` stops them and removes `tmp`. */
export interface PeerSet {
  readonly peers: Peer[];
  readonly stopAll: () => Promise<void>;
}

/** A PeerSet over `tmp`; SIGINT stops every peer, removes `tmp` and exits 130. */
export function peerSet(tmp: TempDir): PeerSet {
  const peers: Peer[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(peers.map((p) => p.stop()));
    tmp.remove();
  };
  process.once('SIGINT', () => {
    void stopAll().finally(() => process.exit(130));
  });
  return { peers, stopAll };
}

/** When and where the run happened, against `reference`; finished now. */
export function runInfo(
  reference: string,
  startedAt: string,
  machine: MachineInfo,
): {
  reference: string;
  startedAt: string;
  finishedAt: string;
  machine: MachineInfo;
  loadAvgAfter: number[];
  pinned: boolean;
} {
  return {
    reference,
    startedAt,
    finishedAt: new Date().toISOString(),
    machine,
    loadAvgAfter: loadAverage(),
    pinned: canPin(),
  };
}

/** A subject's label (its version line), or its name when asking fails: start() then reports
 *  the real problem. */
export function subjectLabel(def: { readonly name: string; label(): string }): string {
  try {
    return def.label();
  } catch {
    return def.name;
  }
}
