import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-layers registers tfjs-core's gradients, as in the engine
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateWasm } from '../../../benchmarks/backend/wasm.js';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';

/** An embedding look-up's gradient with respect to its table: what a text model's training step computes. */
function embeddingGradient(): number[] {
  return tf.tidy(() => {
    const table = tf.tensor2d(
      Array.from({ length: 6 * 3 }, (_, i) => Math.sin(i)),
      [6, 3],
    );
    const ids = tf.tensor2d(
      [
        [1, 4, 4, 0],
        [5, 1, 0, 0],
      ],
      undefined,
      'int32',
    );
    const weights = tf.tensor3d(
      Array.from({ length: 2 * 4 * 3 }, (_, i) => Math.cos(i)),
      [2, 4, 3],
    );
    const loss = (t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), weights)) as tf.Scalar;
    return Array.from(tf.grad(loss)(table).dataSync());
  });
}

function segmentSum(dtype: 'float32' | 'int32'): number[] {
  return tf.tidy(() => {
    // -1 and 9 are outside the 3 segments: dropped
    const ids = tf.tensor1d([2, -1, 2, 9], 'int32');
    return Array.from(tf.unsortedSegmentSum(tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [4, 2], dtype), ids, 3).dataSync());
  });
}

describe('UnsortedSegmentSum on the wasm backend', () => {
  beforeAll(async () => {
    await activateWasm();
  });

  it("gives an embedding's gradient equal to the cpu backend's", async () => {
    await selectBackend('cpu');
    const expected = embeddingGradient();
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const got = embeddingGradient();
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    expect(expected.some((v) => v !== 0)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  for (const dtype of ['float32', 'int32'] as const) {
    it(`sums rows per segment and drops ids outside them, as the cpu backend does (${dtype})`, async () => {
      await selectBackend('cpu');
      const expected = segmentSum(dtype);
      await tf.setBackend('wasm');
      expect(segmentSum(dtype)).toEqual(expected);
      expect(expected).toEqual([0, 0, 0, 0, 6, 8]);
    });
  }
});
