import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateWasm } from '../../../benchmarks/backend/wasm.js';
import type { Approach } from '../../../benchmarks/domain.js';
import { buildModel } from '../../../benchmarks/models/architectures.js';
import { countParams } from '../../../benchmarks/models/flops.js';
import { buildTrialModel } from '../../../benchmarks/models/transfer-model.js';
import {
  clearFeatureStores,
  featureStats,
  featuresSplit,
  splitAtFrozen,
} from '../../../benchmarks/train/frozen-features.js';
import type { Split } from '../../../benchmarks/train/metrics.js';
import { tensorSplit } from '../../../benchmarks/train/tensor-splits.js';
import { trainLoop } from '../../../benchmarks/train/train-loop.js';
import { randomValues } from '../../support/random-values.js';

const SIDE = 32;
const ARCH = { name: 'mobilenet-v2' as const, alpha: 0.35, inputSize: SIDE };
const CLASSES = 3;
const POOL = 48;

/** Every weight's values, moving statistics included. */
function snapshot(model: tfl.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

function maxDifference(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((values, i) => values.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[i]![j]!)))));
  return worst;
}

describe('frozen features', () => {
  let base: tfl.LayersModel;
  let poolX: tf.Tensor4D;
  let poolY: tf.Tensor2D;
  const trainIdx = Int32Array.from({ length: 30 }, (_, i) => i);
  const valIdx = Int32Array.from({ length: 9 }, (_, i) => 30 + i);

  /** A split of the pool's examples `indices`, as the trainer reads it. */
  function rawSplit(indices: Int32Array): Split {
    const index = tf.tensor1d(indices, 'int32');
    const split = tensorSplit(tf.gather(poolX, index), tf.gather(poolY, index) as tf.Tensor2D);
    index.dispose();
    return split;
  }

  function trialModel(approach: Approach, trainFrom?: string): tfl.LayersModel {
    return buildTrialModel({
      approach,
      arch: ARCH,
      inputShape: [SIDE, SIDE, 3],
      numClasses: CLASSES,
      seed: 5,
      base,
      cutLayer: 'global_average_pooling2d',
      trainFrom,
    });
  }

  const budget = {
    optimizer: 'adam' as const,
    learningRate: 0.01,
    batchSize: 8,
    epochs: 3,
    minSteps: 0,
    patience: 2,
  };

  beforeAll(async () => {
    await activateWasm();
    base = buildModel(ARCH, [SIDE, SIDE, 3], 4, 1);
    // moving statistics away from their initial values, as in a pretrained model
    tf.tidy(() => {
      for (let i = 0; i < 3; i++)
        base.apply(tf.tensor4d(randomValues(16 * SIDE * SIDE * 3, 7 + i, 'unit'), [16, SIDE, SIDE, 3]), {
          training: true,
        });
    });
    const labels = Array.from({ length: POOL }, (_, i) => i % CLASSES);
    // random images with a learnable signal: each class brightens its own colour channel
    poolX = tf.tidy(() => {
      const noise = tf.tensor4d(randomValues(POOL * SIDE * SIDE * 3, 3, 'unit'), [POOL, SIDE, SIDE, 3]);
      const boost = tf.reshape(tf.oneHot(tf.tensor1d(labels, 'int32'), 3), [POOL, 1, 1, 3]);
      return tf.add(noise, tf.mul(boost, 0.5)) as tf.Tensor4D;
    });
    poolY = tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES) as tf.Tensor2D;
  });
  afterAll(() => {
    base.dispose();
    poolX.dispose();
    poolY.dispose();
  });

  for (const [approach, trainFrom] of [
    ['linear-probe', undefined],
    ['partial', 'block_16_expand'],
  ] as const) {
    it(`${approach}${trainFrom ? ` from ${trainFrom}` : ''}: training on cached features equals training through the frozen layers`, async () => {
      clearFeatureStores();
      const baseBefore = snapshot(base);
      const tensorsBefore = tf.memory().numTensors;

      // through the frozen layers
      const through = trialModel(approach, trainFrom);
      const frozenBefore = snapshot(through);
      const trainA = rawSplit(trainIdx);
      const valA = rawSplit(valIdx);
      const a = await trainLoop({ model: through, budget, train: trainA, val: valA, evalEverySteps: 4, seed: 11 });
      const throughWeights = snapshot(through);
      const trainableThrough = countParams(through).trainable;

      // on features computed once
      const cached = trialModel(approach, trainFrom);
      const frozen = splitAtFrozen(cached);
      expect(frozen).not.toBeNull();
      expect(frozen!.featuresLayer).toBe(approach === 'linear-probe' ? 'global_average_pooling2d' : 'block_15_add');
      const computedBefore = featureStats.computed;
      const features = async (indices: Int32Array): Promise<Split> => {
        const raw = rawSplit(indices);
        const split = await featuresSplit(frozen!, {
          cacheKey: 'pool',
          setSize: POOL,
          indices,
          y: raw.y,
          inputs: raw.inputs,
        });
        raw.dispose?.();
        return split;
      };
      const trainB = await features(trainIdx);
      const valB = await features(valIdx);
      expect(featureStats.computed - computedBefore).toBe(trainIdx.length + valIdx.length);
      const b = await trainLoop({ model: frozen!.top, budget, train: trainB, val: valB, evalEverySteps: 4, seed: 11 });
      const cachedWeights = snapshot(cached);

      expect(b.steps).toBe(a.steps);
      expect(b.bestEpoch).toBe(a.bestEpoch);
      a.epochRecords.forEach((record, i) => {
        expect(b.epochRecords[i]!.trainLoss).toBeCloseTo(record.trainLoss, 4);
        expect(b.epochRecords[i]!.valLoss).toBeCloseTo(record.valLoss, 4);
      });
      expect(maxDifference(cachedWeights, throughWeights)).toBeLessThan(1e-4);
      expect(countParams(cached).trainable).toBe(trainableThrough);
      // the weights did train
      expect(maxDifference(throughWeights, frozenBefore)).toBeGreaterThan(1e-3);

      // frozen layers, their batch normalisation's moving statistics included, are bit-for-bit unchanged
      const frozenNames = new Set(
        through.layers
          .filter((l) => !l.trainable && l.getClassName() === 'BatchNormalization')
          .flatMap((l) => l.weights.map((w) => w.name)),
      );
      const frozenIndex = through.weights.map((w, i) => ({ w, i })).filter(({ w }) => frozenNames.has(w.name));
      expect(frozenIndex.length).toBeGreaterThan(0);
      expect(frozenIndex.some(({ w }) => w.name.includes('moving_mean'))).toBe(true);
      for (const { i } of frozenIndex) {
        expect(Array.from(throughWeights[i]!)).toEqual(Array.from(frozenBefore[i]!));
        expect(Array.from(cachedWeights[i]!)).toEqual(Array.from(frozenBefore[i]!));
      }
      // and so is the base
      expect(maxDifference(snapshot(base), baseBefore)).toBe(0);

      // a smaller nested subset reads the stored features: nothing is computed again
      const computedBeforeNested = featureStats.computed;
      const nested = await features(trainIdx.subarray(0, 12));
      expect(featureStats.computed).toBe(computedBeforeNested);
      nested.dispose?.();
      nested.y.dispose();

      for (const split of [trainA, valA, trainB, valB]) {
        split.dispose?.();
        split.y.dispose();
      }
      frozen!.top.dispose();
      cached.dispose();
      through.dispose();
      expect(tf.memory().numTensors).toBe(tensorsBefore);
    });
  }

  it('finds nothing to cache when everything trains', () => {
    const model = trialModel('finetune');
    expect(splitAtFrozen(model)).toBeNull();
    model.dispose();
  });
});
