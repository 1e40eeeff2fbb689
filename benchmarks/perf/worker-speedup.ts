import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendChoice } from '../domain.js';
import { SuiteRun } from '../runner/suite-runner.js';
import { nodeForker } from '../runner/worker-process.js';
import { parseSuite } from '../spec/load-suite.js';
import { openStore } from '../store/open-store.js';
import { treeCpuDuring, type TreeCpu } from './process-cpu.js';

/** A fixed batch of from-scratch CNN trials on real MNIST digits: the same work for every worker count. */
export function fixedBatchSuite(trials: number): string {
  return JSON.stringify({
    name: 'perf-worker-batch',
    architecture: 'cnn',
    target: { dataset: { kind: 'mnist', classes: [5, 6, 7, 8, 9] }, testPerClass: 100 },
    sizes: [1000],
    seeds: Array.from({ length: trials }, (_, i) => i),
    approaches: { scratch: { learningRate: 0.001, batchSize: 32, epochs: 5, minSteps: 0, patience: 1000 } },
    evalEverySteps: 1000,
  });
}

export interface BatchTime {
  seconds: number;
  /** CPU of this process and its workers during the batch, by thread kind; null off Linux. */
  cpu: TreeCpu | null;
}

/** Wall seconds to run the fixed batch with `workers` worker processes, process start-up included, and its CPU. */
export async function timeFixedBatch(workers: number, trials: number, backend: BackendChoice): Promise<BatchTime> {
  const dir = mkdtempSync(join(tmpdir(), 'tb-perf-'));
  const store = await openStore(join(dir, 'perf.db'));
  try {
    const suite = parseSuite(fixedBatchSuite(trials), 'perf batch', dir);
    const { result: seconds, cpu } = await treeCpuDuring(async () => {
      const started = performance.now();
      const run = await SuiteRun.start({ store, forkWorker: nodeForker, backend, workers, onEvent: () => {} }, suite);
      const status = await run.finished;
      const elapsed = (performance.now() - started) / 1000;
      const failed = (await store.listTrials(run.suiteId)).filter((t) => t.status !== 'done');
      if (status !== 'done' || failed.length > 0) {
        throw new Error(`perf batch did not finish: ${failed.map((t) => t.error).join('; ')}`);
      }
      return elapsed;
    });
    return { seconds, cpu };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
