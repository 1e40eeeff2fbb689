import type { TrialResult } from '../../benchmarks/domain.js';

/** A finished trial's result with plain values and the given test accuracy, for tests that store or fake trials. */
export const okResult = (accuracy: number): TrialResult => ({
  status: 'done',
  testAccuracy: accuracy,
  testLoss: 0.5,
  epochs: 1,
  bestEpoch: 1,
  steps: 10,
  wallSeconds: 0.01,
  cpuSeconds: 0.01,
  trainableParams: 10,
  totalParams: 10,
  trainFlops: 100,
  peakBytes: 10,
  learningRate: null,
  lrCandidates: [],
  protocol: null,
  backend: 'wasm',
  device: 'CPU',
  error: null,
  epochRecords: [
    { epoch: 1, step: 10, trainLoss: 1, trainAccuracy: 0.5, valLoss: 1, valAccuracy: 0.5, elapsedSeconds: 0.01 },
  ],
});
