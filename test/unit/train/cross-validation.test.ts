import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';
import type { EpochRecord } from '../../../benchmarks/domain.js';
import {
  bestEvaluation,
  complement,
  crossValidate,
  extensionBeatsBest,
  foldLossAt,
  meanFoldCurve,
  stratifiedFolds,
  usesCrossValidation,
} from '../../../benchmarks/train/cross-validation.js';
import { disposeSplit, tensorSplit } from '../../../benchmarks/train/tensor-splits.js';

const record = (step: number, valLoss: number, epoch = step): EpochRecord => ({
  epoch,
  step,
  trainLoss: valLoss / 2,
  trainAccuracy: 1,
  valLoss,
  valAccuracy: 0.5,
  elapsedSeconds: step / 10,
});

describe('when the k-fold protocol applies', () => {
  it('applies below the threshold of validation examples per class, and never with 0', () => {
    // 5 classes: 5 validation examples is 1 per class; 50 is 10 per class.
    expect(usesCrossValidation(5, 5, 10)).toBe(true);
    expect(usesCrossValidation(45, 5, 10)).toBe(true);
    expect(usesCrossValidation(50, 5, 10)).toBe(false);
    expect(usesCrossValidation(5, 5, 0)).toBe(false);
  });
});

describe('stratifiedFolds', () => {
  const labels = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3];

  it('partitions the examples into folds of nearly equal size, each class spread evenly', () => {
    const folds = stratifiedFolds(labels, 4, 7);
    const all = folds.flatMap((f) => [...f]).sort((a, b) => a - b);
    expect(all).toEqual(labels.map((_, i) => i));
    const sizes = folds.map((f) => f.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    for (const fold of folds) {
      const perClass = [0, 1, 2].map((c) => [...fold].filter((i) => labels[i] === c).length);
      expect(perClass.every((n) => n === 1)).toBe(true);
    }
  });

  it('is reproducible from the seed and differs across seeds', () => {
    expect(stratifiedFolds(labels, 3, 1)).toEqual(stratifiedFolds(labels, 3, 1));
    expect(stratifiedFolds(labels, 3, 1)).not.toEqual(stratifiedFolds(labels, 3, 2));
  });

  it('refuses more folds than examples, and fewer than two', () => {
    expect(() => stratifiedFolds([0, 1], 3, 0)).toThrow(/cannot split 2 examples into 3 folds/);
    expect(() => stratifiedFolds([0, 1], 1, 0)).toThrow(/at least 2/);
  });

  it('takes the complement of a fold', () => {
    expect([...complement(5, Int32Array.from([1, 3]))]).toEqual([0, 2, 4]);
  });
});

describe('mean curve over folds', () => {
  it('averages at the first fold’s evaluation steps, reading the others as step functions', () => {
    const a = [record(10, 1.0), record(20, 0.6), record(30, 0.5)];
    const b = [record(12, 0.8), record(24, 0.4)];
    const mean = meanFoldCurve([a, b]);
    // at 10, b has no evaluation yet: NaN (not finite, never chosen)
    expect(Number.isNaN(mean[0]!.valLoss)).toBe(true);
    expect(mean[1]!.valLoss).toBeCloseTo((0.6 + 0.8) / 2, 12);
    expect(mean[2]!.valLoss).toBeCloseTo((0.5 + 0.4) / 2, 12);
    expect(bestEvaluation(mean)!.step).toBe(30);
  });

  it('picks the earliest of equal lowest losses', () => {
    expect(bestEvaluation([record(5, 0.3), record(10, 0.2), record(15, 0.2)])!.step).toBe(10);
  });

  it('never picks the first evaluation (warm-up floor) unless it is the only one', () => {
    // a noisy early dip at the first evaluation: the floor skips it and takes the best of the rest
    expect(bestEvaluation([record(25, 0.1), record(50, 0.3), record(75, 0.2)])!.step).toBe(75);
    expect(bestEvaluation([record(25, 0.1)])!.step).toBe(25);
    expect(bestEvaluation([record(25, 0.1), record(50, 0.3)], 0)!.step).toBe(25);
  });
});

