import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateWasm } from '../../../benchmarks/backend/wasm.js';
import { correctCount, crossEntropy, lossAndCorrect } from '../../../benchmarks/train/metrics.js';
import { randomValues } from '../../support/random-values.js';
import { expectSame } from '../../support/same-values.js';

interface Run {
  loss: Float32Array;
  correct: Float32Array;
  /** Gradient with respect to the logits (through a softmax) and to the probabilities directly. */
  dLogits: Float32Array;
  dProbabilities: Float32Array;
  calls: number;
}

type Loss = (p: tf.Tensor, y: tf.Tensor, scale: number) => { loss: tf.Scalar; correct: tf.Scalar };

/** The training loop's loss as it was: cross-entropy times the batch size and the correct count, op by op. */
const stock: Loss = (p, y, scale) => ({
  loss: tf.mul(crossEntropy(p, y), scale) as tf.Scalar,
  correct: tf.keep(correctCount(p, y)),
});

/** Rows of `classes` probabilities with the edge cases of the clip: exact 0, values below 1e-7, 1e-7 itself, 1, above 1. */
function probabilities(rows: number, classes: number): Float32Array {
  const p = randomValues(rows * classes, 11, 'unit');
  p[0] = 0;
  p[1] = 1e-9;
  p[2] = Math.fround(1e-7);
  p[3] = 1;
  p[4] = 1.5;
  p[classes] = -0.25;
  return p;
}

function labels(rows: number, classes: number, dtype: 'int32' | 'float32'): tf.Tensor2D {
  const indices = Array.from({ length: rows }, (_, i) => (i * 7 + 3) % classes);
  return tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(indices, 'int32'), classes), dtype) as tf.Tensor2D);
}

/** Both losses' values and gradients; `outer` multiplies the loss (so the gradient's dy is not 1). */
function run(f: Loss, rows: number, classes: number, dtype: 'int32' | 'float32', outer: number): Run {
  return tf.tidy(() => {
    const y = labels(rows, classes, dtype);
    const logits = tf.mul(tf.tensor2d(randomValues(rows * classes, 12), [rows, classes]), 4);
    const p = tf.tensor2d(probabilities(rows, classes), [rows, classes]);
    let correct: tf.Scalar | undefined;
    const engine = tf.engine() as unknown as { runKernelFunc: (...args: unknown[]) => unknown };
    const runKernelFunc = engine.runKernelFunc;
    let calls = 0;
    engine.runKernelFunc = (...args: unknown[]) => {
      calls++;
      return runKernelFunc.apply(engine, args);
    };
    let loss: tf.Tensor;
    let dLogits: tf.Tensor;
    try {
      const g = tf.valueAndGrad((z: tf.Tensor) => {
        const out = f(tf.softmax(z), y, rows);
        correct = out.correct;
        return tf.mul(out.loss, outer) as tf.Scalar;
      })(logits);
      loss = g.value;
      dLogits = g.grad;
    } finally {
      engine.runKernelFunc = runKernelFunc;
    }
    const dProbabilities = tf.grad((q: tf.Tensor) => {
      const out = f(q, y, rows);
      out.correct.dispose();
      return tf.mul(out.loss, outer) as tf.Scalar;
    })(p);
    const result = {
      loss: loss.dataSync() as Float32Array,
      correct: correct!.dataSync() as Float32Array,
      dLogits: dLogits.dataSync() as Float32Array,
      dProbabilities: dProbabilities.dataSync() as Float32Array,
      calls,
    };
    correct!.dispose();
    return result;
  });
}

describe('the training loss and correct count as one operation on the tape', () => {
  beforeAll(async () => {
    await activateWasm();
  });

  for (const backend of ['cpu', 'wasm']) {
    for (const [rows, classes, dtype, outer] of [
      [32, 5, 'float32', 1],
      [8, 5, 'int32', 1],
      [13, 10, 'float32', -2.5],
    ] as const) {
      it(`gives the op-by-op loss, count and gradients bit for bit in fewer engine calls (${backend}, ${rows}×${classes} ${dtype}, loss × ${outer})`, async () => {
        await tf.setBackend(backend);
        const before = tf.memory().numTensors;
        const expected = run(stock, rows, classes, dtype, outer);
        const actual = run(lossAndCorrect, rows, classes, dtype, outer);
        expect(tf.memory().numTensors).toBe(before);
        expectSame(actual.loss, expected.loss, 'loss');
        expectSame(actual.correct, expected.correct, 'correct');
        expectSame(actual.dLogits, expected.dLogits, 'd/dlogits');
        expectSame(actual.dProbabilities, expected.dProbabilities, 'd/dprobabilities');
        // the clip's edges reached: a zero gradient where p is outside [1e-7, 1], a non-zero one inside
        expect(actual.dProbabilities.some((v) => v === 0)).toBe(true);
        expect(actual.dProbabilities.some((v) => v !== 0)).toBe(true);
        expect(actual.loss[0]).not.toBe(0);
        expect(actual.calls).toBeLessThanOrEqual(expected.calls - 10);
      });
    }
  }
});
