// Reads a process tree's memory and CPU from /proc (Linux only): VmRSS/VmHWM from
// /proc/<pid>/status and utime+stime from /proc/<pid>/stat. Sampling only; it starts
// and stops nothing.
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_S = 100; // USER_HZ: 100 on every Linux we run on (getconf CLK_TCK)

function readOr(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null; // the process exited between listing and reading
  }
}

/** ppid and comm of a pid, from /proc/<pid>/stat (comm may contain spaces and parens). */
function stat(pid: number): { ppid: number; comm: string; cpuTicks: number } | null {
  const s = readOr(`/proc/${pid}/stat`);
  if (!s) return null;
  const open = s.indexOf("(");
  const close = s.lastIndexOf(")");
  const rest = s.slice(close + 2).split(" ");
  // Fields after comm: state(0) ppid(1) ... utime(11) stime(12)
  return { ppid: Number(rest[1]), comm: s.slice(open + 1, close), cpuTicks: Number(rest[11]) + Number(rest[12]) };
}

/** `root` and all its descendants. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    const st = stat(Number(d));
    if (!st) continue;
    const list = children.get(st.ppid) ?? [];
    list.push(Number(d));
    children.set(st.ppid, list);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

/** Descendants of `root` whose command name is `comm` (e.g. the workerd under wrangler). */
export function findDescendants(root: number, comm: string): number[] {
  return processTree(root).filter((p) => stat(p)?.comm === comm);
}

export function memKiB(pid: number): { rss: number; hwm: number } {
  const s = readOr(`/proc/${pid}/status`) ?? "";
  const rss = Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0);
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0);
  return { rss, hwm };
}

export function cpuSeconds(pids: number[]): number {
  let t = 0;
  for (const p of pids) t += stat(p)?.cpuTicks ?? 0;
  return t / TICKS_PER_S;
}

/** Samples the summed RSS of `pids` every `everyMs` until stopped; keeps the peak. */
export function sampleRss(pids: () => number[], everyMs = 200): { stop(): { peakKiB: number; hwmKiB: number } } {
  let peak = 0;
  const tick = () => {
    let sum = 0;
    for (const p of pids()) sum += memKiB(p).rss;
    if (sum > peak) peak = sum;
  };
  tick();
  const t = setInterval(tick, everyMs);
  return {
    stop() {
      clearInterval(t);
      tick();
      let hwm = 0;
      for (const p of pids()) hwm += memKiB(p).hwm;
      return { peakKiB: peak, hwmKiB: hwm };
    },
  };
}
