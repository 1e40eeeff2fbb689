/**
 * The gradient of a mean over axes of size 1 as a reshape.
 *
 * The stock gradient of `Mean` (tfjs 4.22) is `reshape(dy) · ones(x.shape) / n`, n the number of values averaged: a
 * tensor of ones made in JavaScript and copied into the backend, then two passes over x's size. A global average
 * pooling of a 1×1 image (MobileNetV2's head at 32×32, so every step of mobilenet-split's trials: a 32×1280 tensor of
 * ones per step) averages one value, n = 1, and then each value of that gradient is (dy · 1) / 1 = dy exactly (signed
 * zeros, infinities and NaN included): the reshape alone gives the same values bit for bit
 * (test/unit/backend/mean-gradient.test.ts). Other means keep the stock gradient.
 *
 * Registered for every backend, as tfjs registers the stock one.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig } from '@tensorflow/tfjs-core';

let registered = false;

/** Registers the `Mean` gradient above, falling back to the stock one. Idempotent. */
export function registerMeanGradient(): void {
  if (registered) return;
  registered = true;
  const stock = tf.getGradient(tf.Mean);
  if (stock === undefined) throw new Error('tfjs-core has no Mean gradient to extend');
  const config: GradConfig = {
    kernelName: tf.Mean,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      if (x === undefined || Array.isArray(dy)) return stock.gradFunc(dy, saved, attrs);
      const axes = tf.util.parseAxisParam((attrs as unknown as tf.MeanAttrs).axis, x.shape);
      if (axes.some((axis) => x.shape[axis] !== 1)) return stock.gradFunc(dy, saved, attrs);
      return { x: () => tf.reshape(dy, x.shape) };
    },
  };
  tf.registerGradient(config);
}
