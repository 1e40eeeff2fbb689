import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { inferenceBatch } from '../backend/wasm-memory.js';

/** Examples of one split: inputs made a batch at a time, one-hot targets resident for the length of a trial. */
export interface Split {
  /** Float inputs of the examples at these positions of the split, as a new tensor (call inside tf.tidy). */
  inputs(positions: ArrayLike<number>): tf.Tensor;
  y: tf.Tensor2D;
  count: number;
  /** Frees what the split holds besides `y`, if anything. */
  dispose?(): void;
}

function range(start: number, size: number): Int32Array {
  return Int32Array.from({ length: size }, (_, i) => start + i);
}

const EPSILON = 1e-7;

/** Mean categorical cross-entropy of softmax outputs, with probabilities clipped as Keras does. */
export function crossEntropy(probabilities: tf.Tensor, oneHot: tf.Tensor): tf.Scalar {
  return tf.tidy(
    () => tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.log(tf.clipByValue(probabilities, EPSILON, 1))), -1))) as tf.Scalar,
  );
}

export function correctCount(probabilities: tf.Tensor, oneHot: tf.Tensor): tf.Scalar {
  return tf.tidy(
    () => tf.sum(tf.cast(tf.equal(tf.argMax(probabilities, -1), tf.argMax(oneHot, -1)), 'float32')) as tf.Scalar,
  );
}

/**
 * A training step's loss, `crossEntropy(probabilities, oneHot) × scale`, and its correct count, as one operation for
 * the gradient tape, with the same values and gradient bit for bit as those operations taped one by one.
 *
 * Taped one by one, the loss and the count are 14 kernels (and 11 copies of their inputs kept for the tape), and the
 * loss's gradient another 14: a step of the partial top of mobilenet-split makes about 225 engine calls, so these are a
 * sixth of them, for a 32×5 batch. Here the forward kernels run untaped, the count is not on the tape at all (nothing
 * differentiates it), and the gradient with respect to the probabilities is the chain of the stock gradients with
 * their multiplications by ones and reshapes left out (each exact): with r = −(dy·scale)/n, n the number of rows
 * averaged, it is r·oneHot / clip(p) where p is within the clip range and 0 elsewhere (the registered `ClipByValue`
 * gradient, one kernel on wasm). Six kernels; test/unit/train/training-loss.test.ts compares both ways.
 */
export function lossAndCorrect(
  probabilities: tf.Tensor,
  oneHot: tf.Tensor,
  scale: number,
): { loss: tf.Scalar; correct: tf.Scalar } {
  let correct: tf.Scalar | undefined;
  const clipGradient = tf.getGradient(tf.ClipByValue);
  if (clipGradient === undefined) throw new Error('tfjs-core has no ClipByValue gradient');
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [p, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const clipped = tf.clipByValue(p, EPSILON, 1);
    const value = tf.mul(tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.log(clipped)), -1))), scale) as tf.Scalar;
    correct = tf.keep(correctCount(p, oneHot));
    save([p, clipped, oneHot]);
    const rows = p.size / p.shape[p.rank - 1]!;
    return {
      value,
      gradFunc: (dy: tf.Scalar, saved: tf.Tensor[]) => {
        const [x, c, y] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const r = tf.div(tf.neg(tf.mul(dy, scale)), rows);
        const dLog = tf.div(tf.mul(r, y), c);
        const attrs = { clipValueMin: EPSILON, clipValueMax: 1 } as unknown as tf.NamedAttrMap;
        return clipGradient.gradFunc(dLog, [x], attrs)['x']!() as tf.Tensor;
      },
    };
  });
  const loss = op(probabilities) as tf.Scalar;
  return { loss, correct: correct! };
}

/**
 * Loss and accuracy of `model` on a split, in batches so large splits do not need one huge activation tensor.
 * Reads results back asynchronously: a synchronous read stalls the GPU backends (webgpu warns about it).
 */
export async function evaluate(
  model: LayersModel,
  split: Split,
  batchSize = 500,
): Promise<{ loss: number; accuracy: number }> {
  let lossSum = 0;
  let correct = 0;
  batchSize = inferenceBatch(model, batchSize);
  for (let start = 0; start < split.count; start += batchSize) {
    const size = Math.min(batchSize, split.count - start);
    const [loss, hits, nans] = tf.tidy(() => {
      const xb = split.inputs(range(start, size));
      const yb = tf.slice(split.y, start, size);
      const predictions = model.predict(xb) as tf.Tensor;
      return [crossEntropy(predictions, yb), correctCount(predictions, yb), tf.any(tf.isNaN(predictions))];
    });
    try {
      // Clipping inside the loss would turn NaN outputs into a finite loss: report them as NaN, i.e. diverged.
      const broken = (await nans.data())[0] === 1;
      lossSum += (broken ? Number.NaN : (await loss.data())[0]!) * size;
      correct += (await hits.data())[0]!;
    } finally {
      loss.dispose();
      hits.dispose();
      nans.dispose();
    }
  }
  return { loss: lossSum / split.count, accuracy: correct / split.count };
}
