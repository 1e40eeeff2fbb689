import type { serialization } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-layers';
import type { Approach } from '../domain.js';
import { UserError } from '../errors.js';
import type { ArchitectureSpec } from '../spec/suite-schema.js';
import { HEAD_LAYER, buildHead, buildModel, layerSeed } from './architectures.js';
import { useKerasFrozenBatchNorm } from './frozen-batch-norm.js';

export interface TrialModelOptions {
  approach: Approach;
  arch: ArchitectureSpec;
  inputShape: [number, number, number];
  numClasses: number;
  /** Seeds the new head, and for `scratch` the whole model. */
  seed: number;
  /**
   * The pretrained model; required by every approach but `scratch`. Never modified. Given to `scratch`, it supplies
   * the architecture (up to `cutLayer`), never the weights; without it, `scratch` builds `arch`.
   */
  base?: tf.LayersModel | undefined;
  /** Name of the base's layer whose output feeds the new head (`features` for our architectures). */
  cutLayer: string;
  /** For `partial`: how many blocks of the backbone, counted from the top, train (default 1). */
  trainableBlocks?: number | undefined;
  /** For `partial`, instead of `trainableBlocks`: the first layer of the backbone that trains (it and all after it). */
  trainFrom?: string | undefined;
}

/** Layer of the base model to cut at, or a UserError naming it and listing the base's layers. */
function findCutLayer(base: tf.LayersModel, cutLayer: string): tf.SymbolicTensor {
  const names = base.layers.map((l) => l.name);
  if (!names.includes(cutLayer)) {
    throw new UserError(
      `layer "${cutLayer}" is not in the pretrained model "${base.name}"; its layers are: ${names.join(', ')}`,
    );
  }
  const output = base.getLayer(cutLayer).output;
  if (Array.isArray(output)) {
    throw new UserError(`layer "${cutLayer}" of the pretrained model has several outputs; cut at a layer with one`);
  }
  return output;
}

/**
 * A copy of `view` (a model sharing the base's layers): new layers with the same names and configuration, holding
 * the base's weight values. tfjs tensors are immutable and an optimizer update replaces a variable's tensor, so
 * training the copy never changes the base; until it trains, the copy only references the base's values.
 */
function copyModel(view: tf.LayersModel): tf.LayersModel {
  const copy = tf.LayersModel.fromConfig(tf.LayersModel, view.getConfig(), {}, true) as tf.LayersModel;
  copy.setWeights(view.getWeights());
  return copy;
}

/** Initializers whose randomness comes from a `seed` in their configuration (Glorot, He and LeCun serialize as these). */
const SEEDED_INITIALIZERS: ReadonlySet<string> = new Set([
  'RandomUniform',
  'RandomNormal',
  'TruncatedNormal',
  'VarianceScaling',
  'GlorotUniform',
  'GlorotNormal',
  'HeUniform',
  'HeNormal',
  'LeCunUniform',
  'LeCunNormal',
  'Orthogonal',
]);
/** Initializers without randomness: re-created from their configuration, they give the same values every time. */
const FIXED_INITIALIZERS: ReadonlySet<string> = new Set(['Zeros', 'Ones', 'Constant', 'Identity']);

type ConfigDict = serialization.ConfigDict;
type ConfigDictValue = serialization.ConfigDictValue;

function isConfig(value: ConfigDictValue | undefined): value is ConfigDict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The name a layer's serialized form gives it (`{name, className, config: {name, …}}`), if any. */
function layerName(config: ConfigDict): string | undefined {
  if (typeof config.name === 'string') return config.name;
  const inner = config.config;
  return typeof config.className === 'string' && isConfig(inner) && typeof inner.name === 'string'
    ? inner.name
    : undefined;
}

/**
 * `value` (a layer's serialized form, or anything inside it) with every initializer given a seed derived from `seed`
 * and the layer that owns it: the kernel's from (seed, layer name), exactly as `buildModel` seeds ours, any other's
 * from (seed, `layer/key`). A layer nested in another (a wrapper's, a nested model's) seeds from its own name.
 * Calls `found` for each initializer; throws a UserError naming `top` for one that cannot be seeded or re-created.
 */
