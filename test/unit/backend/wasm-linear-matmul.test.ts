import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateWasm } from '../../../benchmarks/backend/wasm.js';
import { randomValues } from '../../support/random-values.js';
import { expectSame } from '../../support/same-values.js';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';

interface Result {
  y: Float32Array;
  grads: Float32Array[];
  kernels: string[];
}

/** A Dense layer (softmax, as every classifier head here, or relu, which tfjs fuses) on x, and the gradients of sum(y·r). */
async function runDense(activation: 'softmax' | 'relu', bias: boolean): Promise<Result> {
  let out: Omit<Result, 'kernels'> | undefined;
  const info = await tf.profile(() => {
    out = tf.tidy(() => {
      const layer = tfl.layers.dense({
        units: 5,
        activation,
        useBias: bias,
        kernelInitializer: tfl.initializers.randomNormal({ seed: 3 }),
        biasInitializer: tfl.initializers.randomNormal({ seed: 4 }),
      });
      const x = tf.tensor2d(randomValues(7 * 37, 1), [7, 37]);
      const y = layer.apply(x) as tf.Tensor;
      const r = tf.tensor(randomValues(y.size, 2), y.shape);
      const weights = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, r)) as tf.Scalar, weights);
      const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(layer.apply(a) as tf.Tensor, r)))(x);
      const result = {
        y: y.dataSync() as Float32Array,
        grads: [dx, ...weights.map((w) => grads[w.name]!)].map((g) => g.dataSync() as Float32Array),
      };
      layer.dispose();
      return result;
    });
  });
  return { ...out!, kernels: info.kernelNames };
}

/** `f()` and how many engine calls (kernels, custom gradients, clones for the tape) it made. */
function countingEngineCalls<T>(f: () => T): { result: T; calls: number } {
  const engine = tf.engine() as unknown as { runKernelFunc: (...args: unknown[]) => unknown };
  const runKernelFunc = engine.runKernelFunc;
  let calls = 0;
  engine.runKernelFunc = (...args: unknown[]) => {
    calls++;
    return runKernelFunc.apply(engine, args);
  };
  try {
    return { result: f(), calls };
  } finally {
    engine.runKernelFunc = runKernelFunc;
  }
}

describe('matrix products without bias as the plain matMul op on the wasm backend', () => {
  beforeAll(async () => {
    await activateWasm();
  });

  for (const activation of ['softmax', 'relu'] as const) {
    it(`${activation === 'softmax' ? 'runs BatchMatMul, not _FusedMatMul, under a Dense layer with softmax' : 'keeps the fused op for a fusable activation'}, with the cpu backend's values`, async () => {
      await selectBackend('cpu');
      const expected = await runDense(activation, true);
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const actual = await runDense(activation, true);
      expect(tf.memory().numTensors).toBe(before);
      if (activation === 'relu') expect(actual.kernels).toContain('_FusedMatMul');
      else {
        expect(actual.kernels).toContain('BatchMatMul');
        expect(actual.kernels).not.toContain('_FusedMatMul');
      }
      expect(actual.grads).toHaveLength(3);
      const worst = (a: Float32Array, b: Float32Array): number =>
        Math.max(...Array.from(b, (v, i) => Math.abs(a[i]! - v)));
      expect(actual.y.length).toBe(expected.y.length);
      expect(worst(actual.y, expected.y)).toBeLessThan(1e-5);
      actual.grads.forEach((g, i) => {
        expect(g.length).toBe(expected.grads[i]!.length);
        expect(worst(g, expected.grads[i]!)).toBeLessThan(1e-5);
        expect(g.some((v) => v !== 0)).toBe(true);
      });
    });
  }

  for (const [m, k, n] of [
    [32, 1280, 5],
    [7, 37, 13],
    [1, 3, 1],
  ] as const) {
    it(`gives the stock fused op's values and gradients bit for bit, in fewer engine calls (${m}×${k}·${k}×${n})`, async () => {
      await tf.setBackend('wasm');
      const a = tf.tensor2d(randomValues(m * k, 5), [m, k]);
      const b = tf.tensor2d(randomValues(k * n, 6), [k, n]);
      const r = tf.tensor2d(randomValues(m * n, 7), [m, n]);
      // what tfjs-core's fused op computes without bias or activation: its kernel on 3-D operands, and as gradients
      // the products of its custom gradient (dy·bᵀ, aᵀ·dy on the 3-D operands)
      const stock = tf.tidy(() => {
        const a3 = tf.reshape(a, [1, m, k]);
        const b3 = tf.reshape(b, [1, k, n]);
        const y = tf.engine().runKernel(tf._FusedMatMul, { a: a3, b: b3 }, {
          transposeA: false,
          transposeB: false,
          activation: 'linear',
          leakyreluAlpha: 0.2,
        } as unknown as tf.NamedAttrMap) as tf.Tensor;
        const dy = tf.reshape(r, [1, m, n]);
        return [y, tf.matMul(dy, b3, false, true), tf.matMul(a3, dy, true, false)].map(
          (t) => t.dataSync() as Float32Array,
        );
      });
      const f = (x: tf.Tensor, w: tf.Tensor): tf.Tensor => tf.fused.matMul({ a: x, b: w });
      const run = (): Float32Array[] =>
        tf.tidy(() => {
          const y = f(a, b);
          const [da, db] = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(f(x, w), r)))([a, b]);
          return [y, da!, db!].map((t) => t.dataSync() as Float32Array);
        });
      const before = tf.memory().numTensors;
      const ours = countingEngineCalls(run);
      expect(tf.memory().numTensors).toBe(before);
      expectSame(ours.result[0]!, stock[0]!, 'y');
      expectSame(ours.result[1]!, stock[1]!, 'da');
      expectSame(ours.result[2]!, stock[2]!, 'db');
      // the same function on the cpu backend takes tfjs-core's fused op (the replacement is for wasm only)
      await selectBackend('cpu');
      const onCpu = countingEngineCalls(run);
      await tf.setBackend('wasm');
      // 15 calls against 29 (2026-12-07): the fused op's reshapes, custom gradient, clones and their gradients
      expect(onCpu.calls).toBeGreaterThanOrEqual(ours.calls + 12);
      tf.dispose([a, b, r]);
    });
  }
});
