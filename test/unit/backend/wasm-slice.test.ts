import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateWasm } from '../../../benchmarks/backend/wasm.js';
import { randomValues } from '../../support/random-values.js';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';

const cases: { shape: number[]; begin: number[]; size: number[] }[] = [
  // a ZeroPadding2D's gradient: the padding sliced off
  { shape: [3, 9, 9, 8], begin: [0, 0, 0, 0], size: [3, 8, 8, 8] },
  { shape: [3, 9, 9, 8], begin: [0, 1, 1, 0], size: [3, 7, 8, 8] },
  { shape: [2, 5, 6, 7], begin: [1, 2, 3, 4], size: [1, 2, 3, 3] },
  { shape: [4, 5], begin: [1, 0], size: [2, 5] },
  { shape: [4, 5], begin: [0, 2], size: [-1, -1] },
  { shape: [10], begin: [3], size: [4] },
  { shape: [2, 3, 4], begin: [0, 0, 0], size: [2, 3, 4] },
  { shape: [2, 3, 4], begin: [0, 1, 0], size: [2, 0, 4] },
];

function slice(c: (typeof cases)[number], dtype: 'float32' | 'int32' | 'bool'): number[] {
  return tf.tidy(() => {
    const n = c.shape.reduce((a, b) => a * b, 1);
    const values = randomValues(n, 3).map((v) => (dtype === 'float32' ? v : Math.round(v * 50)));
    const x = dtype === 'bool' ? tf.greater(tf.tensor(values, c.shape), 0) : tf.tensor(values, c.shape, dtype);
    return Array.from(tf.slice(x, c.begin, c.size).dataSync());
  });
}

describe('Slice on the wasm backend', () => {
  beforeAll(async () => {
    await activateWasm();
  });

  for (const c of cases) {
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      it(`equals the cpu backend's: ${c.shape.join('×')} from [${c.begin.join(', ')}] size [${c.size.join(', ')}], ${dtype}`, async () => {
        await selectBackend('cpu');
        const expected = slice(c, dtype);
        await tf.setBackend('wasm');
        const before = tf.memory().numTensors;
        expect(slice(c, dtype)).toEqual(expected);
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  }
});
