import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { estimateRun, type Throughput } from '../../../benchmarks/builder/estimate.js';
import { suiteSpec, type SuiteSpec } from '../../../benchmarks/spec/suite-schema.js';

const THROUGHPUT: Throughput = { backend: 'cpu', samplesPerSecond: 1000, flopsPerSecond: 1e9 };
const DATA = { inputShape: [28, 28, 1] as [number, number, number], numClasses: 2, testCount: 0 };

function spec(overrides: Record<string, unknown>): SuiteSpec {
  return suiteSpec.parse({
    name: 'e',
    architecture: 'mlp',
    target: { dataset: { kind: 'mnist', classes: [3, 8] }, testPerClass: 10 },
    sizes: [40],
    seeds: [0],
    // Evaluations once per training: the cost is the training's.
    evalEverySteps: 100_000,
    approaches: { scratch: { learningRate: [0.001, 0.003], epochs: 20, minSteps: 0, batchSize: 8 } },
    ...overrides,
  });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('estimateRun', () => {
  it('counts every fold and the final training at sizes that use k-fold cross-validation', () => {
    // 40 examples, 2 classes: 8 validation examples (4 per class), below 10 → 5-fold cross-validation.
    const heldOut = estimateRun(spec({ crossValidateBelow: 0 }), DATA, THROUGHPUT, 1);
    const kfold = estimateRun(spec({ crossValidateBelow: 10, folds: 5 }), DATA, THROUGHPUT, 1);
    // Held out: 2 candidates × 32 training examples × 20 epochs. k-fold: (2 × 5 + 1) trainings on 32 examples.
    expect(kfold.flops / heldOut.flops).toBeCloseTo((2 * 5 + 1) / 2, 1);
    expect(kfold.trials).toBe(1);
    expect(kfold.seconds).toBeCloseTo(kfold.flops / THROUGHPUT.flopsPerSecond, 6);
  });

  it('scales with seeds and divides by the workers, no more workers than trials', () => {
    const one = estimateRun(spec({ crossValidateBelow: 0 }), DATA, THROUGHPUT, 1);
    const three = estimateRun(spec({ crossValidateBelow: 0, seeds: [0, 1, 2] }), DATA, THROUGHPUT, 1);
    expect(three.flops).toBeCloseTo(3 * one.flops, 0);
    expect(three.trials).toBe(3);
    const shared = estimateRun(spec({ crossValidateBelow: 0, seeds: [0, 1, 2] }), DATA, THROUGHPUT, 8);
    expect(shared.seconds).toBeCloseTo(three.seconds / 3, 6);
  });
});
