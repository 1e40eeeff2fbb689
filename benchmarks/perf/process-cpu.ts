/**
 * CPU time of this process and its child processes while something runs, thread by thread, read from Linux's /proc
 * (elsewhere: null). Children that exit before the end are counted up to the last sample (every 100 ms).
 */
import { readFileSync, readdirSync } from 'node:fs';

export interface TreeCpu {
  /** This process, every thread. */
  self: number;
  /** The children's main threads (a worker's JavaScript and wasm). */
  childMain: number;
  /** The children's other threads (V8's compiler and garbage-collector threads, libuv's pool). */
  childHelpers: number;
}

const TICKS_PER_SECOND = 100;

/** utime + stime of one /proc stat line, in seconds, and the parent pid. */
function parseStat(stat: string): { cpu: number; ppid: number } {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
}

function readOr(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Samples the process tree until `work` settles; the CPU it used meanwhile. */
export async function treeCpuDuring<T>(work: () => Promise<T>): Promise<{ result: T; cpu: TreeCpu | null }> {
  if (readOr('/proc/self/stat') === null) return { result: await work(), cpu: null };
  const me = process.pid;
  const seen = new Map<string, { pid: number; tid: number; cpu: number }>();
  const sample = (): void => {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      const stat = readOr(`/proc/${pid}/stat`);
      if (stat === null || (pid !== me && parseStat(stat).ppid !== me)) continue;
      let tasks: string[];
      try {
        tasks = readdirSync(`/proc/${pid}/task`);
      } catch {
        continue;
      }
      for (const task of tasks) {
        const taskStat = readOr(`/proc/${pid}/task/${task}/stat`);
        if (taskStat !== null) seen.set(`${pid}/${task}`, { pid, tid: Number(task), cpu: parseStat(taskStat).cpu });
      }
    }
  };
  sample();
  const before = new Map([...seen].map(([key, value]) => [key, value.cpu]));
  const timer = setInterval(sample, 100);
  try {
    const result = await work();
    sample();
    const cpu: TreeCpu = { self: 0, childMain: 0, childHelpers: 0 };
    for (const [key, { pid, tid, cpu: total }] of seen) {
      const used = total - (before.get(key) ?? 0);
      if (pid === me) cpu.self += used;
      else if (pid === tid) cpu.childMain += used;
      else cpu.childHelpers += used;
    }
    return { result, cpu };
  } finally {
    clearInterval(timer);
  }
}

export const treeCpuTotal = (cpu: TreeCpu): number => cpu.self + cpu.childMain + cpu.childHelpers;
