import type { Approach, TrialRecord } from '../../../benchmarks/domain.js';

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
