import type { BackendName, TrialResult } from '../domain.js';

/** The record of a trial that produced no measurement, only an error (nothing in it needs TensorFlow.js). */
export function failedResult(
  error: string,
  backend: { name: BackendName; device: string },
  wallSeconds: number | null = null,
): TrialResult {
  return {
    status: 'failed',
    testAccuracy: null,
    testLoss: null,
    epochs: null,
    bestEpoch: null,
    steps: null,
    wallSeconds,
    cpuSeconds: null,
    trainableParams: null,
    totalParams: null,
    trainFlops: null,
    peakBytes: null,
    backend: backend.name,
    device: backend.device,
    error,
    learningRate: null,
    lrCandidates: [],
    protocol: null,
    epochRecords: [],
  };
}
