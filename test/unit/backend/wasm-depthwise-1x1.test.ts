import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateWasm } from '../../../benchmarks/backend/wasm.js';
import { randomValues } from '../../support/random-values.js';
import { expectSame } from '../../support/same-values.js';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';

interface Result {
  y: Float32Array;
  dx: Float32Array;
  dw: Float32Array;
  kernels: string[];
}

/**
 * y = depthwiseConv2d(x, w) of x [b, 1, 1, c] with a k×k filter, stride `strides`, 'same' padding, and the gradients of
 * sum(y·r) (r fixed random, some weights zero and negative so that products of both signed zeros occur); or, with
 * `padded`, the same convolution written as one over x padded by hand ('valid' on a (k)×(k) image), which no 1×1
 * shortcut applies to: the stock path.
 */
async function run(b: number, c: number, k: number, strides: number, padded: boolean): Promise<Result> {
  let out: Omit<Result, 'kernels'> | undefined;
  const info = await tf.profile(() => {
    out = tf.tidy(() => {
      const xs = randomValues(b * c, 1);
      xs[0] = 0;
      xs[1] = -0;
      const x = tf.tensor4d(xs, [b, 1, 1, c]);
      const ws = randomValues(k * k * c, 2);
      const centre = ((k - 1) / 2) * (k + 1) * c;
      ws[centre + 2] = 0;
      ws[centre + 3] = -0;
      const w = tf.tensor4d(ws, [k, k, c, 1]);
      const r = tf.tensor4d(randomValues(b * c, 3), [b, 1, 1, c]);
      const half = (k - 1) / 2;
      const conv = (a: tf.Tensor, f: tf.Tensor): tf.Tensor =>
        padded
          ? tf.depthwiseConv2d(
              tf.pad(a as tf.Tensor4D, [
                [0, 0],
                [half, half],
                [half, half],
                [0, 0],
              ]),
              f as tf.Tensor4D,
              1,
              'valid',
            )
          : tf.depthwiseConv2d(a as tf.Tensor4D, f as tf.Tensor4D, strides, 'same');
      const y = conv(x, w);
      const [dx, dw] = tf.grads((a: tf.Tensor, f: tf.Tensor) => tf.sum(tf.mul(conv(a, f), r)))([x, w]);
      return {
        y: y.dataSync() as Float32Array,
        dx: dx!.dataSync() as Float32Array,
        dw: dw!.dataSync() as Float32Array,
      };
    });
  });
  return { ...out!, kernels: info.kernelNames };
}

describe('depthwise convolution of a 1×1 image on the wasm backend', () => {
  beforeAll(async () => {
    await activateWasm();
  });

  for (const [b, c, k, strides] of [
    [32, 336, 3, 1],
    [5, 7, 3, 1],
    [3, 12, 5, 1],
    [4, 8, 3, 2],
  ] as const) {
    it(`is the stock XNNPACK convolution's values bit for bit, and the cpu backend's (x ${b}×1×1×${c}, ${k}×${k}, stride ${strides})`, async () => {
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const actual = await run(b, c, k, strides, false);
      // the shortcut ran: no XNNPACK convolution in the forward pass, no Pad or Reverse in the input gradient
      expect(actual.kernels).toContain('DepthwiseConv2dNative');
      expect(actual.kernels).not.toContain('PadV2');
      const stock = await run(b, c, k, strides, true);
      expect(stock.kernels).toContain('PadV2');
      expectSame(actual.y, stock.y, 'y');
      expectSame(actual.dx, stock.dx, 'dx');
      expectSame(actual.dw, stock.dw, 'dw');
      expect(tf.memory().numTensors).toBe(before);
      await selectBackend('cpu');
      const cpu = await run(b, c, k, strides, false);
      await tf.setBackend('wasm');
      expectSame(actual.y, cpu.y, 'y');
      expectSame(actual.dx, cpu.dx, 'dx');
      // the cpu backend sums the filter gradient in float64, the wasm kernel (unchanged here) in float32
      const worst = Math.max(...Array.from(cpu.dw, (v, i) => Math.abs(actual.dw[i]! - v)));
      expect(worst).toBeLessThan(1e-5);
      // not all zero: the filter gradient's centre tap is the only one set
      const centre = ((k - 1) / 2) * (k + 1) * c;
      expect(actual.dw.subarray(centre, centre + c).some((v) => v !== 0)).toBe(true);
      expect(actual.dw.subarray(0, centre).every((v) => v === 0)).toBe(true);
    });
  }
});
