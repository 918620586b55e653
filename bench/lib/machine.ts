/**
 * A snapshot of the machine a benchmark ran on (cores, CPU model, load average, kernel, Node), so
 * a figure is never read without knowing how busy the box was. The load average is taken before
 * and after the run: other people's processes share the machine.
 */
import { availableParallelism, cpus, loadavg, release } from 'node:os';

/** Machine facts recorded with every result. */
export interface MachineInfo {
  readonly cores: number;
  readonly cpuModel: string;
  readonly kernel: string;
  readonly node: string;
  /** 1, 5 and 15 minute load averages. */
  readonly loadAvg: readonly number[];
}

/** The 1/5/15-minute load averages now, to two decimals. */
export function loadAverage(): number[] {
  return loadavg().map((n) => Math.round(n * 100) / 100);
}

/** Take the snapshot now. */
export function machineInfo(): MachineInfo {
  return {
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    kernel: release(),
    node: process.version,
    loadAvg: loadAverage(),
  };
}
