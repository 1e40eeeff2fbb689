import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateWasm } from '../../../benchmarks/backend/wasm.js';
import { CLIP_GRAD_KERNEL } from '../../../benchmarks/backend/wasm-clip-gradient.js';
import { trainingKernels } from '../../../benchmarks/backend/training-kernels.js';
import { randomValues } from '../../support/random-values.js';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';

/** x spanning [−2, 8] (below, inside and above [0, 6]), with the bounds themselves, a NaN and an infinity. */
function inputs(n: number): Float32Array {
  const x = randomValues(n, 4).map((v) => 3 + 5 * v);
  x[0] = 0;
  x[1] = 6;
  x[2] = NaN;
  x[3] = -Infinity;
  x[n - 1] = 6;
  return x;
}

/** d/dx of sum(clipByValue(x, 0, 6)·r), r fixed random, and the kernels run for it. */
async function gradient(n: number): Promise<{ dx: Float32Array; kernels: string[] }> {
  let dx: Float32Array | undefined;
  const info = await tf.profile(() => {
    dx = tf.tidy(() => {
      const x = tf.tensor1d(inputs(n));
      const r = tf.tensor1d(randomValues(n, 5));
      const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.clipByValue(a, 0, 6), r)))(x);
      return g.dataSync() as Float32Array;
    });
  });
  return { dx: dx!, kernels: info.kernelNames };
}

describe('ClipByValue gradient (ReLU6) on the wasm backend', () => {
  beforeAll(async () => {
    await activateWasm();
  });

  it('runs the SIMD module here', () => {
    expect(trainingKernels(tf.findBackend('wasm') as BackendWasm)).not.toBeNull();
  });

  for (const n of [4, 37, 4096 + 3]) {
    it(`equals the cpu backend's bit for bit in one kernel (${n} values)`, async () => {
      await selectBackend('cpu');
      const expected = await gradient(n);
      expect(expected.kernels).not.toContain(CLIP_GRAD_KERNEL);
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const actual = await gradient(n);
      expect(actual.kernels).toContain(CLIP_GRAD_KERNEL);
      expect(actual.kernels).not.toContain('LogicalAnd');
      expect(Array.from(actual.dx)).toEqual(Array.from(expected.dx));
      // zero outside [0, 6] and at NaN, dy inside
      expect(actual.dx[2]).toBe(0);
      expect(actual.dx.some((v) => v !== 0)).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
