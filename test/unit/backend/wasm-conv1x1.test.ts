import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateWasm } from '../../../benchmarks/backend/wasm.js';
import { randomValues } from '../../support/random-values.js';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';

type Shape4 = [number, number, number, number];

/** Equal element by element, −0 told from 0 and NaN equal to NaN (Object.is); the first few differences shown. */
function expectSame(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  const differences: string[] = [];
  for (let i = 0; i < expected.length && differences.length < 5; i++) {
    if (!Object.is(actual[i], expected[i])) differences.push(`y[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
  expect(differences).toEqual([]);
}

function worst(a: Float32Array, b: Float32Array): number {
  return Math.max(...Array.from(b, (v, i) => Math.abs(a[i]! - v)));
}

interface Conv {
  y: Float32Array;
  kernels: string[];
}

async function conv(
  xShape: Shape4,
  filterShape: Shape4,
  strides: number,
  pad: 'valid' | 'same' | number[][],
): Promise<Conv> {
  let y: Float32Array | undefined;
  const info = await tf.profile(() => {
    y = tf.tidy(() => {
      const x = tf.tensor4d(randomValues(tf.util.sizeFromShape(xShape), 1), xShape);
      const filter = tf.tensor4d(randomValues(tf.util.sizeFromShape(filterShape), 2), filterShape);
      return tf.conv2d(x, filter, strides, pad as 'valid').dataSync() as Float32Array;
    });
  });
  return { y: y!, kernels: info.kernels.map((k) => k.name) };
}

/** The stock XNNPACK convolution of the same operands: wasm's FusedConv2D without bias or activation runs it. */
function xnnpackConvolution(xShape: Shape4, filterShape: Shape4, pad: 'valid' | 'same'): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(randomValues(tf.util.sizeFromShape(xShape), 1), xShape);
    const filter = tf.tensor4d(randomValues(tf.util.sizeFromShape(filterShape), 2), filterShape);
    const attrs = { strides: 1, pad, dataFormat: 'NHWC', dilations: 1, activation: 'linear' };
    return (
      tf.engine().runKernel(tf.FusedConv2D, { x, filter }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor
    ).dataSync() as Float32Array;
  });
}

/** The input gradient of a 1×1 convolution through the Conv2DBackpropInput kernel, and as dy·Wᵀ by BatchMatMul. */
function inputGradient(dyShape: Shape4, filterShape: Shape4): { dx: Float32Array; product: Float32Array } {
  return tf.tidy(() => {
    const dy = tf.tensor4d(randomValues(tf.util.sizeFromShape(dyShape), 3), dyShape);
    const filter = tf.tensor4d(randomValues(tf.util.sizeFromShape(filterShape), 4), filterShape);
    const [n, h, w, co] = dyShape;
    const ci = filterShape[2];
    const dx = tf.conv2dTranspose(dy, filter, [n, h, w, ci], 1, 'valid');
    const rows = n * h * w;
    const product = tf.matMul(tf.reshape(dy, [rows, co]), tf.reshape(filter, [ci, co]), false, true);
    return { dx: dx.dataSync() as Float32Array, product: product.dataSync() as Float32Array };
  });
}

describe('1×1 convolutions as one matrix product on the wasm backend', () => {
  beforeAll(async () => {
    await activateWasm();
  });

  for (const [[n, h, w, ci, co], pad] of [
    [[32, 1, 1, 112, 1280], 'valid'],
    [[32, 2, 2, 32, 192], 'same'],
    [[32, 1, 1, 336, 56], 'valid'],
    [[3, 5, 7, 13, 17], 'same'],
    [[1, 1, 1, 3, 1], 'valid'],
    [[2, 4, 4, 1, 9], 'valid'],
    [[32, 1, 1, 56, 336], 'valid'],
    [[4, 1, 1, 7, 21], 'same'],
  ] as const) {
    it(`gives the stock XNNPACK convolution's values bit for bit, and the cpu backend's (${n}×${h}×${w}×${ci} → ${co}, ${pad})`, async () => {
      const xShape: Shape4 = [n, h, w, ci];
      const filterShape: Shape4 = [1, 1, ci, co];
      await selectBackend('cpu');
      const expected = await conv(xShape, filterShape, 1, pad);
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const actual = await conv(xShape, filterShape, 1, pad);
      const stock = xnnpackConvolution(xShape, filterShape, pad);
      expect(tf.memory().numTensors).toBe(before);
      expect(actual.kernels).toEqual(['Conv2D']);
      expectSame(actual.y, stock);
      expect(actual.y.length).toBe(n * h * w * co);
      expect(worst(actual.y, expected.y)).toBeLessThan(1e-4);
    });
  }

  for (const [filterShape, strides, pad] of [
    [[3, 3, 4, 5], 1, 'same'],
    [[1, 1, 4, 5], 2, 'valid'],
    [
      [1, 1, 4, 5],
      1,
      [
        [0, 0],
        [1, 0],
        [0, 1],
        [0, 0],
      ],
    ],
  ] as const) {
    it(`keeps the stock kernel for other convolutions, with the cpu backend's values (filter ${filterShape.join('×')}, stride ${strides}, pad ${JSON.stringify(pad)})`, async () => {
      const xShape: Shape4 = [2, 6, 6, 4];
      const args = [xShape, [...filterShape] as Shape4, strides, pad as 'valid' | number[][]] as const;
      await selectBackend('cpu');
      const expected = await conv(...args);
      await tf.setBackend('wasm');
      const actual = await conv(...args);
      expect(actual.y.length).toBe(expected.y.length);
      expect(worst(actual.y, expected.y)).toBeLessThan(1e-4);
    });
  }

  for (const [n, h, w, ci, co] of [
    [32, 1, 1, 112, 1280],
    [32, 1, 1, 336, 56],
    [32, 1, 1, 56, 336],
    [2, 2, 1, 30, 5],
  ] as const) {
    it(`takes the input gradient as dy·Wᵀ bit for bit, with the cpu backend's values (dy ${n}×${h}×${w}×${co}, ${ci} input channels)`, async () => {
      const dyShape: Shape4 = [n, h, w, co];
      const filterShape: Shape4 = [1, 1, ci, co];
      await selectBackend('cpu');
      const expected = inputGradient(dyShape, filterShape);
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const actual = inputGradient(dyShape, filterShape);
      expect(tf.memory().numTensors).toBe(before);
      expectSame(actual.dx, actual.product);
      expect(actual.dx.length).toBe(n * h * w * ci);
      expect(worst(actual.dx, expected.dx)).toBeLessThan(1e-4);
    });
  }
});