function reseeded(
  value: ConfigDictValue,
  seed: number,
  layer: string,
  top: string,
  found: () => void,
): ConfigDictValue {
  if (Array.isArray(value)) return value.map((v) => reseeded(v, seed, layer, top, found));
  if (!isConfig(value)) return value;
  const owner = layerName(value) ?? layer;
  const out: ConfigDict = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key.endsWith('Initializer') && isConfig(inner)) {
      found();
      const className = inner.className;
      const config = isConfig(inner.config) ? inner.config : {};
      if (typeof className === 'string' && SEEDED_INITIALIZERS.has(className)) {
        const initSeed = layerSeed(seed, key === 'kernelInitializer' ? owner : `${owner}/${key}`);
        out[key] = { className, config: { ...config, seed: initSeed } };
      } else if (typeof className === 'string' && FIXED_INITIALIZERS.has(className)) {
        out[key] = { className, config: { ...config } };
      } else {
        throw new UserError(
          `"scratch" cannot re-initialise layer "${top}" of the pretrained model: its ${key} ` +
            `(${typeof className === 'string' ? className : 'of no known class'}) cannot be seeded or re-created; ` +
            'give that layer a built-in initializer (e.g. glorotUniform, heNormal, randomNormal, zeros)',
        );
      }
    } else {
      out[key] = reseeded(inner, seed, owner, top, found);
    }
  }
  return out;
}

/**
 * A new model with the architecture of `view` and none of its weights: every layer rebuilt from its configuration,
 * every initializer seeded from (`seed`, layer name), so the same seed gives the same weights. A layer with weights
 * that cannot be re-initialised that way is a UserError naming it, never a silent copy of its pretrained values.
 */
function reinitializedModel(view: tf.LayersModel, seed: number): tf.LayersModel {
  const config = view.getConfig();
  const layers = config.layers;
  if (!Array.isArray(layers)) throw new Error(`model "${view.name}" has no layer list in its configuration`);
  const rebuilt = layers.map((layer) => {
    const name = isConfig(layer) ? layerName(layer) : undefined;
    if (!isConfig(layer) || name === undefined) throw new Error(`model "${view.name}" has a layer without a name`);
    let initializers = 0;
    const fresh = reseeded(layer, seed, name, name, () => initializers++);
    if (initializers === 0 && view.getLayer(name).weights.length > 0) {
      throw new UserError(
        `"scratch" cannot re-initialise layer "${name}" of the pretrained model: it has weights but its ` +
          'configuration names no initializer to draw new ones from',
      );
    }
    return fresh;
  });
  return tf.LayersModel.fromConfig(tf.LayersModel, { ...config, layers: rebuilt }) as tf.LayersModel;
}

/** A layer name not used in `taken`: `name`, else `name_1`, `name_2`, … */
function freeName(name: string, taken: readonly string[]): string {
  if (!taken.includes(name)) return name;
  for (let i = 1; ; i++) if (!taken.includes(`${name}_${i}`)) return `${name}_${i}`;
}

/**
 * The blocks of a backbone for partial fine-tuning, bottom to top: its layers that have weights, in order. For our
 * architectures that is conv1, conv2, features (cnn) and dense1, features (mlp).
 */
export function backboneBlocks(model: tf.LayersModel, headLayers: readonly string[] = []): string[] {
  return model.layers.filter((l) => l.weights.length > 0 && !headLayers.includes(l.name)).map((l) => l.name);
}

