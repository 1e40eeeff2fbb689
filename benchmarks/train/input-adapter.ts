/**
 * Fitting images to what a model takes: resized to its input size, grayscale repeated to three channels for an RGB
 * model, pixel values scaled as the suite says. What cannot be fitted (another number of channels, a model whose
 * input is not an image) is refused before anything runs, in one line.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../errors.js';
import type { PixelScaling } from '../spec/suite-schema.js';

export type ImageShape = [height: number, width: number, channels: number];

/** How images of one shape become a model's input. */
export interface InputAdapter {
  /** The model's input: [height, width, channels]. */
  shape: ImageShape;
  scaling: PixelScaling;
}

/**
 * The model input shape `[h, w, c]` from a model's input (batch dimension first), or a UserError saying why the model
 * cannot take images.
 */
export function imageInputShape(modelInput: readonly (number | null)[], model: string): ImageShape {
  const [, h, w, c] = modelInput;
  if (modelInput.length !== 4 || !h || !w || !c) {
    throw new UserError(
      `${model} takes inputs of shape [${modelInput.map((d) => d ?? '?').join(', ')}], not images of a fixed size ` +
        '[height, width, channels]: it cannot be trained on images',
    );
  }
  return [h, w, c];
}

/**
 * Checks that images of `data` can become inputs of `shape`, or throws a UserError naming the problem. Any size
 * can be resized; channels must match, or be 1 for a 3-channel model (repeated); scaling with mean and std must give
 * one value, or one per channel of the model.
 */
export function checkAdaptable(data: ImageShape, adapter: InputAdapter, model: string): void {
  const [, , dataChannels] = data;
  const [, , channels] = adapter.shape;
  if (dataChannels !== channels && !(dataChannels === 1 && channels === 3)) {
    throw new UserError(
      `${model} takes ${channels}-channel images but the data has ${dataChannels} channels: only 1-channel ` +
        'images can be adapted (repeated to 3); use data with the channels the model was trained on',
    );
  }
  const scaling = adapter.scaling;
  if (typeof scaling !== 'string') {
    for (const [key, values] of Object.entries(scaling)) {
      if (values.length !== 1 && values.length !== channels) {
        throw new UserError(
          `pixelScaling.${key} has ${values.length} values; give 1, or ${channels} (one per channel of the model's input)`,
        );
      }
    }
  }
}

/** True when `adaptImages` would return its input unchanged. */
export function isIdentity(data: ImageShape, adapter: InputAdapter): boolean {
  return data.join('×') === adapter.shape.join('×') && adapter.scaling === '[0,1]';
}

/** `x` (NHWC, values in [0, 1]) resized, channel-repeated and scaled to what `adapter` says; a new tensor. */
export function adaptImages(x: tf.Tensor4D, adapter: InputAdapter): tf.Tensor4D {
  return tf.tidy(() => {
    const [h, w, c] = adapter.shape;
    let y = x;
    if (y.shape[1] !== h || y.shape[2] !== w) y = tf.image.resizeBilinear(y, [h, w], false, true);
    if (y.shape[3] === 1 && c === 3) y = tf.tile(y, [1, 1, 1, 3]);
    const scaling = adapter.scaling;
    if (scaling === '[-1,1]') y = tf.sub(tf.mul(y, 2), 1);
    else if (typeof scaling !== 'string') {
      const per = (values: number[]): tf.Tensor => tf.tensor1d(values.length === 1 ? Array(c).fill(values[0]) : values);
      y = tf.div(tf.sub(y, per(scaling.mean)), per(scaling.std));
    }
    return y === x ? tf.clone(x) : y;
  });
}
