import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';
import type { EpochRecord } from '../../../benchmarks/domain.js';
import {
  atEdgeOfGrid,
  learningRates,
  searchLearningRate,
  extensionBeyond,
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

const at = (step: number, valLoss: number, valAccuracy: number): EpochRecord => ({
  epoch: step,
  step,
  trainLoss: 0,
  trainAccuracy: 0,
  valLoss,
  valAccuracy,
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

  it('prunes only a candidate behind by more than the validation noise that has stopped improving', () => {
    // reference: 90% validation accuracy from step 20 on (loss 0.3); 200 validation examples
    const reference = [10, 20, 30, 40, 50, 60, 70].map((s) => at(s, s === 10 ? 1 : 0.3, s === 10 ? 0.5 : 0.9));
    // a slow learner: far behind (50%) but its loss falls at every evaluation — never pruned
    const slow = trailsReference(reference, 20, 200);
    expect([10, 20, 30, 40, 50, 60, 70].map((s) => slow(at(s, 2 - s / 100, 0.5), 2 - s / 100))).toEqual(
      Array(7).fill(false),
    );
    // a stalled candidate at 88%: behind, but by less than the noise (1.96 · √((0.09 + 0.1056) / 200) = 6.1 points)
    const close = trailsReference(reference, 20, 200);
    expect([10, 20, 30, 40, 50, 60].map((s) => close(at(s, 0.4, 0.88), 0.4))).toEqual(Array(6).fill(false));
    // a stalled candidate at 70%: behind by 20 points, its best loss unchanged for 3 evaluations past the warm-up
    const stalled = trailsReference(reference, 20, 200);
    const decisions = [10, 20, 30, 40].map((s) => stalled(at(s, 0.6, 0.7), 0.6));
    expect(decisions).toEqual([false, false, false, true]);
  });

  it('extends a grid one ×3 step beyond the edge its best sits at, within bounds', () => {
    expect(extensionBeyond(0.003, [0.001, 0.0003, 0.003])).toBeCloseTo(0.009, 12);
    expect(extensionBeyond(0.0003, [0.001, 0.0003, 0.003])).toBeCloseTo(0.0001, 12);
    expect(extensionBeyond(0.001, [0.001, 0.0003, 0.003])).toBeNull();
    expect(extensionBeyond(0.5, [0.1, 0.5])).toBeNull(); // 1.5 is past the bound of 1
    expect(extensionBeyond(0.001, [0.001])).toBeNull();
  });
});

describe('searchLearningRate', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  async function search(val: Split, rates: number[], prune = false, extend = false) {
    const train = split(30);
    const result = await searchLearningRate({
      rates,
      budget,
      prune,
      extend,
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

  it('never stops a candidate that is behind but still improving (a slow learner trains its whole budget)', async () => {
    const result = await search(split(12), [0.5, 0.0001], true);
    const [first, slow] = result.candidates;
    expect(first!.pruned).toBe(false);
    expect(slow!.pruned).toBe(false);
    expect(slow!.steps).toBe(first!.steps);
    expect(result.learningRate).toBe(0.5);
  });

  it('with extension, follows a best value at the top edge upward by ×3 until the bound, marking what it added', async () => {
    // separable clusters: the larger the rate, the faster the loss falls, so the top edge keeps winning
    const result = await search(split(12), [0.001, 0.003], false, true);
    const rates = result.candidates.map((c) => c.learningRate);
    expect(rates.slice(0, 2)).toEqual([0.001, 0.003]);
    expect(rates.length).toBeGreaterThan(2);
    for (let i = 2; i < rates.length; i++) expect(rates[i]! / rates[i - 1]!).toBeCloseTo(3, 6);
    expect(rates[rates.length - 1]!).toBeLessThanOrEqual(1);
    expect(result.candidates.map((c) => c.extended === true)).toEqual(rates.map((_, i) => i >= 2));
  });

  it('leaves no tensor behind across searches', async () => {
    await search(split(12), [0.01, 0.1]);
    const before = tf.memory().numTensors;
    await search(split(12), [0.01, 0.1], true);
    await search(split(12), [0.01, 0.1]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
