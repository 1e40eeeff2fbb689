import * as tf from '@tensorflow/tfjs-core';
import { gather, type LabelledImages } from '../datasets/labelled-images.js';
import type { Split } from './metrics.js';

/** Uploads examples as an NHWC input tensor and one-hot targets; the caller disposes both. */
export function toSplit(data: LabelledImages, indices?: Int32Array): Split {
  const part = indices ? gather(data, indices) : data;
  return tf.tidy(() => ({
    x: tf.tensor4d(part.images, [part.count, part.height, part.width, part.channels]),
    y: tf.oneHot(tf.tensor1d(part.labels, 'int32'), part.classNames.length) as tf.Tensor2D,
    count: part.count,
  }));
}

export function disposeSplit(split: Split): void {
  split.x.dispose();
  split.y.dispose();
}
