import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../benchmarks/errors.js';
import { adaptImages, checkAdaptable, imageInputShape, isIdentity } from '../../../benchmarks/train/input-adapter.js';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';

describe('fitting images to a model input', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('repeats grayscale to three channels and scales to [-1, 1]', () => {
    const out = tf.tidy(() =>
      Array.from(
        adaptImages(tf.tensor4d([0, 0.5, 1, 0.25], [1, 2, 2, 1]), { shape: [2, 2, 3], scaling: '[-1,1]' }).dataSync(),
      ),
    );
    expect(out).toEqual([-1, -1, -1, 0, 0, 0, 1, 1, 1, -0.5, -0.5, -0.5]);
  });

  it('resizes to the input size and scales per channel with mean and std', () => {
    const out = tf.tidy(() => {
      const x = tf.fill([2, 3, 3, 3], 0.5) as tf.Tensor4D;
      return adaptImages(x, { shape: [5, 5, 3], scaling: { mean: [0.5, 0.25, 0], std: [1, 0.5, 0.25] } });
    });
    expect(out.shape).toEqual([2, 5, 5, 3]);
    // a constant image stays constant through bilinear resizing: (0.5 − mean) / std per channel
    expect(Array.from(out.dataSync().slice(0, 3))).toEqual([0, 0.5, 2]);
    out.dispose();
  });

  it('knows when nothing changes', () => {
    expect(isIdentity([28, 28, 1], { shape: [28, 28, 1], scaling: '[0,1]' })).toBe(true);
    expect(isIdentity([28, 28, 1], { shape: [28, 28, 1], scaling: '[-1,1]' })).toBe(false);
    expect(isIdentity([28, 28, 1], { shape: [32, 32, 1], scaling: '[0,1]' })).toBe(false);
  });

  it('refuses in one line what cannot be fitted', () => {
    const refuse = (f: () => unknown, pattern: RegExp): void => {
      expect(f).toThrow(UserError);
      expect(f).toThrow(pattern);
    };
    refuse(() => checkAdaptable([28, 28, 3], { shape: [28, 28, 1], scaling: '[0,1]' }, 'the model'), /3 channels/);
    refuse(
      () => checkAdaptable([28, 28, 1], { shape: [32, 32, 3], scaling: { mean: [0, 0], std: [1, 1] } }, 'the model'),
      /pixelScaling.mean has 2 values; give 1, or 3/,
    );
    refuse(() => imageInputShape([null, 784], 'model m'), /model m takes inputs of shape \[\?, 784\], not images/);
    expect(imageInputShape([null, 96, 96, 3], 'm')).toEqual([96, 96, 3]);
  });
});
