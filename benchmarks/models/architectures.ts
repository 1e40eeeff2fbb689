import * as tf from '@tensorflow/tfjs-layers';
import type { Architecture, ArchitectureSpec } from '../spec/suite-schema.js';
import { UserError } from '../errors.js';
import { layerSeed } from './layer-seed.js';
import { FEATURES_LAYER, isTextArchitecture } from '../spec/describe-architecture.js';
import { buildTextBackbone } from './text-models.js';
import { buildMobilenetV2Backbone } from './mobilenet-v2.js';

export { layerSeed } from './layer-seed.js';

export { FEATURES_LAYER, featuresLayer } from '../spec/describe-architecture.js';
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

/**
 * The input shape a built-in architecture takes for images of `dataShape`: the images' own for cnn and mlp; for
 * mobilenet-v2 its square `inputSize` with 3 channels (images are resized and grayscale repeated to it).
 */
export function architectureInputShape(
  arch: ArchitectureSpec,
  dataShape: readonly [number, number, number],
): [number, number, number] {
  if (typeof arch === 'string' || isTextArchitecture(arch)) return [dataShape[0], dataShape[1], dataShape[2]];
  return [arch.inputSize, arch.inputSize, 3];
}

/** Smallest image side the CNN accepts: two 3×3 'valid' convolutions, each followed by a 2×2 pool, leave ≥1 pixel. */
export const CNN_MIN_SIDE = 10;

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
 * - `mobilenet-v2`: see mobilenet-v2.ts, ending at `global_average_pooling2d` → head; `inputShape` must be
 *   `architectureInputShape(arch, …)`.
 *
 * All initializers are seeded from `seed`, so two calls with the same arguments give identical weights.
 */
export function buildModel(
  arch: ArchitectureSpec,
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
  if (isTextArchitecture(arch)) {
    const { input, features } = buildTextBackbone(arch, inputShape, seed);
    const output = buildHead(numClasses, seed).apply(features) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: output, name: arch.name });
  }
  if (typeof arch !== 'string') {
    const expected = architectureInputShape(arch, inputShape);
    if (expected.join('×') !== inputShape.join('×')) {
      throw new Error(
        `mobilenet-v2 with inputSize ${arch.inputSize} takes ${expected.join('×')} inputs, got ${inputShape.join('×')}`,
      );
    }
    const { input, features } = buildMobilenetV2Backbone({ alpha: arch.alpha, inputSize: arch.inputSize, seed });
    const output = buildHead(numClasses, seed).apply(features) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: output, name: 'mobilenetv2' });
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
