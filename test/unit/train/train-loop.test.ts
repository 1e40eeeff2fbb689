import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';
import type { Split } from '../../../benchmarks/train/metrics.js';
import { tensorSplit } from '../../../benchmarks/train/tensor-splits.js';
import { plannedEpochs, trainLoop, type TrainBudget } from '../../../benchmarks/train/train-loop.js';

function tinyModel(): tfl.LayersModel {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ inputShape: [2], units: 3, activation: 'softmax', kernelInitializer: 'zeros' }));
  return model;
}

/** Three linearly separable clusters. */
function split(count: number): Split {
  const xs: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const c = i % 3;
    xs.push(c === 0 ? 1 : 0, c === 1 ? 1 : 0);
    labels.push(c);
  }
  return tensorSplit(tf.tensor2d(xs, [count, 2]), tf.oneHot(tf.tensor1d(labels, 'int32'), 3) as tf.Tensor2D);
}

const budget: TrainBudget = { optimizer: 'adam', learningRate: 0.1, batchSize: 4, epochs: 5, minSteps: 0, patience: 3 };

describe('trainLoop', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('plans max(epochs, enough epochs for the step floor)', () => {
    expect(plannedEpochs({ batchSize: 32, epochs: 40, minSteps: 300 }, 5)).toBe(300);
    expect(plannedEpochs({ batchSize: 32, epochs: 40, minSteps: 300 }, 200)).toBe(43);
    expect(plannedEpochs({ batchSize: 32, epochs: 40, minSteps: 300 }, 3200)).toBe(40);
  });

  it('learns a separable problem and keeps the best weights', async () => {
    const model = tinyModel();
    const data = split(30);
    const result = await trainLoop({ model, budget, train: data, val: data, evalEverySteps: 1, seed: 1 });
    expect(result.diverged).toBe(false);
    expect(result.epochRecords.at(-1)!.valAccuracy).toBe(1);
    expect(result.steps).toBe(result.epochs * Math.ceil(30 / 4));
    model.dispose();
  });

  it('stops at the first evaluation whose loss is not finite and says so', async () => {
    const model = tinyModel();
    model.setWeights(model.getWeights().map((w) => tf.fill(w.shape, Number.NaN)));
    const data = split(12);
    const before = tf.memory().numTensors;
    const result = await trainLoop({ model, budget, train: data, val: data, evalEverySteps: 1, seed: 1 });
    expect(result.diverged).toBe(true);
    expect(result.epochs).toBe(1);
    expect(Number.isNaN(result.epochRecords[0]!.valLoss)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('never stops early before the step floor', async () => {
    const model = tinyModel();
    const data = split(12);
    // A learning rate of zero never improves validation loss after the first evaluation.
    const frozen = { ...budget, learningRate: 0, epochs: 2, patience: 1, minSteps: 30 };
    const result = await trainLoop({ model, budget: frozen, train: data, val: data, evalEverySteps: 1, seed: 1 });
    expect(result.steps).toBeGreaterThanOrEqual(30);
    expect(result.bestEpoch).toBe(1);
    model.dispose();
  });
});
