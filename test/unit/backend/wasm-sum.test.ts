import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateWasm } from '../../../benchmarks/backend/wasm.js';
import { randomValues } from '../../support/random-values.js';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';

const cases: { shape: number[]; axis: number[]; keepDims?: boolean }[] = [
  { shape: [64, 26, 26, 16], axis: [0, 1, 2] },
  { shape: [7, 5], axis: [0] },
  { shape: [3, 4, 5], axis: [1, 0], keepDims: true },
  { shape: [2, 3, 4], axis: [0, 1, 2] },
  { shape: [2, 3, 4], axis: [1] },
  { shape: [0, 3], axis: [0] },
];

describe('Sum over leading axes on the wasm backend', () => {
  beforeAll(async () => {
    await activateWasm();
  });

  for (const c of cases) {
    it(`[${c.shape.join('×')}] over axes ${c.axis.join(',')}${c.keepDims ? ', keepDims' : ''}: the stock kernel's sums, bit for bit`, async () => {
      const n = c.shape.reduce((a, b) => a * b, 1);
      const run = (): { values: Float32Array; shape: number[] } =>
        tf.tidy(() => {
          const s = tf.sum(tf.tensor(randomValues(n, 3), c.shape), c.axis, c.keepDims);
          return { values: s.dataSync() as Float32Array, shape: s.shape };
        });
      await selectBackend('cpu');
      const cpu = run();
      await tf.setBackend('wasm');
      const dataBefore = tf.backend().numDataIds();
      const wasm = run();
      expect(tf.backend().numDataIds()).toBe(dataBefore);
      expect(wasm.shape).toEqual(cpu.shape);
      wasm.values.forEach((v, i) => expect(Math.abs(v - cpu.values[i]!)).toBeLessThan(1e-3));
      // an empty input sums to zeros (the cpu backend's answer above); the stock kernel leaves its output unwritten
      if (n === 0) return;
      // the stock kernel on the same backend: reduced axes moved innermost first, as it does itself
      const rank = c.shape.length;
      const kept = [...Array(rank).keys()].filter((a) => !c.axis.includes(a));
      const stock = tf.tidy(() => {
        const x = tf.transpose(tf.tensor(randomValues(n, 3), c.shape), [...kept, ...[...c.axis].sort()]);
        const inner = c.axis.map((_, i) => kept.length + i);
        return tf.sum(x, inner).dataSync() as Float32Array;
      });
      expect(Array.from(wasm.values)).toEqual(Array.from(stock));
    });
  }
});
