/**
 * Global setup (vitest.config.ts): one file for the machine measurements the CLI's estimates take (the training speed
 * of a suite's model, a worker's start), shared by every CLI process a test starts in this `vitest run`
 * (TRANSFER_BENCH_THROUGHPUT_CACHE, set by `sandbox()` in test/integration/cli-helpers.ts). The first run or init that
 * needs a measurement takes it, as a user's first one does; the others reuse it, as a user's next ones do, instead of
 * each fresh model cache measuring again. The tests whose subject is the measurement or the estimate ask their sandbox
 * for fresh measurements.
 *
 * Likewise one data cache (TRANSFER_BENCH_DATA_CACHE, unless set already) for every test process and the processes
 * they start: MNIST's digits are decoded once per run, as once per machine for a user, not once per sandbox (about
 * 1 CPU s each time). Its entries are named by a hash of what they were decoded
 * from and written under a temporary name, so processes that share it never read each other's half-written files. The
 * tests whose subject is the data cache set their own. Both are removed at the end of the run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

export const SHARED_MEASUREMENTS = 'sharedMeasurements';

/** The data cache's folder (benchmarks/datasets/decode-cache.ts). */
const DATA_CACHE_ENV = 'TRANSFER_BENCH_DATA_CACHE';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The throughput cache file the CLI processes of this run share (shared-measurements.ts). */
    [SHARED_MEASUREMENTS]: string;
  }
}

/** One file per `vitest run`: each Vitest project runs the global setup, and all share it. */
const SHARED = Symbol.for('transfer-bench.shared-measurements');
type WithMeasurements = typeof globalThis & { [SHARED]?: { dir: string; users: number } };

export default function setup(project: TestProject): () => void {
  const shared = globalThis as WithMeasurements;
  const measurements = (shared[SHARED] ??= { dir: mkdtempSync(join(tmpdir(), 'tb-measurements-')), users: 0 });
  measurements.users += 1;
  // read by Vitest when it starts the test processes, after the global setup
  process.env[DATA_CACHE_ENV] ??= join(measurements.dir, 'data-cache');
  project.provide(SHARED_MEASUREMENTS, join(measurements.dir, 'throughput.json'));
  return () => {
    measurements.users -= 1;
    if (measurements.users > 0) return;
    delete shared[SHARED];
    rmSync(measurements.dir, { recursive: true, force: true });
  };
}
