import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';
import type { EpochRecord } from '../../../benchmarks/domain.js';
import {
  atEdgeOfGrid,
  learningRates,
  searchLearningRate,
  trailsReference,
} from '../../../benchmarks/train/learning-rate-search.js';
import type { Split } from '../../../benchmarks/train/metrics.js';
import { disposeSplit, tensorSplit } from '../../../benchmarks/train/tensor-splits.js';

function tinyModel(): tfl.LayersModel {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ inputShape: [2], units: 3, activation: 'softmax', kernelInitializer: 'zeros' }));
  return model;
}

/** Three separable clusters; `labelShift` relabels cluster c as (c + shift) mod 3 (a validation set that disagrees). */
function split(count: number, labelShift = 0): Split {
  const xs: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const c = i % 3;
    xs.push(c === 0 ? 1 : 0, c === 1 ? 1 : 0);
    labels.push((c + labelShift) % 3);
  }
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 3) as tf.Tensor2D);
  return tensorSplit(tf.tensor2d(xs, [count, 2]), y);
}

const budget = { optimizer: 'adam' as const, batchSize: 4, epochs: 6, minSteps: 0, patience: 100 };

const record = (step: number, valLoss: number): EpochRecord => ({
  epoch: step,
  step,
  trainLoss: 0,
  trainAccuracy: 0,
  valLoss,
  valAccuracy: 0,
  elapsedSeconds: 0,
});

describe('learning-rate grids', () => {
  it('reads one value or a list, and says when the chosen value is at an edge of its list', () => {
    expect(learningRates(0.001)).toEqual([0.001]);
    expect(learningRates([0.0003, 0.001, 0.003])).toEqual([0.0003, 0.001, 0.003]);
    expect(atEdgeOfGrid(0.003, [0.0003, 0.001, 0.003])).toBe(true);
    expect(atEdgeOfGrid(0.0003, [0.001, 0.0003, 0.003])).toBe(true);
    expect(atEdgeOfGrid(0.001, [0.0003, 0.001, 0.003])).toBe(false);
    expect(atEdgeOfGrid(0.001, [0.001])).toBe(false);
  });

  it('prunes a candidate past the warm-up whose best validation loss trails the reference at the same step', () => {
    const reference = [record(10, 1.0), record(20, 0.6), record(30, 0.7), record(40, 0.5)];
    const prune = trailsReference(reference, 20);
    expect(prune(record(10, 5), 5)).toBe(false); // warm-up
    expect(prune(record(20, 0.65), 0.65)).toBe(true); // 0.65 > 0.6 at step 20
    expect(prune(record(30, 0.8), 0.59)).toBe(false); // its best so far (0.59) beats the reference's (0.6)
    expect(prune(record(45, 0.55), 0.55)).toBe(true); // reference best by step 40: 0.5
  });
});

describe('searchLearningRate', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  async function search(val: Split, rates: number[], prune = false) {
    const train = split(30);
    const result = await searchLearningRate({
      rates,
      budget,
      prune,
      buildModel: () => {
        const model = tinyModel();
        return { trained: model, dispose: () => model.dispose() };
      },
      train,
      val,
      evalEverySteps: 1,
      seed: 3,
    });
    const weights = result.model.trained.getWeights().map((w) => w.arraySync());
    result.model.dispose();
    disposeSplit(train);
    disposeSplit(val);
    return { ...result, weights };
  }

  it('trains once per value, records each candidate’s validation loss and keeps the lowest', async () => {
    const result = await search(split(12), [0.001, 0.05, 0.5]);
    expect(result.candidates.map((c) => c.learningRate)).toEqual([0.001, 0.05, 0.5]);
    for (const c of result.candidates) {
      expect(c.bestValLoss).not.toBeNull();
      expect(c.steps).toBe(6 * Math.ceil(30 / 4));
      expect(c.pruned).toBe(false);
    }
    const lowest = result.candidates.reduce((a, b) => (b.bestValLoss! < a.bestValLoss! ? b : a));
    expect(result.learningRate).toBe(lowest.learningRate);
    // On separable data the largest rate fits fastest: it wins on a validation set that agrees with training.
    expect(result.learningRate).toBe(0.5);
    expect(result.loop.bestValLoss).toBe(lowest.bestValLoss);
    expect(result.totalSteps).toBe(3 * 6 * Math.ceil(30 / 4));
  });

  it('chooses by the validation split alone: a validation set that disagrees with training picks another value', async () => {
    // Validation labels shifted: the more a candidate learns the training labels, the worse its validation loss,
    // so the smallest rate (which moves least from uniform predictions) wins.
    const result = await search(split(12, 1), [0.001, 0.05, 0.5]);
    const lowest = result.candidates.reduce((a, b) => (b.bestValLoss! < a.bestValLoss! ? b : a));
    expect(result.learningRate).toBe(lowest.learningRate);
    expect(result.learningRate).toBe(0.001);
  });

  it('stops a hopeless candidate early and never keeps it', async () => {
    const result = await search(split(12), [0.5, 0.0001], true);
    const [first, slow] = result.candidates;
    expect(first!.pruned).toBe(false);
    expect(slow!.pruned).toBe(true);
    expect(slow!.steps).toBeLessThan(first!.steps);
    expect(result.learningRate).toBe(0.5);
  });

  it('leaves no tensor behind across searches', async () => {
    await search(split(12), [0.01, 0.1]);
    const before = tf.memory().numTensors;
    await search(split(12), [0.01, 0.1], true);
    await search(split(12), [0.01, 0.1]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
