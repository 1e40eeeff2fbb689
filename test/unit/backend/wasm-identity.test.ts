import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateWasm } from '../../../benchmarks/backend/wasm.js';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';

describe('Identity and same-dtype Cast on the wasm backend', () => {
  beforeAll(async () => {
    await activateWasm();
  });

  it('share the buffer, keep the values after the original is disposed, and release it with the last tensor', () => {
    const buffers = tf.backend().numDataIds();
    const x = tf.tensor2d([1.5, -2, 3, 4.25], [2, 2]);
    const clone = tf.clone(x);
    const cast = tf.cast(x, 'float32');
    expect(tf.backend().numDataIds()).toBe(buffers + 1);
    x.dispose();
    expect(Array.from(clone.dataSync())).toEqual([1.5, -2, 3, 4.25]);
    expect(Array.from(cast.dataSync())).toEqual([1.5, -2, 3, 4.25]);
    expect(clone.shape).toEqual([2, 2]);
    clone.dispose();
    expect(tf.backend().numDataIds()).toBe(buffers + 1);
    cast.dispose();
    expect(tf.backend().numDataIds()).toBe(buffers);
  });

  it('still convert between dtypes and copy strings', () => {
    const x = tf.tensor1d([1.7, -2.2, 0]);
    const asInt = tf.cast(x, 'int32');
    expect(asInt.dtype).toBe('int32');
    expect(Array.from(asInt.dataSync())).toEqual([1, -2, 0]);
    const s = tf.tensor1d(['a', 'bc'], 'string');
    expect(tf.clone(s).dataSync()).toEqual(['a', 'bc']);
    tf.dispose([x, asInt, s]);
  });

  it('leave gradients as they were: a ReLU network trains to the cpu backend’s weights', async () => {
    const run = (): Float32Array =>
      tf.tidy(() => {
        const w = tf.tensor2d([0.5, -0.3, 0.8, 0.1, -0.6, 0.4], [3, 2]);
        const x = tf.tensor2d([1, 2, -1, 0.5, -2, 3], [2, 3]);
        const g = tf.grad((v: tf.Tensor) => tf.sum(tf.relu(tf.matMul(x, v as tf.Tensor2D))))(w);
        return g.dataSync() as Float32Array;
      });
    await selectBackend('cpu');
    const expected = run();
    await tf.setBackend('wasm');
    expect(run()).toEqual(expected);
  });
});