describe('crossValidate', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  /** 24 examples of 3 separable clusters (a 2-d input). */
  const xs = Array.from({ length: 24 }, (_, i) => [i % 3 === 0 ? 1 : 0, i % 3 === 1 ? 1 : 0]);
  const labels = Array.from({ length: 24 }, (_, i) => i % 3);

  it('trains one model per fold and learning rate on the other folds, and picks the step of lowest mean loss', async () => {
    const seen: number[][] = [];
    const before = tf.memory().numTensors;
    const result = await crossValidate({
      rates: [0.3, 0.001],
      budget: { optimizer: 'adam', batchSize: 4, epochs: 5, minSteps: 0 },
      folds: 3,
      labels,
      split: (positions) => {
        seen.push([...positions]);
        const y = tf.tidy(() =>
          tf.oneHot(
            tf.tensor1d(
              Int32Array.from(positions, (p) => labels[p]!),
              'int32',
            ),
            3,
          ),
        );
        return tensorSplit(tf.tensor2d(Array.from(positions, (p) => xs[p]!)), y as tf.Tensor2D);
      },
      disposeSplit,
      buildModel: () => {
        const m = tfl.sequential();
        m.add(tfl.layers.dense({ inputShape: [2], units: 3, activation: 'softmax', kernelInitializer: 'zeros' }));
        return { trained: m, dispose: () => m.dispose() };
      },
      evalEverySteps: 1,
      seed: 1,
    });
    // 2 rates × 3 folds, each a training split and a validation split, from the subset's positions only.
    expect(seen).toHaveLength(12);
    expect(seen.flat().every((p) => p >= 0 && p < 24)).toBe(true);
    for (let i = 0; i < seen.length; i += 2) {
      expect(new Set([...seen[i]!, ...seen[i + 1]!]).size).toBe(24);
      expect(seen[i]!.some((p) => seen[i + 1]!.includes(p))).toBe(false);
    }
    expect(result.candidates.map((c) => c.learningRate)).toEqual([0.3, 0.001]);
    expect(result.learningRate).toBe(0.3);
    const best = bestEvaluation(result.curve)!;
    expect(result.chosenSteps).toBe(best.step);
    expect(result.candidates[0]!.bestValLoss).toBe(best.valLoss);
    // each fold trained 16 examples, 4 steps per epoch, for 5 epochs
    expect(result.steps).toBe(2 * 3 * 5 * 4);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('an edge extension takes over only beyond the fold-to-fold noise', () => {
  it('reads the mean and standard error of the folds at a step', () => {
    const folds = [
      [record(25, 1.0), record(50, 2.0)],
      [record(25, 3.0), record(50, 4.0)],
    ];
    const at50 = foldLossAt(folds, 50);
    expect(at50.mean).toBeCloseTo(3.0, 12);
    // sd of (2, 4) is sqrt(2); se = sqrt(2)/sqrt(2) = 1
    expect(at50.se).toBeCloseTo(1.0, 12);
    // between evaluations a fold reads as a step function
    expect(foldLossAt(folds, 30).mean).toBeCloseTo(2.0, 12);
  });

  it('keeps the grid best for a lower loss within the noise (the walk down to an untrained model)', () => {
    // mnist-split, scratch, 10 examples, seed 1: 1e-4 gave 1.78, 3.3e-5 1.67 with losses that spread over folds
    expect(extensionBeatsBest({ mean: 1.67, se: 0.08 }, { mean: 1.78, se: 0.1 })).toBe(false);
  });

  it('takes a clearly better extension', () => {
    expect(extensionBeatsBest({ mean: 0.9, se: 0.05 }, { mean: 1.4, se: 0.05 })).toBe(true);
    // never a worse one, however small the noise
    expect(extensionBeatsBest({ mean: 1.5, se: 0 }, { mean: 1.4, se: 0 })).toBe(false);
  });
});
