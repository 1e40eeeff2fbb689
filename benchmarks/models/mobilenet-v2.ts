/**
 * MobileNetV2 (Sandler et al., 2018, "MobileNetV2: Inverted Residuals and Linear Bottlenecks") in tfjs-layers, with
 * the layer names of Keras' `keras.applications.MobileNetV2`, so that a model built here and a Keras-converted one
 * look alike and a suite can cut or train from the same names (`Conv1`, `block_13_expand`, `out_relu`, …).
 *
 * Conv1 (3×3/2) → expanded_conv (depthwise, project) → block_1 … block_16 (1×1 expand, 3×3 depthwise, 1×1 project;
 * each convolution followed by batch normalisation and, but for the project, ReLU6; a residual add where the block
 * keeps its shape) → Conv_1 (1×1) → out_relu → global_average_pooling2d. Stride-2 depthwise convolutions are
 * preceded by a `block_N_pad` zero padding and run 'valid', as in Keras. Channels are scaled by `alpha` and rounded
 * to multiples of 8 (Keras' `_make_divisible`); the last convolution keeps 1280 channels for alpha ≤ 1.
 *
 * Convolutions have no bias (batch normalisation follows each). Initializers are Keras' defaults (Glorot-uniform
 * kernels, unit gamma and moving variance, zero beta and moving mean), seeded from (seed, layer name). Batch
 * normalisation uses epsilon 1e-3 as Keras does, and momentum 0.9 where Keras' MobileNetV2 uses 0.999: a benchmark
 * trial makes a few hundred updates, after which moving statistics with momentum 0.99 (our first choice) still hold
 * a quarter of their initial values (variance 1 where the true one is near 0.001 after a depthwise layer), and
 * inference then shrinks the signal at every normalisation until the output no longer depends on the input (we saw
 * exactly that: a source model at 66 % training accuracy was at chance on its test set). With 0.9 the moving
 * statistics follow the last ten or so batches.
 */
import * as tf from '@tensorflow/tfjs-layers';
import { MOBILENET_FEATURES_LAYER } from '../spec/describe-architecture.js';
import { layerSeed } from './layer-seed.js';

/** Keras' `_make_divisible`: `v` rounded to the nearest multiple of `divisor`, at least `divisor`, never below 90 %. */
export function makeDivisible(v: number, divisor = 8): number {
  let rounded = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * v) rounded += divisor;
  return rounded;
}

/** The inverted residual blocks after `expanded_conv`: output filters (before alpha), stride, expansion. */
const BLOCKS: readonly [filters: number, stride: number, expansion: number][] = [
  [24, 2, 6],
  [24, 1, 6],
  [32, 2, 6],
  [32, 1, 6],
  [32, 1, 6],
  [64, 2, 6],
  [64, 1, 6],
  [64, 1, 6],
  [64, 1, 6],
  [96, 1, 6],
  [96, 1, 6],
  [96, 1, 6],
  [160, 2, 6],
  [160, 1, 6],
  [160, 1, 6],
  [320, 1, 6],
];

const BN_EPSILON = 1e-3;
const BN_MOMENTUM = 0.9;

type Sym = tf.SymbolicTensor;

export interface MobilenetV2Options {
  alpha: number;
  inputSize: number;
  seed: number;
}

/**
 * MobileNetV2 without its top: input `[inputSize, inputSize, 3]` → … → `global_average_pooling2d` (a vector of 1280
 * channels for alpha ≤ 1). The caller adds the classification head.
 */
