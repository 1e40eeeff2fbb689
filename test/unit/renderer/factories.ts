import type { EpochRow } from '../../../benchmarks/domain.js';
import type { Approach, SuiteRecord, TrialRecord } from '../../../benchmarks/domain.js';
import { suiteSpec } from '../../../benchmarks/spec/suite-schema.js';

/** Test data for the renderer's pure functions: every factory fills what a test does not care about. */

let nextId = 1;

export function trialRecord(overrides: Partial<TrialRecord> = {}): TrialRecord {
  return {
    id: nextId++,
    suiteId: 1,
    approach: 'scratch',
    trainSize: 10,
    seed: 0,
    status: 'done',
    testAccuracy: 0.5,
    testLoss: 1,
    epochs: 10,
    bestEpoch: 8,
    steps: 100,
    wallSeconds: 10,
    trainableParams: 1000,
    totalParams: 1000,
    trainFlops: 1e9,
    peakBytes: 1 << 20,
    learningRate: null,
    lrCandidates: [],
    protocol: null,
    backend: 'wasm',
    device: 'cpu',
    error: null,
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:00:10.000Z',
    ...overrides,
  };
}

/** One done trial per value, seeds 0, 1, 2, … */
export function seedTrials(
  approach: Approach,
  trainSize: number,
  accuracies: readonly number[],
  overrides: Partial<TrialRecord> = {},
): TrialRecord[] {
  return accuracies.map((testAccuracy, seed) =>
    trialRecord({ approach, trainSize, seed, testAccuracy, testLoss: 1 - testAccuracy, ...overrides }),
  );
}

export function epochRow(trial: TrialRecord, epoch: number, overrides: Partial<EpochRow> = {}): EpochRow {
  return {
    trialId: trial.id,
    approach: trial.approach,
    trainSize: trial.trainSize,
    seed: trial.seed,
    epoch,
    step: epoch * 10,
    trainLoss: 1 / epoch,
    trainAccuracy: 0.5,
    valLoss: 1 / epoch,
    valAccuracy: 0.5,
    elapsedSeconds: epoch,
    ...overrides,
  };
}

export function suiteRecord(overrides: Partial<SuiteRecord> = {}): SuiteRecord {
  return {
    id: 1,
    name: 'quick',
    status: 'done',
    // Parsed, so that every field with a default is filled as the engine fills it when it loads a suite.
    spec: suiteSpec.parse({
      name: 'quick',
      architecture: 'mlp',
      target: { dataset: { kind: 'mnist', classes: [5, 6, 7, 8, 9] }, testPerClass: 10 },
      sizes: [10, 100],
      seeds: [0, 1],
      approaches: { scratch: { learningRate: 0.001, epochs: 5, minSteps: 10, patience: 2 } },
      evalEverySteps: 10,
    }),
    env: {
      appVersion: '0.1.0',
      nodeVersion: 'v20',
      tfjsVersion: '4.22.0',
      platform: 'linux',
      arch: 'x64',
      cpus: '2',
      backend: 'wasm',
      device: 'cpu',
    },
    pretrain: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    finishedAt: null,
    error: null,
    trialsTotal: 4,
    trialsFinished: 0,
    ...overrides,
  };
}
