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
