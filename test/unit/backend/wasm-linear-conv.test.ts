import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateWasm } from '../../../benchmarks/backend/wasm.js';
import { randomValues } from '../../support/random-values.js';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';

interface Result {
  y: Float32Array;
  grads: Float32Array[];
  kernels: string[];
}

/** A Conv2D layer (1×1 without bias, or 3×3 with one) on x, and the gradients of sum(y·r) for x and its weights. */
async function run(bias: boolean, kernel: number): Promise<Result> {
  let out: Omit<Result, 'kernels'> | undefined;
  const info = await tf.profile(() => {
    out = tf.tidy(() => {
      const layer = tfl.layers.conv2d({
        filters: 6,
        kernelSize: kernel,
        padding: 'same',
        useBias: bias,
        kernelInitializer: tfl.initializers.randomNormal({ seed: 3 }),
        biasInitializer: tfl.initializers.randomNormal({ seed: 4 }),
      });
      const x = tf.tensor4d(randomValues(2 * 5 * 5 * 8, 1), [2, 5, 5, 8]);
      const y = layer.apply(x) as tf.Tensor;
      const r = tf.tensor(randomValues(y.size, 2), y.shape);
      const weights = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, r)) as tf.Scalar, weights);
      const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(layer.apply(a) as tf.Tensor, r)))(x);
      const result = {
        y: y.dataSync() as Float32Array,
        grads: [dx, ...weights.map((w) => grads[w.name]!)].map((g) => g.dataSync() as Float32Array),
      };
      layer.dispose();
      return result;
    });
  });
  return { ...out!, kernels: info.kernelNames };
}

describe('convolutions without bias as the plain conv2d op on the wasm backend', () => {
  beforeAll(async () => {
    await activateWasm();
  });

  for (const bias of [false, true]) {
    it(`${bias ? 'keeps the fused op with a bias' : 'runs Conv2D, not FusedConv2D, without a bias'}, with the cpu backend's values`, async () => {
      await selectBackend('cpu');
      const expected = await run(bias, bias ? 3 : 1);
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const actual = await run(bias, bias ? 3 : 1);
      expect(tf.memory().numTensors).toBe(before);
      if (bias) expect(actual.kernels).toContain('FusedConv2D');
      else {
        expect(actual.kernels).toContain('Conv2D');
        expect(actual.kernels).not.toContain('FusedConv2D');
      }
      expect(actual.grads).toHaveLength(bias ? 3 : 2);
      const worst = (a: Float32Array, b: Float32Array): number =>
        Math.max(...Array.from(b, (v, i) => Math.abs(a[i]! - v)));
      expect(actual.y.length).toBe(expected.y.length);
      expect(worst(actual.y, expected.y)).toBeLessThan(1e-4);
      actual.grads.forEach((g, i) => {
        expect(g.length).toBe(expected.grads[i]!.length);
        expect(worst(g, expected.grads[i]!)).toBeLessThan(1e-4);
        expect(g.some((v) => v !== 0)).toBe(true);
      });
    });
  }
});
