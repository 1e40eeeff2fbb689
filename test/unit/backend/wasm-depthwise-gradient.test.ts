import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateWasm } from '../../../benchmarks/backend/wasm.js';
import { randomValues } from '../../support/random-values.js';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';

type Shape4 = [number, number, number, number];

interface Case {
  x: Shape4;
  kernel: [number, number];
  multiplier: number;
}

const cases: Case[] = [
  { x: [2, 7, 9, 3], kernel: [3, 3], multiplier: 1 },
  { x: [3, 8, 8, 2], kernel: [3, 3], multiplier: 2 },
  { x: [2, 11, 5, 4], kernel: [5, 5], multiplier: 1 },
  { x: [1, 6, 7, 5], kernel: [1, 3], multiplier: 3 },
  { x: [4, 12, 12, 24], kernel: [3, 3], multiplier: 1 },
  { x: [2, 3, 3, 2], kernel: [3, 3], multiplier: 1 },
];

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Gradients of sum(depthwiseConv2d(x, w) · r) w.r.t. x and w on the active backend, r a fixed random tensor. */
function gradients(c: Case, strides: number, pad: 'valid' | 'same'): { dx: Float32Array; dw: Float32Array } {
  const wShape: Shape4 = [c.kernel[0], c.kernel[1], c.x[3], c.multiplier];
  return tf.tidy(() => {
    const x = tf.tensor4d(randomValues(size(c.x), 1), c.x);
    const w = tf.tensor4d(randomValues(size(wShape), 2), wShape);
    const outShape = tf.depthwiseConv2d(x, w, strides, pad).shape;
    const r = tf.tensor(randomValues(size(outShape), 3), outShape);
    const f = (a: tf.Tensor, b: tf.Tensor): tf.Tensor =>
      tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad), r));
    const [dx, dw] = tf.grads(f)([x, w]);
    return { dx: dx!.dataSync() as Float32Array, dw: dw!.dataSync() as Float32Array };
  });
}

function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(1, ...Array.from(expected, Math.abs));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst / scale).toBeLessThan(1e-5);
}

describe('DepthwiseConv2dNative gradients on the wasm backend', () => {
  beforeAll(async () => {
    await activateWasm();
  });

  for (const c of cases) {
    for (const pad of ['valid', 'same'] as const) {
      for (const strides of [1, 2]) {
        it(`match the cpu backend: x ${c.x.join('×')}, kernel ${c.kernel.join('×')}, multiplier ${c.multiplier}, ${pad}, stride ${strides}`, async () => {
          await selectBackend('cpu');
          const expected = gradients(c, strides, pad);
          await tf.setBackend('wasm');
          const tensorsBefore = tf.memory().numTensors;
          const dataBefore = tf.backend().numDataIds();
          const actual = gradients(c, strides, pad);
          expectClose(actual.dw, expected.dw);
          expectClose(actual.dx, expected.dx);
          // nonzero: a kernel returning zeros would match a zero gradient, never these
          expect(actual.dw.some((v) => v !== 0)).toBe(true);
          expect(tf.memory().numTensors).toBe(tensorsBefore);
          expect(tf.backend().numDataIds()).toBe(dataBefore);
        });
      }
    }
  }

  it('are registered for wasm only', () => {
    expect(tf.getKernel('DepthwiseConv2dNativeBackpropInput', 'wasm')).toBeDefined();
    expect(tf.getKernel('DepthwiseConv2dNativeBackpropFilter', 'wasm')).toBeDefined();
    const cpuKernel = tf.getKernel('DepthwiseConv2dNativeBackpropFilter', 'cpu');
    expect(cpuKernel).toBeDefined();
    expect(cpuKernel!.kernelFunc).not.toBe(tf.getKernel('DepthwiseConv2dNativeBackpropFilter', 'wasm')!.kernelFunc);
  });
});
