import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateWasm } from '../../../benchmarks/backend/wasm.js';
import { CLIPPED_RELU_KERNEL, RELU_GRAD_KERNEL } from '../../../benchmarks/backend/wasm-relu.js';
import { randomValues } from '../../support/random-values.js';
import { expectSame } from '../../support/same-values.js';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';

/** x spanning [−2, 8] (below 0, inside [0, 6], above 6), with 6 itself, zeros of both signs, a NaN and infinities. */
function inputs(n: number): Float32Array {
  const x = randomValues(n, 4).map((v) => 3 + 5 * v);
  x[0] = 0;
  x[1] = -0;
  x[2] = NaN;
  x[3] = -Infinity;
  x[4] = 6;
  x[n - 1] = Infinity;
  return x;
}

/** Fixed random weights of the output, one negative where x is −0 (so the stock gradient there is −0). */
function weights(n: number): Float32Array {
  const r = randomValues(n, 5);
  r[1] = -2;
  return r;
}

interface Run {
  y: Float32Array;
  dx: Float32Array;
  kernels: string[];
}

/** f(x) and d/dx of sum(f(x)·r), and the kernels run for both. */
async function run(f: (x: tf.Tensor) => tf.Tensor, n: number): Promise<Run> {
  let y: Float32Array | undefined;
  let dx: Float32Array | undefined;
  const info = await tf.profile(() => {
    tf.tidy(() => {
      const x = tf.tensor1d(inputs(n));
      const r = tf.tensor1d(weights(n));
      y = f(x).dataSync() as Float32Array;
      dx = tf
        .grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), r)))(x)
        .dataSync() as Float32Array;
    });
  });
  return { y: y!, dx: dx!, kernels: info.kernelNames };
}

const relu = (x: tf.Tensor): tf.Tensor => tf.relu(x);
const relu6Layer = tfl.layers.reLU({ maxValue: 6 });
const relu6 = (x: tf.Tensor): tf.Tensor => relu6Layer.apply(x) as tf.Tensor;

describe('ReLU and ReLU6 in one kernel each way on the wasm backend', () => {
  beforeAll(async () => {
    await activateWasm();
  });

  for (const n of [8, 37, 4096 + 3]) {
    it(`relu's gradient equals the cpu backend's bit for bit in one kernel, signed zeros included (${n} values)`, async () => {
      await selectBackend('cpu');
      const expected = await run(relu, n);
      expect(expected.kernels).not.toContain(RELU_GRAD_KERNEL);
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const actual = await run(relu, n);
      expect(actual.kernels).toContain(RELU_GRAD_KERNEL);
      expect(actual.kernels).not.toContain('Step');
      expectSame(actual.y, expected.y, 'y');
      expectSame(actual.dx, expected.dx, 'dx');
      expect(Number.isNaN(actual.dx[2])).toBe(true);
      expect(Object.is(actual.dx[1], -0)).toBe(true);
      expect(actual.dx.some((v) => v > 0 || v < 0)).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
    });

    it(`the ReLU6 layer equals the cpu backend's relu-then-clip bit for bit, one kernel each way (${n} values)`, async () => {
      await selectBackend('cpu');
      const expected = await run(relu6, n);
      expect(expected.kernels).toContain('ClipByValue');
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const actual = await run(relu6, n);
      expect(actual.kernels).toContain(CLIPPED_RELU_KERNEL);
      expect(actual.kernels).toContain(RELU_GRAD_KERNEL);
      expect(actual.kernels).not.toContain('ClipByValue');
      expect(actual.kernels).not.toContain('Relu');
      // the values of the wasm backend's own Relu and ClipByValue (its Relu makes NaN 0, the cpu backend's keeps NaN)
      const stock = tf.tidy(() => tf.clipByValue(tf.relu(tf.tensor1d(inputs(n))), 0, 6).dataSync() as Float32Array);
      expectSame(actual.y, stock, 'y');
      expectSame(actual.y.subarray(3), expected.y.subarray(3), 'y');
      expectSame(actual.dx, expected.dx, 'dx');
      // 6 passes the gradient, above 6 it is +0, −0 at x = −0 with a negative weight
      expect(actual.dx[4]).toBe(weights(n)[4]);
      expect(Object.is(actual.dx[n - 1], 0)).toBe(true);
      expect(Object.is(actual.dx[1], -0)).toBe(true);
      expect(actual.y.every((v) => Number.isNaN(v) || (v >= 0 && v <= 6))).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