export function buildMobilenetV2Backbone(options: MobilenetV2Options): { input: Sym; features: Sym } {
  const { alpha, inputSize, seed } = options;
  const input = tf.input({ shape: [inputSize, inputSize, 3], name: 'input_1' });
  const glorot = (name: string): ReturnType<typeof tf.initializers.glorotUniform> =>
    tf.initializers.glorotUniform({ seed: layerSeed(seed, name) });
  const conv = (x: Sym, filters: number, kernelSize: number, strides: number, name: string): Sym =>
    tf.layers
      .conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false, name, kernelInitializer: glorot(name) })
      .apply(x) as Sym;
  const depthwise = (x: Sym, strides: number, name: string): Sym =>
    tf.layers
      .depthwiseConv2d({
        kernelSize: 3,
        strides,
        padding: strides === 1 ? 'same' : 'valid',
        useBias: false,
        name,
        // seeded as transfer-model.ts re-seeds a non-kernel initializer, so scratch from this model is this model
        depthwiseInitializer: glorot(`${name}/depthwiseInitializer`),
      })
      .apply(x) as Sym;
  const bn = (x: Sym, name: string): Sym =>
    tf.layers.batchNormalization({ axis: -1, epsilon: BN_EPSILON, momentum: BN_MOMENTUM, name }).apply(x) as Sym;
  const relu6 = (x: Sym, name: string): Sym => tf.layers.reLU({ maxValue: 6, name }).apply(x) as Sym;
  /** Keras' `correct_pad` for a 3×3 stride-2 convolution: one pixel before only when the side is odd. */
  const pad = (x: Sym, name: string): Sym => {
    const [, h, w] = x.shape;
    const top = (h ?? 0) % 2 === 1 ? 1 : 0;
    const left = (w ?? 0) % 2 === 1 ? 1 : 0;
    return tf.layers
      .zeroPadding2d({
        padding: [
          [top, 1],
          [left, 1],
        ],
        name,
      })
      .apply(x) as Sym;
  };
  const channels = (x: Sym): number => x.shape[x.shape.length - 1] ?? 0;

  let x = conv(input, makeDivisible(32 * alpha), 3, 2, 'Conv1');
  x = relu6(bn(x, 'bn_Conv1'), 'Conv1_relu');

  // block 0 (`expanded_conv`): no expansion
  x = depthwise(x, 1, 'expanded_conv_depthwise');
  x = relu6(bn(x, 'expanded_conv_depthwise_BN'), 'expanded_conv_depthwise_relu');
  x = conv(x, makeDivisible(Math.trunc(16 * alpha)), 1, 1, 'expanded_conv_project');
  x = bn(x, 'expanded_conv_project_BN');

  BLOCKS.forEach(([filters, stride, expansion], i) => {
    const prefix = `block_${i + 1}_`;
    const inChannels = channels(x);
    const outChannels = makeDivisible(Math.trunc(filters * alpha));
    const shortcut = x;
    let y = conv(x, expansion * inChannels, 1, 1, `${prefix}expand`);
    y = relu6(bn(y, `${prefix}expand_BN`), `${prefix}expand_relu`);
    if (stride === 2) y = pad(y, `${prefix}pad`);
    y = depthwise(y, stride, `${prefix}depthwise`);
    y = relu6(bn(y, `${prefix}depthwise_BN`), `${prefix}depthwise_relu`);
    y = conv(y, outChannels, 1, 1, `${prefix}project`);
    y = bn(y, `${prefix}project_BN`);
    x =
      stride === 1 && inChannels === outChannels
        ? (tf.layers.add({ name: `${prefix}add` }).apply([shortcut, y]) as Sym)
        : y;
  });

  x = conv(x, alpha > 1 ? makeDivisible(1280 * alpha) : 1280, 1, 1, 'Conv_1');
  x = relu6(bn(x, 'Conv_1_bn'), 'out_relu');
  const features = tf.layers.globalAveragePooling2d({ name: MOBILENET_FEATURES_LAYER }).apply(x) as Sym;
  return { input, features };
}

/**
 * Keras' `MobileNetV2(include_top=True, weights=None, classes, alpha, input_shape)`: the backbone, then
 * `global_average_pooling2d` → `predictions` (dense, softmax), named as Keras names them. Weights are drawn from the
 * seeded initializers (no pretrained weights ship with anything installable here).
 */
export function buildKerasMobilenetV2(options: MobilenetV2Options & { classes: number }): tf.LayersModel {
  const { input, features } = buildMobilenetV2Backbone(options);
  const predictions = tf.layers
    .dense({
      units: options.classes,
      activation: 'softmax',
      name: 'predictions',
      kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed(options.seed, 'predictions') }),
    })
    .apply(features) as Sym;
  return tf.model({ inputs: input, outputs: predictions, name: `mobilenetv2_${options.alpha}_${options.inputSize}` });
}
