import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateWasm } from '../../../benchmarks/backend/wasm.js';
import { randomValues } from '../../support/random-values.js';

// the gradient registered before activateWasm replaces it
const stock = tf.getGradient(tf.Mean)!;

/** Output weights with a negative zero, a zero, infinities and a NaN, so the gradient carries them. */
function weights(n: number): Float32Array {
  const r = randomValues(n, 9);
  r[0] = -0;
  r[1] = 0;
  r[2] = Infinity;
  r[3] = -Infinity;
  if (n > 4) r[4] = NaN;
  return r;
}

interface Run {
  dx: Float32Array;
  reference: Float32Array;
  kernels: string[];
}

/** d/dx of sum(mean(x, axis) · r) through the tape, and the stock gradient's value for the same dy. */
async function run(shape: number[], axis: number[], keepDims: boolean): Promise<Run> {
  let dx: Float32Array | undefined;
  const x = tf.tensor(randomValues(tf.util.sizeFromShape(shape), 8), shape);
  const m = tf.mean(x, axis, keepDims);
  const outShape = m.shape;
  m.dispose();
  const r = tf.tensor(weights(tf.util.sizeFromShape(outShape)), outShape);
  const info = await tf.profile(() => {
    dx = tf.tidy(
      () =>
        tf
          .grad((a: tf.Tensor) => tf.sum(tf.mul(tf.mean(a, axis, keepDims), r)))(x)
          .dataSync() as Float32Array,
    );
  });
  const reference = tf.tidy(() => {
    // the gradient of sum(m · r) with respect to m is r: the stock Mean gradient of that dy
    const attrs = { axis, keepDims } as unknown as tf.NamedAttrMap;
    return (stock.gradFunc(r, [x], attrs)['x']!() as tf.Tensor).dataSync() as Float32Array;
  });
  tf.dispose([x, r]);
  return { dx: dx!, reference, kernels: info.kernelNames };
}

/** Equal element by element, −0 told from 0 and NaN equal to NaN (Object.is); the first few differences shown. */
function expectSame(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  const differences: string[] = [];
  for (let i = 0; i < expected.length && differences.length < 5; i++) {
    if (!Object.is(actual[i], expected[i])) differences.push(`dx[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
  expect(differences).toEqual([]);
}

describe('the gradient of a mean over axes of size 1 as a reshape', () => {
  beforeAll(async () => {
    await activateWasm();
  });

  for (const backend of ['cpu', 'wasm']) {
    for (const [shape, axis, keepDims] of [
      [[6, 1, 1, 7], [1, 2], false],
      [[6, 1, 1, 7], [1, 2], true],
      [[5, 1], [1], false],
    ] as const) {
      it(`equals the stock gradient bit for bit without its multiply and divide (${backend}, [${shape.join(',')}] over [${axis.join(',')}]${keepDims ? ', keepDims' : ''})`, async () => {
        await tf.setBackend(backend);
        const before = tf.memory().numTensors;
        const { dx, reference, kernels } = await run([...shape], [...axis], keepDims);
        expect(tf.memory().numTensors).toBe(before);
        expectSame(dx, reference);
        expect(dx.some((v) => Number.isNaN(v))).toBe(true);
        expect(dx.some((v) => Object.is(v, -0))).toBe(true);
        // the stock gradient divides by the number of values averaged (below); nothing else here divides
        expect(kernels).not.toContain('RealDiv');
      });
    }

    it(`keeps the stock gradient for a mean of several values (${backend})`, async () => {
      await tf.setBackend(backend);
      const { dx, reference, kernels } = await run([3, 2, 2, 4], [1, 2], false);
      expectSame(dx, reference);
      expect(kernels).toContain('RealDiv');
    });
  }
});
