import * as tf from '@tensorflow/tfjs-core';
import { floatRows, gather, pixelsPerImage, type LabelledImages } from '../datasets/labelled-images.js';
import type { FeatureScaling } from '../datasets/standardise.js';
import { adaptImages, isIdentity, type InputAdapter } from './input-adapter.js';
import type { Split } from './metrics.js';

/**
 * A split whose inputs stay in memory as stored (bytes for images) and become a float tensor one batch at a time,
 * so a large pool never needs a float copy of itself; targets are one-hot, resident. The caller disposes it. With
 * `adapter`, each batch of images is fitted to a model's input (resized, channels repeated, pixels scaled: see
 * input-adapter.ts).
 */
export function toSplit(
  data: LabelledImages,
  indices?: Int32Array,
  scaling?: FeatureScaling,
  adapter?: InputAdapter,
): Split {
  const part = indices ? gather(data, indices) : data;
  const adapt = adapter !== undefined && !isIdentity([part.height, part.width, part.channels], adapter);
  const size = pixelsPerImage(part);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(part.labels, 'int32'), part.classNames.length) as tf.Tensor2D);
  return {
    y,
    count: part.count,
    inputs(positions) {
      const values = floatRows(part, positions, new Float32Array(positions.length * size));
      if (scaling) {
        for (let i = 0; i < values.length; i++) {
          const f = i % size;
          values[i] = ((values[i] as number) - (scaling.mean[f] as number)) / (scaling.std[f] as number);
        }
      }
      const batch = tf.tensor4d(values, [positions.length, part.height, part.width, part.channels]);
      if (!adapt) return batch;
      const adapted = adaptImages(batch, adapter);
      batch.dispose();
      return adapted;
    },
  };
}

/** A split over inputs already in a tensor (tests, small synthetic data); batches are gathered from it. */
export function tensorSplit(x: tf.Tensor, y: tf.Tensor2D): Split {
  return {
    y,
    count: x.shape[0] as number,
    inputs: (positions) => tf.gather(x, tf.tensor1d(Int32Array.from(positions), 'int32')),
    dispose: () => x.dispose(),
  };
}

export function disposeSplit(split: Split): void {
  split.dispose?.();
  split.y.dispose();
}
