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
  outChannels: number;
}

const cases: Case[] = [
  { x: [2, 7, 9, 3], kernel: [3, 3], outChannels: 4 },
  { x: [3, 8, 8, 1], kernel: [5, 5], outChannels: 2 },
  { x: [2, 11, 5, 2], kernel: [2, 2], outChannels: 3 },
  { x: [1, 6, 7, 5], kernel: [1, 3], outChannels: 6 },
  { x: [4, 13, 13, 16], kernel: [3, 3], outChannels: 32 },
  // 1×1 (MobileNet's expansions and projections): stride 1 is a matrix product on XNNPACK
  { x: [3, 9, 7, 12], kernel: [1, 1], outChannels: 20 },
];

/** Gradients of sum(conv2d(x, w) · r) w.r.t. x and w on the active backend, r a fixed random tensor. */
function gradients(c: Case, strides: number, pad: 'valid' | 'same'): { dx: Float32Array; dw: Float32Array } {
  const wShape: Shape4 = [c.kernel[0], c.kernel[1], c.x[3], c.outChannels];
  return tf.tidy(() => {
    const x = tf.tensor4d(
      randomValues(
        c.x.reduce((a, b) => a * b),
        1,
      ),
      c.x,
    );
    const w = tf.tensor4d(
      randomValues(
        wShape.reduce((a, b) => a * b),
        2,
      ),
      wShape,
    );
    const outShape = tf.conv2d(x, w, strides, pad).shape;
    const r = tf.tensor(
      randomValues(
        outShape.reduce((a, b) => a * b),
        3,
      ),
      outShape,
    );
    const f = (a: tf.Tensor, b: tf.Tensor): tf.Tensor =>
      tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad), r));
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

describe('Conv2D gradients on the wasm backend', () => {
  beforeAll(async () => {
    await activateWasm();
  });

  for (const c of cases) {
    for (const pad of ['valid', 'same'] as const) {
      for (const strides of [1, 2]) {
        it(`match the cpu backend: x ${c.x.join('×')}, kernel ${c.kernel.join('×')}→${c.outChannels}, ${pad}, stride ${strides}`, async () => {
          await selectBackend('cpu');
          const expected = gradients(c, strides, pad);
          await tf.setBackend('wasm');
          const tensorsBefore = tf.memory().numTensors;
          const dataBefore = tf.backend().numDataIds();
          const actual = gradients(c, strides, pad);
          expectClose(actual.dw, expected.dw);
          expectClose(actual.dx, expected.dx);
          // neither engine tensors nor the kernels' own temporaries are left behind
          expect(tf.memory().numTensors).toBe(tensorsBefore);
          expect(tf.backend().numDataIds()).toBe(dataBefore);
        });
      }
    }
  }

  it('leave the other backends their own kernels', () => {
    const wasmKernel = tf.getKernel('Conv2DBackpropFilter', 'wasm');
    const cpuKernel = tf.getKernel('Conv2DBackpropFilter', 'cpu');
    expect(wasmKernel).toBeDefined();
    expect(cpuKernel).toBeDefined();
    expect(cpuKernel!.kernelFunc).not.toBe(wasmKernel!.kernelFunc);
    expect(cpuKernel!.kernelFunc.name).not.toMatch(/wasm/i);
  });
});
