import type { Approach, TrialRecord } from '../../../benchmarks/domain.js';
import type { EpochRow } from '../../../benchmarks/contract.js';

let nextId = 1;

/** A trial record with only what the analysis reads set; everything else null. */
export function trial(
  approach: Approach,
  trainSize: number,
  testAccuracy: number | null,
  overrides: Partial<TrialRecord> = {},
): TrialRecord {
  const id = nextId++;
  return {
    id,
    suiteId: 1,
    approach,
    trainSize,
    seed: overrides.seed ?? 0,
    status: 'done',
    testAccuracy,
    testLoss: null,
    epochs: null,
    bestEpoch: null,
    steps: null,
    wallSeconds: null,
    trainableParams: null,
    totalParams: null,
    trainFlops: null,
    peakBytes: null,
    backend: null,
    device: null,
    error: null,
    startedAt: null,
    finishedAt: null,
    ...overrides,
  };
}

/** One done trial per accuracy value, seeds 0, 1, 2, … */
export function trials(approach: Approach, trainSize: number, accuracies: readonly number[]): TrialRecord[] {
  return accuracies.map((a, seed) => trial(approach, trainSize, a, { seed }));
}

/** An epoch row for a trial; unspecified measurements are 0. */
export function epochRow(
  t: TrialRecord,
  epoch: number,
  values: Partial<Omit<EpochRow, 'trialId' | 'approach' | 'trainSize' | 'seed' | 'epoch'>> = {},
): EpochRow {
  return {
    trialId: t.id,
    approach: t.approach,
    trainSize: t.trainSize,
    seed: t.seed,
    epoch,
    step: epoch * 10,
    trainLoss: 0,
    trainAccuracy: 0,
    valLoss: 0,
    valAccuracy: 0,
    elapsedSeconds: epoch,
    ...values,
  };
}
