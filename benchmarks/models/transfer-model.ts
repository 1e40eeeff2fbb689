import * as tf from '@tensorflow/tfjs-layers';
import type { Approach } from '../domain.js';
import { UserError } from '../errors.js';
import type { Architecture } from '../spec/suite-schema.js';
import { HEAD_LAYER, buildHead, buildModel } from './architectures.js';

export interface TrialModelOptions {
  approach: Approach;
  arch: Architecture;
  inputShape: [number, number, number];
  numClasses: number;
  /** Seeds the new head, and for `scratch` the whole model. */
  seed: number;
  /** The pretrained model; required by every approach but `scratch`. Never modified. */
  base?: tf.LayersModel | undefined;
  /** Name of the base's layer whose output feeds the new head (`features` for our architectures). */
  cutLayer: string;
  /** For `partial`: how many blocks of the backbone, counted from the top, train (default 1). */
  trainableBlocks?: number | undefined;
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
 * - `scratch`: `buildModel(arch, …, seed)`, the built-in architecture with random (seeded) initial weights.
 * - `finetune`: a copy of `base` cut at `cutLayer` plus a new seeded head (flattened first if the cut output is not
 *   a vector); every layer trains.
 * - `linear-probe`: the same, with the backbone frozen: only the head trains.
 * - `partial`: the same, with only the top `trainableBlocks` (default 1) weighted layers of the backbone and the head
 *   training (see `backboneBlocks`).
 *
 * The base is copied, never changed; the caller disposes the returned model (which does not touch the base).
 */
export function buildTrialModel(options: TrialModelOptions): tf.LayersModel {
  const { approach, arch, inputShape, numClasses, seed, base, cutLayer } = options;
  if (approach === 'scratch') return buildModel(arch, inputShape, numClasses, seed);
  if (base === undefined) throw new UserError(`approach "${approach}" needs a pretrained model`);

  // A view of the base up to the cut, sharing its layers. Never dispose it: that would dispose the base's weights.
  const view = tf.model({ inputs: base.inputs, outputs: findCutLayer(base, cutLayer) });
  const blocks = backboneBlocks(view);
  const trainableBlocks = approach === 'partial' ? (options.trainableBlocks ?? 1) : 0;
  const fewest = approach === 'partial' ? 1 : 0;
  if (!Number.isInteger(trainableBlocks) || trainableBlocks < fewest || trainableBlocks > blocks.length) {
    throw new UserError(
      `"partial" with ${trainableBlocks} trainable blocks: the pretrained model up to "${cutLayer}" has ` +
        `${blocks.length} (${blocks.join(', ') || 'none'}); give trainableBlocks between 1 and ${blocks.length}`,
    );
  }
  const backbone = copyModel(view);
  const backboneLayers = backbone.layers.map((l) => l.name);
  let features = backbone.outputs[0]!;
  if (features.shape.length > 2) {
    const flatten = tf.layers.flatten({ name: freeName(`${HEAD_LAYER}_flatten`, backboneLayers) });
    features = flatten.apply(features) as tf.SymbolicTensor;
  }
  const head = buildHead(numClasses, seed, freeName(HEAD_LAYER, backboneLayers));
  const output = head.apply(features) as tf.SymbolicTensor;
  const model = tf.model({ inputs: backbone.inputs, outputs: output, name: `${approach}-${base.name}` });

  const trainable = new Set(blocks.slice(blocks.length - trainableBlocks));
  for (const name of backboneLayers) {
    model.getLayer(name).trainable = approach === 'finetune' || trainable.has(name);
  }
  return model;
}