/**
 * Builds the model one trial trains, uncompiled (the trainer updates `model.trainableWeights` with its optimizer):
 *
 * - `scratch` without a base: `buildModel(arch, …, seed)`, the built-in architecture with random (seeded) weights.
 * - `scratch` with a base: the base's architecture up to `cutLayer` plus the same new head as the other approaches,
 *   every weight drawn afresh from its layer's own initializer, seeded from (seed, layer name); every layer trains.
 *   For a base that is one of our architectures cut at `features`, this is exactly `buildModel(arch, …, seed)`.
 * - `finetune`: a copy of `base` cut at `cutLayer` plus a new seeded head (flattened first if the cut output is not
 *   a vector); every layer trains.
 * - `linear-probe`: the same, with the backbone frozen: only the head trains.
 * - `partial`: the same, with only the top `trainableBlocks` (default 1) weighted layers of the backbone and the head
 *   training (see `backboneBlocks`); or, with `trainFrom`, the backbone's layers from that one on (in the model's
 *   layer order, which is topological) and the head.
 *
 * Frozen batch normalisation layers run in inference mode, as in Keras (see frozen-batch-norm.ts).
 *
 * The base is copied, never changed; the caller disposes the returned model (which does not touch the base).
 */
export function buildTrialModel(options: TrialModelOptions): tf.LayersModel {
  useKerasFrozenBatchNorm();
  const { approach, arch, inputShape, numClasses, seed, base, cutLayer } = options;
  if (approach === 'scratch' && base === undefined) return buildModel(arch, inputShape, numClasses, seed);
  if (base === undefined) throw new UserError(`approach "${approach}" needs a pretrained model`);

  // A view of the base up to the cut, sharing its layers. Never dispose it: that would dispose the base's weights.
  const view = tf.model({ inputs: base.inputs, outputs: findCutLayer(base, cutLayer) });
  const blocks = backboneBlocks(view);
  const trainFrom = approach === 'partial' ? options.trainFrom : undefined;
  const trainableBlocks = approach === 'partial' && trainFrom === undefined ? (options.trainableBlocks ?? 1) : 0;
  const fewest = approach === 'partial' && trainFrom === undefined ? 1 : 0;
  const viewLayers = view.layers.map((l) => l.name);
  const firstTrained = trainFrom === undefined ? -1 : viewLayers.indexOf(trainFrom);
  if (trainFrom !== undefined && (firstTrained < 0 || view.getLayer(trainFrom).getClassName() === 'InputLayer')) {
    const hint = base.layers.some((l) => l.name === trainFrom)
      ? `it is above the cut at "${cutLayer}"`
      : `the model has no such layer (its weighted layers: ${blocks.join(', ')})`;
    throw new UserError(`"partial" with trainFrom "${trainFrom}": ${hint}; name a layer of the backbone`);
  }
  if (!Number.isInteger(trainableBlocks) || trainableBlocks < fewest || trainableBlocks > blocks.length) {
    throw new UserError(
      `"partial" with ${trainableBlocks} trainable blocks: the pretrained model up to "${cutLayer}" has ` +
        `${blocks.length} (${blocks.join(', ') || 'none'}); give trainableBlocks between 1 and ${blocks.length}`,
    );
  }
  const backbone = approach === 'scratch' ? reinitializedModel(view, seed) : copyModel(view);
  const backboneLayers = backbone.layers.map((l) => l.name);
  let features = backbone.outputs[0]!;
  if (features.shape.length > 2) {
    const flatten = tf.layers.flatten({ name: freeName(`${HEAD_LAYER}_flatten`, backboneLayers) });
    features = flatten.apply(features) as tf.SymbolicTensor;
  }
  const head = buildHead(numClasses, seed, freeName(HEAD_LAYER, backboneLayers));
  const output = head.apply(features) as tf.SymbolicTensor;
  const model = tf.model({ inputs: backbone.inputs, outputs: output, name: `${approach}-${base.name}` });

  const trainable = new Set(
    firstTrained >= 0 ? viewLayers.slice(firstTrained) : blocks.slice(blocks.length - trainableBlocks),
  );
  for (const name of backboneLayers) {
    model.getLayer(name).trainable = approach === 'finetune' || approach === 'scratch' || trainable.has(name);
  }
  return model;
}
