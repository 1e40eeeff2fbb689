/**
 * MobileNetV1 (Howard et al., 2017) in tfjs-layers with the layer names of Keras' `keras.applications.MobileNet`
 * as tfjs-models publishes it (`conv1`, `conv_dw_1`, `conv_pw_1_relu`, … `conv_pw_13_relu`): a 3×3/2 convolution,
 * then 13 depthwise-separable blocks (3×3 depthwise, 1×1 pointwise, each with batch normalisation and ReLU6; stride-2
 * depthwise convolutions after a `conv_pad_N` zero padding, 'valid'), then average pooling and a 1×1 convolution
 * classifier (`conv_preds`). Channels are scaled by `alpha`. Used to write the catalogue's test fixtures: weights are
 * drawn from seeded initializers.
 */
import * as tf from '@tensorflow/tfjs-layers';
import { layerSeed } from './layer-seed.js';

type Sym = tf.SymbolicTensor;

/** The pointwise filters (before alpha) and depthwise stride of blocks 1 … 13. */
const BLOCKS: readonly [filters: number, stride: number][] = [
  [64, 1],
  [128, 2],
  [128, 1],
  [256, 2],
  [256, 1],
  [512, 2],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [1024, 2],
  [1024, 1],
];

export function buildKerasMobilenetV1(options: {
  alpha: number;
  inputSize: number;
  classes: number;
  seed: number;
}): tf.LayersModel {
  const { alpha, inputSize, classes, seed } = options;
  const glorot = (name: string) => tf.initializers.glorotUniform({ seed: layerSeed(seed, name) });
  const bn = (x: Sym, name: string): Sym =>
    tf.layers.batchNormalization({ axis: -1, epsilon: 1e-3, momentum: 0.9, name }).apply(x) as Sym;
  const relu6 = (x: Sym, name: string): Sym => tf.layers.reLU({ maxValue: 6, name }).apply(x) as Sym;
  const pad = (x: Sym, name: string): Sym =>
    tf.layers
      .zeroPadding2d({
        padding: [
          [0, 1],
          [0, 1],
        ],
        name,
      })
      .apply(x) as Sym;

  const input = tf.input({ shape: [inputSize, inputSize, 3], name: 'input_1' });
  let x = pad(input, 'conv1_pad');
  x = tf.layers
    .conv2d({
      filters: Math.trunc(32 * alpha),
      kernelSize: 3,
      strides: 2,
      padding: 'valid',
      useBias: false,
      name: 'conv1',
      kernelInitializer: glorot('conv1'),
    })
    .apply(x) as Sym;
  x = relu6(bn(x, 'conv1_bn'), 'conv1_relu');
  BLOCKS.forEach(([filters, stride], i) => {
    const n = i + 1;
    if (stride === 2) x = pad(x, `conv_pad_${n}`);
    x = tf.layers
      .depthwiseConv2d({
        kernelSize: 3,
        strides: stride,
        padding: stride === 1 ? 'same' : 'valid',
        useBias: false,
        name: `conv_dw_${n}`,
        depthwiseInitializer: glorot(`conv_dw_${n}/depthwiseInitializer`),
      })
      .apply(x) as Sym;
    x = relu6(bn(x, `conv_dw_${n}_bn`), `conv_dw_${n}_relu`);
    x = tf.layers
      .conv2d({
        filters: Math.trunc(filters * alpha),
        kernelSize: 1,
        padding: 'same',
        useBias: false,
        name: `conv_pw_${n}`,
        kernelInitializer: glorot(`conv_pw_${n}`),
      })
      .apply(x) as Sym;
    x = relu6(bn(x, `conv_pw_${n}_bn`), `conv_pw_${n}_relu`);
  });
  x = tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d_1' }).apply(x) as Sym;
  x = tf.layers.reshape({ targetShape: [1, 1, Math.trunc(1024 * alpha)], name: 'reshape_1' }).apply(x) as Sym;
  x = tf.layers
    .conv2d({
      filters: classes,
      kernelSize: 1,
      padding: 'same',
      name: 'conv_preds',
      kernelInitializer: glorot('conv_preds'),
    })
    .apply(x) as Sym;
  x = tf.layers.activation({ activation: 'softmax', name: 'act_softmax' }).apply(x) as Sym;
  x = tf.layers.reshape({ targetShape: [classes], name: 'reshape_2' }).apply(x) as Sym;
  return tf.model({ inputs: input, outputs: x, name: `mobilenet_${alpha.toFixed(2)}_${inputSize}` });
}
