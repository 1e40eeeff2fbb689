/**
 * Test data for the engine's and the renderer's records, in one place: every factory fills what a test does not care
 * about. `trialRecord`/`suiteRecord` give a plausible finished trial and suite (the renderer's tests); `trial`/`suite`
 * give records with only what the analysis reads set (the analysis' and the report's tests).
 */
import type { Approach, EpochRow, SuiteRecord, TrialRecord } from '../../benchmarks/domain.js';
import { suiteSpec, type SuiteSpecInput } from '../../benchmarks/spec/suite-schema.js';

let nextId = 1;

/** A finished trial with a value in every field. */
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
    cpuSeconds: 9.5,
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
    worker: null,
    ...overrides,
  };
}

/** A done trial with only what the analysis reads set; every other measurement null. */
export function trial(
  approach: Approach,
  trainSize: number,
  testAccuracy: number | null,
  overrides: Partial<TrialRecord> = {},
): TrialRecord {
  return trialRecord({
    approach,
    trainSize,
    testAccuracy,
    testLoss: null,
    epochs: null,
    bestEpoch: null,
    steps: null,
    wallSeconds: null,
    cpuSeconds: null,
    trainableParams: null,
    totalParams: null,
    trainFlops: null,
    peakBytes: null,
    backend: null,
    device: null,
    startedAt: null,
    finishedAt: null,
    ...overrides,
  });
}

/** One done analysis trial per accuracy value, seeds 0, 1, 2, … */
export function trials(approach: Approach, trainSize: number, accuracies: readonly number[]): TrialRecord[] {
  return accuracies.map((a, seed) => trial(approach, trainSize, a, { seed }));
}

/** One done trial per value, seeds 0, 1, 2, …, with every field set (test loss 1 − accuracy). */
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

/** An evaluation of `trial` at `epoch`: losses 1/epoch and accuracies 0.5 unless given. */
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

const ENV: SuiteRecord['env'] = {
  appVersion: '0.1.0',
  nodeVersion: 'v20.19.0',
  tfjsVersion: '4.22.0',
  platform: 'linux',
  arch: 'x64',
  cpus: '2 × test cpu',
  backend: 'wasm',
  device: 'cpu',
};

/** The `quick`-like suite the renderer's tests show; the spec is parsed, so defaults are filled as on load. */
export function suiteRecord(overrides: Partial<SuiteRecord> = {}): SuiteRecord {
  return {
    id: 1,
    name: 'quick',
    status: 'done',
    spec: suiteSpec.parse({
      name: 'quick',
      architecture: 'mlp',
      target: { dataset: { kind: 'mnist', classes: [5, 6, 7, 8, 9] }, testPerClass: 10 },
      sizes: [10, 100],
      seeds: [0, 1],
      approaches: { scratch: { learningRate: 0.001, epochs: 5, minSteps: 10, patience: 2 } },
      evalEverySteps: 10,
    }),
    env: ENV,
    pretrain: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    finishedAt: null,
    error: null,
    trialsTotal: 4,
    trialsFinished: 0,
    ...overrides,
  };
}

/** A finished suite around a parsed spec (defaults filled in) with a pretraining record, for the analysis. */
export function suite(overrides: Partial<SuiteSpecInput> = {}, record: Partial<SuiteRecord> = {}): SuiteRecord {
  const settings = { learningRate: 0.001, epochs: 5 };
  const spec = suiteSpec.parse({
    name: 'unit',
    architecture: 'cnn',
    pretrain: { dataset: { kind: 'mnist', classes: [0, 1, 2, 3, 4] }, epochs: 2 },
    target: { dataset: { kind: 'mnist', classes: [5, 6, 7, 8, 9] }, testPerClass: 100 },
    sizes: [10, 100, 1000],
    seeds: [0, 1, 2],
    approaches: { scratch: { ...settings, epochs: 20 }, finetune: settings },
    ...overrides,
  });
  return suiteRecord({
    name: spec.name,
    spec,
    pretrain: {
      cacheKey: 'key',
      reused: false,
      sourceDescription: 'MNIST digits 0–4',
      epochs: 2,
      wallSeconds: 60,
      trainFlops: 3e12,
      sourceTestAccuracy: 0.99,
      backend: 'wasm',
    },
    createdAt: '2025-01-01T00:00:00Z',
    finishedAt: '2025-01-01T01:00:00Z',
    trialsTotal: 18,
    trialsFinished: 18,
    ...record,
  });
}
