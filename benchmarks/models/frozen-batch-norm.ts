/**
 * Batch normalisation that follows Keras for frozen layers.
 *
 * In Keras (TensorFlow 2), a `BatchNormalization` layer with `trainable = false` runs in inference mode whatever
 * `training` its caller passes: it normalises with its moving mean and variance and never updates them. That is what
 * freezing a backbone means for a linear probe or partial fine-tuning. tfjs-layers 4.22's `BatchNormalization.call`
 * only looks at `training`: a frozen layer called with `training: true` (as every training step calls the model)
 * normalises with the batch's statistics and moves its moving averages, so a "frozen" backbone changes.
 *
 * `useKerasFrozenBatchNorm()` wraps the class's `call` once so that a layer whose `trainable` is false is called with
 * `training: false`. Layers that train are untouched: they normalise with batch statistics in training and update
 * their moving averages, exactly as before.
 */
import * as tf from '@tensorflow/tfjs-layers';
import type { Tensor } from '@tensorflow/tfjs-core';

type Kwargs = Record<string, unknown>;
interface CallableLayer {
  trainable: boolean;
  call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[];
}

let installed = false;

/** Makes every tfjs-layers BatchNormalization layer with `trainable = false` run in inference mode. Idempotent. */
export function useKerasFrozenBatchNorm(): void {
  if (installed) return;
  installed = true;
  const prototype = Object.getPrototypeOf(tf.layers.batchNormalization({})) as CallableLayer;
  const stockCall = prototype.call;
  prototype.call = function call(this: CallableLayer, inputs, kwargs) {
    return stockCall.call(this, inputs, this.trainable ? kwargs : { ...kwargs, training: false });
  };
}
