import * as tf from '@tensorflow/tfjs-layers';
import type { Architecture } from '../spec/suite-schema.js';
import { UserError } from '../errors.js';

/** Name of the layer whose output feeds the classification head (the backbone's feature vector). */
export const FEATURES_LAYER = 'features';
/** Name of the classification head (dense, softmax). */
export const HEAD_LAYER = 'head';

/**
 * The weighted layers of each built-in architecture, bottom to top. Each is one block for partial fine-tuning
 * (`partial` with k trainable blocks trains the top k of these, plus the head).
 */
export const ARCHITECTURE_BLOCKS: Readonly<Record<Architecture, readonly string[]>> = {
  cnn: ['conv1', 'conv2', FEATURES_LAYER],
  mlp: ['dense1', FEATURES_LAYER],
};

/** Smallest image side the CNN accepts: two 3×3 'valid' convolutions, each followed by a 2×2 pool, leave ≥1 pixel. */
export const CNN_MIN_SIDE = 10;

/**
 * A seed for each layer's initializer, derived from the trial seed and the layer's name so that layers differ from one
 * another, the same layer gets the same initial weights in every model built from one seed, and adding a layer does
 * not shift the others.
 */
export function layerSeed(seed: number, layerName: string): number {
  let h = (Math.imul(seed >>> 0, 2654435761) ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < layerName.length; i++) h = Math.imul(h ^ layerName.charCodeAt(i), 16777619) >>> 0;
  return h;
}

type Initializer = ReturnType<typeof tf.initializers.glorotUniform>;

/** Glorot-uniform kernel, zero bias: Keras' defaults, but seeded (from the layer's role, not its final name). */
function seeded(seed: number, role: string, name = role): { name: string; kernelInitializer: Initializer } {
  return { name, kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed(seed, role) }) };
}

/**
 * A new classification head (dense + softmax), seeded. Named `head` unless a layer below already has that name.
 */
export function buildHead(numClasses: number, seed: number, name = HEAD_LAYER): ReturnType<typeof tf.layers.dense> {
  return tf.layers.dense({ units: numClasses, activation: 'softmax', ...seeded(seed, HEAD_LAYER, name) });
}

/**
 * Builds one of the built-in architectures, uncompiled, with stable layer names:
 *
 * - `cnn`: conv1 (16 3×3, relu) → pool1 (2×2) → conv2 (32 3×3, relu) → pool2 (2×2) → flatten → features (dense 64,
 *   relu) → head (dense numClasses, softmax). Convolutions use 'valid' padding, so images need sides ≥ 10.
 * - `mlp`: flatten → dense1 (256, relu) → features (128, relu) → head (dense numClasses, softmax).
 *
 * All initializers are seeded from `seed`, so two calls with the same arguments give identical weights.
 */
export function buildModel(
  arch: Architecture,
  inputShape: [number, number, number],
  numClasses: number,
  seed: number,
): tf.LayersModel {
  const [h, w, c] = inputShape;
  if (![h, w, c].every((v) => Number.isInteger(v) && v > 0)) {
    throw new UserError(
      `input shape [${inputShape.join(', ')}] must be three positive integers [height, width, channels]`,
    );
  }
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new UserError(`a classifier needs at least 2 classes, got ${numClasses}`);
  }
  const input = tf.input({ shape: inputShape, name: 'input' });
  let x: tf.SymbolicTensor;
  if (arch === 'cnn') {
    if (h < CNN_MIN_SIDE || w < CNN_MIN_SIDE) {
      throw new UserError(
        `the cnn architecture needs images of at least ${CNN_MIN_SIDE}×${CNN_MIN_SIDE}, got ${h}×${w}`,
      );
    }
    x = tf.layers
      .conv2d({ filters: 16, kernelSize: 3, activation: 'relu', ...seeded(seed, 'conv1') })
      .apply(input) as tf.SymbolicTensor;
    x = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers
      .conv2d({ filters: 32, kernelSize: 3, activation: 'relu', ...seeded(seed, 'conv2') })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers
      .dense({ units: 64, activation: 'relu', ...seeded(seed, FEATURES_LAYER) })
      .apply(x) as tf.SymbolicTensor;
  } else {
    x = tf.layers.flatten({ name: 'flatten' }).apply(input) as tf.SymbolicTensor;
    x = tf.layers.dense({ units: 256, activation: 'relu', ...seeded(seed, 'dense1') }).apply(x) as tf.SymbolicTensor;
    x = tf.layers
      .dense({ units: 128, activation: 'relu', ...seeded(seed, FEATURES_LAYER) })
      .apply(x) as tf.SymbolicTensor;
  }
  const output = buildHead(numClasses, seed).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: arch });
}
