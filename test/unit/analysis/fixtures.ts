import type { Approach, SuiteRecord, TrialRecord } from '../../../benchmarks/domain.js';
import { suiteSpec, type SuiteSpecInput } from '../../../benchmarks/spec/suite-schema.js';
import type { EpochRow } from '../../../benchmarks/domain.js';

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
    learningRate: null,
    lrCandidates: [],
    protocol: null,
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

/** A suite record around a parsed spec (defaults filled in). */
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
  return {
    id: 1,
    name: spec.name,
    status: 'done',
    spec,
    env: {
      appVersion: '0.1.0',
      nodeVersion: 'v20.19.0',
      tfjsVersion: '4.22.0',
      platform: 'linux',
      arch: 'x64',
      cpus: '2 × test cpu',
      backend: 'wasm',
      device: 'cpu',
    },
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
    error: null,
    trialsTotal: 18,
    trialsFinished: 18,
    ...record,
  };
}
