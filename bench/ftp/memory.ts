/**
 * Memory of a server process tree, as PSS (proportional set size, /proc/PID/smaps_rollup): shared
 * pages are split between the processes that share them, so a forking server (vsftpd: two
 * processes per session) and a single-process one (Outpost) are compared fairly. Linux only.
 */
import { readdirSync, readFileSync } from 'node:fs';

function pss(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const m = /^Pss:\s+(\d+) kB/m.exec(text);
    return m?.[1] === undefined ? 0 : Number(m[1]) * 1024;
  } catch {
    return 0;
  }
}

function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(after[1]);
  } catch {
    return -1;
  }
}

/** `root` and all its descendants. */
export function processTree(root: number): number[] {
  const pids = readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
  const children = new Map<number, number[]>();
  for (const pid of pids) {
    const ppid = parentOf(pid);
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop() ?? -1;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Total PSS of the tree under `root`, in bytes, and how many processes it has. */
export function treePss(root: number): { bytes: number; processes: number } {
  const tree = processTree(root);
  return { bytes: tree.reduce((sum, pid) => sum + pss(pid), 0), processes: tree.length };
}
