import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateWasm } from '../../../benchmarks/backend/wasm.js';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';

const cases: { shape: number[]; reps: number[]; dtype: 'float32' | 'int32' | 'bool' }[] = [
  { shape: [1, 1, 1, 5], reps: [3, 4, 2, 1], dtype: 'float32' },
  { shape: [2, 3], reps: [2, 3], dtype: 'float32' },
  { shape: [4], reps: [3], dtype: 'int32' },
  { shape: [2, 1, 3], reps: [1, 5, 2], dtype: 'float32' },
  { shape: [1, 2, 1, 2, 3], reps: [2, 1, 3, 2, 1], dtype: 'int32' },
  { shape: [3, 2], reps: [1, 1], dtype: 'bool' },
  { shape: [2, 2], reps: [2, 2], dtype: 'bool' },
  { shape: [0, 3], reps: [2, 2], dtype: 'float32' },
];

function tiled(c: (typeof cases)[number]): number[] {
  return tf.tidy(() => {
    const size = c.shape.reduce((a, b) => a * b, 1);
    const values =
      c.dtype === 'bool'
        ? Array.from({ length: size }, (_, i) => i % 3 === 0)
        : Array.from({ length: size }, (_, i) => (c.dtype === 'int32' ? i * 3 - 2 : i * 1.5 - 2));
    const x = tf.tensor(values, c.shape, c.dtype);
    return Array.from(tf.tile(x, c.reps).dataSync());
  });
}

describe('Tile on the wasm backend', () => {
  beforeAll(async () => {
    await activateWasm();
  });

  it('is the block-copy kernel, not the stock one', () => {
    expect(String(tf.getKernel('Tile', 'wasm')?.kernelFunc)).toContain('copyWithin');
  });

  for (const c of cases) {
    it(`equals the cpu backend's: ${c.dtype} [${c.shape.join(', ')}] × [${c.reps.join(', ')}]`, async () => {
      await selectBackend('cpu');
      const expected = tiled(c);
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      expect(tiled(c)).toEqual(expected);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
