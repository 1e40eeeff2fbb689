import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateWasm } from '../../../benchmarks/backend/wasm.js';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';

type Shape4 = [number, number, number, number];

/** Deterministic values; with `levels` set, few distinct values, so windows have ties (as after a ReLU). */
function values(n: number, seed: number, levels?: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32;
    return levels === undefined ? u * 2 - 1 : Math.floor(u * levels) - 1;
  });
}

interface Case {
  x: Shape4;
  size: number;
  strides: number;
  pad: 'valid' | 'same';
  levels?: number;
}

const cases: Case[] = [
  { x: [2, 26, 26, 3], size: 2, strides: 2, pad: 'valid' },
  { x: [2, 11, 11, 4], size: 2, strides: 2, pad: 'valid' },
  { x: [3, 9, 7, 2], size: 3, strides: 3, pad: 'valid', levels: 3 },
  { x: [2, 8, 8, 5], size: 2, strides: 2, pad: 'same', levels: 2 },
  { x: [2, 10, 10, 3], size: 2, strides: 2, pad: 'valid', levels: 2 },
  // padding at the edge (the stock wasm kernel loses gradients there)
  { x: [2, 7, 7, 2], size: 2, strides: 2, pad: 'same' },
  { x: [1, 8, 10, 3], size: 3, strides: 3, pad: 'same', levels: 3 },
  // overlapping windows: gradients add up
  { x: [2, 9, 9, 2], size: 3, strides: 1, pad: 'valid', levels: 3 },
  { x: [2, 9, 8, 2], size: 3, strides: 2, pad: 'same' },
];

function gradient(c: Case): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(
      values(
        c.x.reduce((a, b) => a * b),
        1,
        c.levels,
      ),
      c.x,
    );
    const outShape = tf.maxPool(x, c.size, c.strides, c.pad).shape;
    const r = tf.tensor(
      values(
        outShape.reduce((a, b) => a * b),
        2,
      ),
      outShape,
    );
    const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, c.size, c.strides, c.pad), r)))(x);
    return dx.dataSync() as Float32Array;
  });
}

describe('MaxPool gradient on the wasm backend', () => {
  beforeAll(async () => {
    await activateWasm();
  });

  for (const c of cases) {
    const ties = c.levels === undefined ? '' : `, ${c.levels} distinct values`;
    it(`equals the cpu backend's: x ${c.x.join('×')}, pool ${c.size} stride ${c.strides} ${c.pad}${ties}`, async () => {
      await selectBackend('cpu');
      const expected = gradient(c);
      await tf.setBackend('wasm');
      const tensorsBefore = tf.memory().numTensors;
      const dataBefore = tf.backend().numDataIds();
      const actual = gradient(c);
      expect(actual.length).toBe(expected.length);
      // one term per input position without overlap (exact); sums, possibly in another order, with it
      actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
      if (c.size === c.strides) expect(Array.from(actual)).toEqual(Array.from(expected));
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      expect(tf.backend().numDataIds()).toBe(dataBefore);
    });
  }

  it('2×2 windows with −∞ and NaN: a NaN never wins, a window of −∞ and NaN only sends nothing', async () => {
    await tf.setBackend('wasm');
    // windows (one channel): [NaN, 1, 2, 2] → the first 2; [−∞, −∞, −∞, −∞] → none; [NaN, NaN, −∞, 3] → 3;
    // [NaN, NaN, NaN, NaN] → none; [−∞, −5, −5, NaN] → the first −5
    const row0 = [NaN, 1, -Infinity, -Infinity, NaN, NaN, NaN, NaN, -Infinity, -5];
    const row1 = [2, 2, -Infinity, -Infinity, -Infinity, 3, NaN, NaN, -5, NaN];
    const x = tf.tensor4d([...row0, ...row1], [1, 2, 10, 1]);
    const dy = tf.tensor4d([10, 20, 30, 40, 50], [1, 1, 5, 1]);
    const dx = tf.tidy(() =>
      tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: tf.maxPool(x, 2, 2, 'valid') }, {
        filterSize: 2,
        strides: 2,
        pad: 'valid',
      } as unknown as tf.NamedAttrMap),
    ) as tf.Tensor;
    expect(Array.from(dx.dataSync())).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 50, 10, 0, 0, 0, 0, 30, 0, 0, 0, 0]);
    tf.dispose([x, dy, dx]);
  });
});
