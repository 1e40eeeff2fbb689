import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SCALAR_KERNELS_MODULE, scalarKernelsOn } from '../../../benchmarks/backend/scalar-kernels.js';
import { loadWatModule } from '../../../benchmarks/backend/wat-loader.js';
import { maxPoolGradInto } from '../../../benchmarks/backend/wasm-maxpool-gradient.js';

/** `WebAssembly.Memory` (the project's TypeScript libraries do not declare WebAssembly). */
const { Memory } = (
  globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number }) => { buffer: ArrayBuffer } } }
).WebAssembly;

/** Deterministic values with ties (few levels), NaN and −∞. */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const k = s >>> 28;
    return k === 0 ? Number.NaN : k === 1 ? Number.NEGATIVE_INFINITY : (k % 5) - 2;
  });
}

/** wat/scalar-kernels.wat's `maxpool2x2_grad` on a memory of its own, against the JavaScript rule it replaces. */
describe('the 2×2 max-pool gradient WebAssembly function', () => {
  beforeAll(async () => {
    await loadWatModule(SCALAR_KERNELS_MODULE);
  });

  for (const shape of [
    [2, 6, 8, 3],
    [3, 7, 9, 5],
    [1, 26, 26, 16],
  ] as [number, number, number, number][]) {
    it(`assembles, and equals the JavaScript rule on ${shape.join('×')} with ties, NaN and −∞`, () => {
      const info = tf.backend_util.computePool2DInfo(shape, 2, 2, 1, 'valid');
      const n = shape.reduce((a, b) => a * b);
      const m = info.outShape.reduce((a, b) => a * b);
      const memory = new Memory({ initial: Math.ceil(((2 * n + m) * 4) / 65536) + 1 });
      const x = new Float32Array(memory.buffer, 0, n);
      const g = new Float32Array(memory.buffer, n * 4, m);
      const dx = new Float32Array(memory.buffer, (n + m) * 4, n);
      x.set(values(n, 1));
      g.set(values(m, 2).map((v, i) => (Number.isFinite(v) ? v + i / 8 : 1)));
      dx.fill(7); // every value a window covers is written; the rest (odd last row or column) stays
      const grad = scalarKernelsOn(memory)!.maxpool2x2_grad;
      grad(0, n * 4, (n + m) * 4, shape[0], info.outHeight, info.outWidth, shape[1], shape[2], shape[3]);
      const expected = new Float32Array(n);
      maxPoolGradInto(expected, x, g, info);
      const covered = (i: number): boolean => {
        const w = Math.floor(i / shape[3]) % shape[2];
        const h = Math.floor(i / (shape[3] * shape[2])) % shape[1];
        return w < 2 * info.outWidth && h < 2 * info.outHeight;
      };
      for (let i = 0; i < n; i++) expect(dx[i]).toBe(covered(i) ? expected[i] : 7);
    });
  }
});
