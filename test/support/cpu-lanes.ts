/**
 * Two kinds of test file share the run: most keep a core busy while they run, a few spend most of their time waiting
 * (a database stopped for minutes on purpose, a browser's software GPU). Vitest gives every file a worker slot, so with
 * as many slots as cores a waiting file holds a slot whose core idles.
 *
 * So the run has as many CPU lanes as cores and one more worker slot per waiting file: the waiting files start first
 * and run beside the others (vitest.config.ts sorts them first), and every other file waits for one of the CPU lanes
 * before it starts (cpu-lane.ts, a setup file; cpu-lane-server.ts, the global setup that hands the lanes out). The
 * CPU-bound files therefore never pile up more than one to a core, whatever runs beside them.
 */
import { availableParallelism } from 'node:os';

/**
 * The files that mostly wait, measured (`TRANSFER_BENCH_TEST_COSTS`, docs/development.md): wall time several times
 * their CPU time on an idle machine, with why.
 */
export const WAITING_FILES: Readonly<Record<string, string>> = {
  'test/integration/distributed-chaos.test.ts': 'PostgreSQL stopped for 150 s while a worker trains (issue 16)',
  'test/unit/distributed/storage-outage.test.ts': 'PostgreSQL stopped for 150 s while a trial finishes (defect 9)',
};

/**
 * How many files that keep a core busy run at once: one per core, and no more than the two workers the run had before
 * the lanes (many of those files start processes that train on two workers themselves).
 */
export const CPU_LANES = Math.max(1, Math.min(2, availableParallelism()));

/** The key under which the global setup provides the lane server's socket path to the test files. */
export const CPU_LANE_SOCKET = 'cpuLaneSocket';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Unix socket of the CPU lane server (cpu-lane-server.ts). */
    [CPU_LANE_SOCKET]: string;
  }
}

/** Whether a test file (its path relative to the repository) is one of the files that mostly wait. */
export function isWaitingFile(relativePath: string): boolean {
  return Object.hasOwn(WAITING_FILES, relativePath.split('\\').join('/'));
}
