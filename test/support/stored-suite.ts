/**
 * A finished tiny suite written through the Store interface (no training): six trials with awkward values (thirds,
 * a diverged loss, a failed trial whose error holds a comma, quotes and a newline, learning-rate candidates, k-fold
 * protocol) and their curves, so that what two stores give back can be compared. The clock is the caller's: run it
 * under a fixed Date to get the same timestamps in two stores.
 */
import type { TrialRecord, TrialResult, TrialStatus } from '../../benchmarks/domain.js';
import { environmentInfo } from '../../benchmarks/runner/environment.js';
import { planTrials } from '../../benchmarks/runner/plan-trials.js';
import { loadSuite, type LoadedSuite } from '../../benchmarks/spec/load-suite.js';
import type { Store } from '../../benchmarks/store/store.js';
import { TINY_SUITE } from '../integration/cli-helpers.js';

function resultFor(index: number, trainSize: number): TrialResult {
  const status: TrialStatus = index === 4 ? 'failed' : index === 5 ? 'diverged' : 'done';
  const accuracy = status === 'failed' ? null : (trainSize === 10 ? 0.6 : 0.8) + index / 300;
  return {
    status,
    testAccuracy: accuracy,
    testLoss: status === 'diverged' ? Number.NaN : status === 'failed' ? null : 1 / (index + 3),
    epochs: 3,
    bestEpoch: 2,
    steps: 20 + index,
    wallSeconds: 1.25 + index / 7,
    cpuSeconds: 1.5 + index / 7,
    trainableParams: 101_770 - index,
    totalParams: 101_770,
    trainFlops: 3.1e9 + index / 3,
    peakBytes: 2 ** 31 + index,
    learningRate: index % 2 === 0 ? 0.001 : null,
    lrCandidates:
      index % 2 === 0
        ? [
            { learningRate: 0.001, bestValLoss: 0.1 + 0.2, steps: 30, pruned: false, diverged: false },
            { learningRate: 0.01, bestValLoss: null, steps: 5, pruned: false, diverged: true },
          ]
        : [],
    protocol: index === 1 ? { kind: 'kfold', folds: 5, chosenSteps: 18, examples: 10 } : null,
    backend: 'wasm',
    device: 'CPU',
    error: status === 'failed' ? 'worker died: "SIGKILL", see log\nsecond line' : null,
    epochRecords: [1, 2, 3].map((epoch) => ({
      epoch,
      step: epoch * 7,
      trainLoss: status === 'diverged' && epoch === 3 ? Number.NaN : 2 / (epoch + index),
      trainAccuracy: epoch / 3,
      valLoss: 1 / (epoch + index + 0.5),
      valAccuracy: epoch / 7,
      elapsedSeconds: epoch * 0.37,
    })),
  };
}

/**
 * Writes a suite into the store as a run writes it, without training: every trial finished with `resultOf` and the
 * suite ended `done`, or, without `resultOf`, no trial finished and the suite ended `cancelled` (stopped before its
 * first trial). Returns its id.
 */
export async function storeSuite(
  store: Store,
  suite: Pick<LoadedSuite, 'spec' | 'baseDir'>,
  resultOf?: (trial: TrialRecord, index: number) => TrialResult,
  token = 'writer',
): Promise<number> {
  const id = await store.createSuite({
    spec: suite.spec,
    baseDir: suite.baseDir,
    backendChoice: 'wasm',
    env: environmentInfo({ name: 'wasm', device: 'CPU' }),
    trials: planTrials(suite.spec),
    owner: { token, host: 'h', scope: '', pid: 1, processStart: '1' },
  });
  if (!resultOf) {
    await store.releaseSuite(id, token, { status: 'cancelled' });
    return id;
  }
  for (const [index, trial] of (await store.listTrials(id)).entries()) {
    await store.markTrialRunning(trial.id, token);
    await store.finishTrial(trial.id, token, resultOf(trial, index));
  }
  await store.releaseSuite(id, token, { status: 'done' });
  return id;
}

/** Writes the suite (id 1 in a new database) as a run would, and returns its id. */
export function storeFinishedTinySuite(store: Store): Promise<number> {
  return storeSuite(store, loadSuite({ kind: 'file', path: TINY_SUITE }), (trial, index) =>
    resultFor(index, trial.trainSize),
  );
}
