import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateWasm } from '../../../benchmarks/backend/wasm.js';
import { BATCH_NORM_TRAIN_KERNEL } from '../../../benchmarks/backend/wasm-batch-norm.js';
import { randomValues } from '../../support/random-values.js';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';

interface Outcome {
  y: Float32Array;
  /** Gradients of sum(y·r) w.r.t. x, γ and β. */
  dx: Float32Array;
  dGamma: Float32Array;
  dBeta: Float32Array;
  /** Moving mean and variance after the call. */
  movingMean: Float32Array;
  movingVariance: Float32Array;
  kernels: string[];
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** One training-mode call of a BatchNormalization layer with fixed weights, on the active backend. */
async function trainingCall(shape: number[], training = true): Promise<Outcome> {
  const channels = shape[shape.length - 1]!;
  const layer = tfl.layers.batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-3 });
  layer.build(shape);
  const weights = [7, 8, 9, 10].map((seed, i) =>
    tf.tensor1d(randomValues(channels, seed).map((v) => (i === 3 ? 1 + 0.5 * v : v))),
  );
  layer.setWeights(weights);
  tf.dispose(weights);
  // values far from zero mean and unit variance, so the normalisation matters
  const x = tf.tidy(() =>
    tf.variable(
      tf.tensor(
        randomValues(size(shape), 11).map((v) => 2 + 3 * v),
        shape,
      ),
    ),
  );
  const r = tf.tensor(randomValues(size(shape), 12), shape);
  let y: Float32Array | undefined;
  let grads: Record<string, Float32Array> = {};
  const info = await tf.profile(() => {
    const { value, grads: g } = tf.variableGrads(() => {
      const out = layer.apply(x, { training }) as tf.Tensor;
      y = out.dataSync() as Float32Array;
      return tf.sum(tf.mul(out, r));
    });
    grads = Object.fromEntries(Object.entries(g).map(([name, t]) => [name, t.dataSync() as Float32Array]));
    tf.dispose([value, ...Object.values(g)]);
  });
  const gradOf = (v: { name: string } | undefined): Float32Array => grads[v!.name] ?? new Float32Array();
  const [, , movingMean, movingVariance] = layer.getWeights().map((w) => w.dataSync() as Float32Array);
  const outcome: Outcome = {
    y: y!,
    dx: gradOf(x),
    dGamma: gradOf(layer.trainableWeights[0]),
    dBeta: gradOf(layer.trainableWeights[1]),
    movingMean: movingMean!,
    movingVariance: movingVariance!,
    kernels: info.kernelNames,
  };
  // a layer applied to concrete tensors only cannot dispose itself: release its variables
  tf.dispose([x, r, ...layer.weights.map((w) => w.read())]);
  return outcome;
}

function expectClose(actual: Float32Array, expected: Float32Array, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  expect(actual.length, what).toBeGreaterThan(0);
  const scale = Math.max(1, ...Array.from(expected, Math.abs));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst / scale, what).toBeLessThan(2e-5);
}

describe('batch normalisation in training on the wasm backend', () => {
  beforeAll(async () => {
    await activateWasm();
  });

  // channels a multiple of 4 take the SIMD module; 3 and 6 the JavaScript loops
  for (const shape of [
    [4, 9, 7, 8],
    [2, 5, 5, 3],
    [3, 6, 4, 24],
    [33, 6],
  ]) {
    it(`matches tfjs-layers on the cpu backend, gradients and moving statistics included: ${shape.join('×')}`, async () => {
      await selectBackend('cpu');
      const expected = await trainingCall(shape);
      expect(expected.kernels).not.toContain(BATCH_NORM_TRAIN_KERNEL);
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const actual = await trainingCall(shape);

      expect(actual.kernels).toContain(BATCH_NORM_TRAIN_KERNEL);
      expect(actual.kernels).not.toContain('Mean');
      expectClose(actual.y, expected.y, 'y');
      expectClose(actual.dx, expected.dx, 'dx');
      expectClose(actual.dGamma, expected.dGamma, 'dγ');
      expectClose(actual.dBeta, expected.dBeta, 'dβ');
      expectClose(actual.movingMean, expected.movingMean, 'moving mean');
      expectClose(actual.movingVariance, expected.movingVariance, 'moving variance');
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('leaves inference to tfjs-layers', async () => {
    await tf.setBackend('wasm');
    const inference = await trainingCall([2, 3, 3, 8], false);
    expect(inference.kernels).not.toContain(BATCH_NORM_TRAIN_KERNEL);
  });
});
