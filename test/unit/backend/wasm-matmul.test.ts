import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateWasm } from '../../../benchmarks/backend/wasm.js';
import { randomValues } from '../../support/random-values.js';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';

interface Case {
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

const cases: Case[] = [
  { a: [5, 7], b: [7, 3], transposeA: false, transposeB: false },
  { a: [7, 5], b: [7, 3], transposeA: true, transposeB: false },
  { a: [5, 7], b: [3, 7], transposeA: false, transposeB: true },
  { a: [7, 5], b: [3, 7], transposeA: true, transposeB: true },
  { a: [64, 800], b: [64, 64], transposeA: true, transposeB: false },
  { a: [64, 64], b: [800, 64], transposeA: false, transposeB: true },
  { a: [1, 9, 4], b: [1, 6, 4], transposeA: false, transposeB: true },
  // batched: the stock kernel
  { a: [2, 4, 3], b: [2, 5, 4], transposeA: true, transposeB: true },
];

function product(c: Case): { values: Float32Array; shape: number[] } {
  return tf.tidy(() => {
    const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
    const a = tf.tensor(randomValues(size(c.a), 1), c.a);
    const b = tf.tensor(randomValues(size(c.b), 2), c.b);
    const p = tf.matMul(a, b, c.transposeA, c.transposeB);
    return { values: p.dataSync() as Float32Array, shape: p.shape };
  });
}

describe('BatchMatMul with transposes on the wasm backend', () => {
  beforeAll(async () => {
    await activateWasm();
  });

  for (const c of cases) {
    it(`matches the cpu backend: [${c.a.join('×')}]${c.transposeA ? 'ᵀ' : ''} · [${c.b.join('×')}]${c.transposeB ? 'ᵀ' : ''}`, async () => {
      await selectBackend('cpu');
      const expected = product(c);
      await tf.setBackend('wasm');
      const dataBefore = tf.backend().numDataIds();
      const actual = product(c);
      expect(actual.shape).toEqual(expected.shape);
      expect(actual.values.length).toBe(expected.values.length);
      let worst = 0;
      for (let i = 0; i < expected.values.length; i++) {
        worst = Math.max(worst, Math.abs(actual.values[i]! - expected.values[i]!));
      }
      expect(worst).toBeLessThan(1e-4);
      // the transposed temporaries are released
      expect(tf.backend().numDataIds()).toBe(dataBefore);
    });
  }
});
