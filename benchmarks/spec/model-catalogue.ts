/**
 * The catalogue of named pretrained backbones: ImageNet models a suite (`pretrainedModel.path`), `init --source` and
 * the app's source picker can name instead of a file. One table: where each is published, the input it takes, how
 * its pixels were scaled in training, where it is cut and what the cut must give, and its licence.
 *
 * Names: `imagenet/<family>-<alpha>[-<input size>]`, the alpha with two decimals:
 * - `imagenet/mobilenet-v2-0.35` … `-1.00`: Keras Applications' MobileNetV2 (ImageNet weights, no top, 224×224) as
 *   Teachable Machine loads it: a TensorFlow.js Layers model hosted by Google
 *   (googlecreativelab/teachablemachine-community, libraries/image/src/custom-mobilenet.ts), cut at `out_relu` and
 *   averaged over space (Teachable Machine's globalAveragePooling2d; Keras' `pooling='avg'`): 1280 features.
 * - `imagenet/mobilenet-v1-0.25-128` … `-1.00-224`: tfjs-models' MobileNetV1 Layers models (Keras MobileNet,
 *   ImageNet) at the four alphas and four input sizes published, cut at `conv_pw_13_relu` and flattened, as Teachable
 *   Machine does.
 * All take RGB with pixels scaled to [-1, 1] (Keras' `preprocess_input` for MobileNet, and Teachable Machine's
 * capture), so a suite naming one records `pixelScaling: "[-1,1]"`.
 */
import type { PixelScaling } from './suite-schema.js';

/** The host every catalogue model is published on; TRANSFER_BENCH_MODEL_HOST replaces it (tests serve fixtures). */
export const DEFAULT_MODEL_HOST = 'https://storage.googleapis.com';
export const MODEL_HOST_ENV = 'TRANSFER_BENCH_MODEL_HOST';
/**
 * A folder holding catalogue models' files placed by hand (`--model-dir` of init, run, resume and serve sets it for
 * the process and its workers): read instead of the host. See models/model-source.ts for the layouts it may have.
 */
export const MODEL_DIR_ENV = 'TRANSFER_BENCH_MODEL_DIR';

export interface CatalogueEntry {
  name: string;
  family: 'mobilenet-v2' | 'mobilenet-v1';
  alpha: number;
  /** Square input side; the model takes [inputSize, inputSize, 3]. */
  inputSize: number;
  /** Path of the model.json on the host (weights beside it, as its manifest names them). */
  hostPath: string;
  /** Layer of the published model the backbone ends at. */
  cutLayer: string;
  /** What follows the cut: average over space (1 vector per image) or flatten, as Teachable Machine does. */
  pooling: 'avg' | 'flatten';
  /** Output shape of `cutLayer` (without the batch), checked when the model is loaded. */
  cutShape: [number, number, number];
  pixelScaling: PixelScaling;
  licence: string;
  /** Where the weights come from, in words. */
  origin: string;
}

const V2_ALPHAS = [0.35, 0.5, 0.75, 1] as const;
const V1_ALPHAS = [0.25, 0.5, 0.75, 1] as const;
const V1_SIZES = [128, 160, 192, 224] as const;

const KERAS_LICENCE =
  'Apache-2.0 (Keras Applications weights, https://github.com/keras-team/keras/blob/master/LICENSE); ImageNet-trained';

function v2(alpha: number): CatalogueEntry {
  const a = alpha.toFixed(2);
  return {
    name: `imagenet/mobilenet-v2-${a}`,
    family: 'mobilenet-v2',
    alpha,
    inputSize: 224,
    hostPath: `/teachable-machine-models/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_${a}_224_no_top/model.json`,
    cutLayer: 'out_relu',
    pooling: 'avg',
    // Keras keeps 1280 channels in the last convolution for alpha ≤ 1
    cutShape: [7, 7, 1280],
    pixelScaling: '[-1,1]',
    licence: KERAS_LICENCE,
    origin: `Keras Applications MobileNetV2 (alpha ${a}, ImageNet, no top), as Teachable Machine hosts it`,
  };
}

function v1(alpha: number, size: number): CatalogueEntry {
  const a = alpha.toFixed(2);
  // tfjs-models spells alpha 1 "1.0" and the others with two decimals
  const hosted = alpha === 1 ? '1.0' : a;
  return {
    name: `imagenet/mobilenet-v1-${a}-${size}`,
    family: 'mobilenet-v1',
    alpha,
    inputSize: size,
    hostPath: `/tfjs-models/tfjs/mobilenet_v1_${hosted}_${size}/model.json`,
    cutLayer: 'conv_pw_13_relu',
    pooling: 'flatten',
    cutShape: [size / 32, size / 32, 1024 * alpha],
    pixelScaling: '[-1,1]',
    licence:
      'Apache-2.0 (tfjs-models, https://github.com/tensorflow/tfjs-models/blob/master/LICENSE); ImageNet-trained',
    origin: `tfjs-models MobileNetV1 (alpha ${a}, ${size}×${size}, ImageNet)`,
  };
}

export const CATALOGUE: readonly CatalogueEntry[] = [
  ...V2_ALPHAS.map(v2),
  ...V1_ALPHAS.flatMap((alpha) => V1_SIZES.map((size) => v1(alpha, size))),
];

/** The entry a name gives, or undefined when it is not a catalogue name. */
export function catalogueEntry(name: string): CatalogueEntry | undefined {
  return CATALOGUE.find((e) => e.name === name);
}

/** True for a string shaped like a catalogue name (`imagenet/...`), known or not: never a file path. */
export function looksLikeCatalogueName(path: string): boolean {
  return /^imagenet\/[a-z0-9.-]+$/.test(path);
}

/** The URL of an entry's model.json on the host (or on the one TRANSFER_BENCH_MODEL_HOST names). */
export function catalogueUrl(entry: CatalogueEntry): string {
  const host = (process.env[MODEL_HOST_ENV] ?? DEFAULT_MODEL_HOST).replace(/\/+$/, '');
  return `${host}${entry.hostPath}`;
}

/** The layer the engine cuts the prepared model at: the pooling added after `cutLayer`. */
export function preparedCutLayer(entry: CatalogueEntry): string {
  return entry.pooling === 'avg' ? 'global_average_pooling2d' : 'flatten';
}

/** The catalogue as a UI lists it: name and a short description. */
export const CATALOGUE_CHOICES: readonly { name: string; label: string }[] = CATALOGUE.map((e) => ({
  name: e.name,
  label: `${e.family === 'mobilenet-v2' ? 'MobileNetV2' : 'MobileNetV1'} α ${e.alpha.toFixed(2)}, ${e.inputSize}×${e.inputSize}, ImageNet`,
}));
