/**
 * Frozen features computed once.
 *
 * When the bottom of a trial's model is frozen (a linear probe; partial fine-tuning below `trainFrom`), every
 * training step runs the same frozen layers on the same examples again: for a MobileNet, most of a step's time. The
 * frozen bottom's output (its *features*) is a function of the example alone, because frozen layers run in inference
 * mode (frozen batch normalisation uses its moving statistics: see frozen-batch-norm.ts) and nothing below the first
 * trainable layer changes. So the bottom runs once per example, in inference mode, and only the top trains, on those
 * features. Training then equals training through the frozen layers up to float rounding (the tests hold it to that).
 *
 * The split is made where the trainable part starts: the *top* is every layer with trainable weights and every layer
 * that depends on one; the *bottom* is the rest. The cut is used when exactly one tensor crosses from bottom to top
 * (a residual connection that skips over the boundary would need two) and the bottom has no layer that behaves
 * differently in training (dropout, noise), which would make its output depend on the step.
 *
 * Features are kept per worker, per example, for the trial's target data and frozen bottom: nested training subsets
 * of one seed share their examples, and the pool and test set are the same for every trial, so a later trial computes
 * only the examples no earlier one did. The memory this takes is bounded by (pool + test examples) × feature values
 * × 4 bytes per base model and cut; a store that would exceed `MAX_CACHE_BYTES` is not kept across trials (the trial
 * then holds the features of its own examples only), and the stores together stay within it (least recently used
 * dropped first).
 *
 * Within a trial the features of its training subset and test set are held as tensors for all its epochs, learning
 * rates and folds. Where they would take more than `MAX_TRIAL_FEATURE_BYTES` (large inputs cut early, e.g. partial
 * fine-tuning of a 224×224 MobileNetV2 from an early block), `planFrozenFeatures` declines and the trial trains
 * through the frozen layers instead; either way its protocol records what was done (`FrozenPrefixRecord`).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { FrozenPrefixRecord } from '../domain.js';
import type { Split } from './metrics.js';

/** Layers whose output differs between training and inference for reasons other than batch normalisation. */
const STOCHASTIC_LAYERS: ReadonlySet<string> = new Set([
  'Dropout',
  'SpatialDropout1D',
  'SpatialDropout2D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
]);

/** Largest features kept across trials, all stores together (base models, cuts, datasets), least recently used dropped. */
export const MAX_CACHE_BYTES = 1024 ** 3;

/** Largest features one trial holds (its training subset and test set); above it the trial does not use them. */
export const MAX_TRIAL_FEATURE_BYTES = 1024 ** 3;

type Layer = tfl.LayersModel['layers'][number];

export interface FrozenSplit {
  /** Input → the frozen features (shares the trial model's layers: never dispose its weights). */
  bottom: tfl.LayersModel;
  /** Features → the trial model's output, through the same layer objects (so training it trains the trial model). */
  top: tfl.LayersModel;
  /** Name of the layer whose output the features are. */
  featuresLayer: string;
  /** Shape of one example's features. */
  featureShape: number[];
}

function inboundLayers(layer: Layer): Layer[] {
  const node = layer.inboundNodes[0];
  return node ? (node.inboundLayers as Layer[]) : [];
}

/**
 * Cuts `model` into a frozen bottom and a trainable top (see above), or null when there is no frozen bottom to
 * cache (everything trains, or several tensors cross the boundary, or the bottom is stochastic).
 */
export function splitAtFrozen(model: tfl.LayersModel): FrozenSplit | null {
  const layers = model.layers;
  const top = new Set<string>();
  for (const layer of layers) {
    const trains = layer.trainable && layer.trainableWeights.length > 0;
    if (trains || inboundLayers(layer).some((l) => top.has(l.name))) top.add(layer.name);
  }
  const bottomLayers = layers.filter((l) => !top.has(l.name));
  if (bottomLayers.every((l) => l.getClassName() === 'InputLayer')) return null;
  if (bottomLayers.some((l) => STOCHASTIC_LAYERS.has(l.getClassName()))) return null;
  const crossing = new Set<Layer>();
  for (const layer of layers) {
    if (!top.has(layer.name)) continue;
    for (const inbound of inboundLayers(layer)) if (!top.has(inbound.name)) crossing.add(inbound);
  }
  if (crossing.size !== 1) return null;
  const boundary = [...crossing][0]!;
  if (boundary.getClassName() === 'InputLayer') return null;
  const boundaryOutput = boundary.inboundNodes[0]!.outputTensors;
  if (boundaryOutput.length !== 1) return null;
  const features = boundaryOutput[0]!;

  const bottom = tfl.model({ inputs: model.inputs, outputs: features, name: `${model.name}_frozen` });
  const featureShape = features.shape.slice(1).map((d) => d ?? 0);
  const featureInput = tfl.input({ shape: featureShape, name: `${boundary.name}_features` });
  // re-apply the top layers, in order, to the new input: new nodes on the same layers and weights
  const mapped = new Map<number, tfl.SymbolicTensor>([[features.id, featureInput]]);
  for (const layer of layers) {
    if (!top.has(layer.name)) continue;
    const node = layer.inboundNodes[0]!;
    const inputs = node.inputTensors.map((t) => {
      const m = mapped.get(t.id);
      if (m === undefined) throw new Error(`frozen features: layer "${layer.name}" has an input outside the top`);
      return m;
    });
    const output = layer.apply(inputs.length === 1 ? inputs[0]! : inputs) as tfl.SymbolicTensor;
    mapped.set(node.outputTensors[0]!.id, output);
  }
  const output = mapped.get(model.outputs[0]!.id);
  if (output === undefined) throw new Error('frozen features: the model output is not above the frozen part');
  const topModel = tfl.model({ inputs: featureInput, outputs: output, name: `${model.name}_top` });
  return { bottom, top: topModel, featuresLayer: boundary.name, featureShape };
}

/**
 * The frozen split of `model` for a trial that needs the features of `examples` examples, or null with the reason
 * (in `record`) when they would exceed `maxBytes`; record is null when the model has no frozen prefix to cache.
 */
export function planFrozenFeatures(
  model: tfl.LayersModel,
  examples: number,
  maxBytes = MAX_TRIAL_FEATURE_BYTES,
): { split: FrozenSplit | null; record: FrozenPrefixRecord | null } {
  const split = splitAtFrozen(model);
  if (split === null) return { split: null, record: null };
  const values = split.featureShape.reduce((p, d) => p * d, 1);
  const bytes = examples * values * 4;
  const record = { featuresLayer: split.featuresLayer, examples, bytes };
  if (bytes <= maxBytes) return { split, record: { ...record, computedOnce: true } };
  // the top re-uses the model's layers (one more reference each): release it, the model stays
  split.top.dispose();
  const mib = (n: number) => `${(n / 1024 ** 2).toFixed(0)} MiB`;
  return {
    split: null,
    record: {
      ...record,
      computedOnce: false,
      reason: `the features of ${examples} examples at ${split.featuresLayer} (${values} values each) need ${mib(bytes)}, above the ${mib(maxBytes)} a trial may hold: trained through the frozen layers`,
    },
  };
}

/** Features of some examples of one example set (a pool or a test set), filled in as trials need them. */
class FeatureStore {
  readonly values: Float32Array;
  readonly done: Uint8Array;
  constructor(
    readonly count: number,
    readonly size: number,
  ) {
    this.values = new Float32Array(count * size);
    this.done = new Uint8Array(count);
  }
}

const stores = new Map<string, FeatureStore>();

/**
 * Drops the least recently used stores until `bytes` more fit within MAX_CACHE_BYTES in all: the bound holds for the
 * worker's stores together (several base models, cuts, target datasets), not per store only.
 */
function evictStoresFor(bytes: number): void {
  let total = bytes;
  for (const store of stores.values()) total += store.values.byteLength;
  for (const [key, store] of stores) {
    if (total <= MAX_CACHE_BYTES) break;
    stores.delete(key);
    total -= store.values.byteLength;
  }
}

/** Bytes of features the worker keeps across trials (tests read it). */
export function storedFeatureBytes(): number {
  let total = 0;
  for (const store of stores.values()) total += store.values.byteLength;
  return total;
}

/** How many examples `featuresSplit` ran through the bottom since the worker started (tests and perf read it). */
export const featureStats = { computed: 0 };

export interface FeaturesRequest {
  /** Identifies the example set and the bottom (base model, cut, data, input adaptation); null: keep for this call only. */
  cacheKey: string | null;
  /** Examples in the example set. */
  setSize: number;
  /** Positions in the example set whose features are wanted, in order. */
  indices: ArrayLike<number>;
  /** The examples' labels, one-hot, one row per index; the returned split owns them. */
  y: tf.Tensor2D;
  /** Model inputs of the examples `indices` at these positions (a batch). */
  inputs(positions: ArrayLike<number>): tf.Tensor;
  batchSize?: number;
}

/**
 * A split of frozen features for `indices`: computed with `frozen.bottom` in inference mode for the examples not yet
 * in the store under `cacheKey`, read from it for the others.
 */
export async function featuresSplit(frozen: FrozenSplit, request: FeaturesRequest): Promise<Split> {
  const size = frozen.featureShape.reduce((p, d) => p * d, 1);
  const { indices, setSize } = request;
  const keep = request.cacheKey !== null && setSize * size * 4 <= MAX_CACHE_BYTES;
  let store = keep ? stores.get(request.cacheKey!) : undefined;
  if (store === undefined || store.size !== size || store.count !== setSize) {
    // a store not kept across trials holds this call's examples only, at their positions in `indices`
    store = new FeatureStore(keep ? setSize : indices.length, size);
    if (keep) {
      stores.delete(request.cacheKey!);
      evictStoresFor(store.values.byteLength);
    }
  }
  if (keep) {
    // most recently used last (a Map keeps insertion order): evictStoresFor drops from the front
    stores.delete(request.cacheKey!);
    stores.set(request.cacheKey!, store);
  }
  const slot = keep ? (i: number) => indices[i]! : (i: number) => i;
  const missing: number[] = [];
  for (let i = 0; i < indices.length; i++) if (store.done[slot(i)] === 0) missing.push(i);
  const batchSize = request.batchSize ?? 64;
  for (let start = 0; start < missing.length; start += batchSize) {
    const positions = missing.slice(start, start + batchSize);
    const out = tf.tidy(() => frozen.bottom.predict(request.inputs(positions)) as tf.Tensor);
    // Read asynchronously: a synchronous read on WebGPU goes through a canvas that loses the device in Chromium.
    let data: Float32Array;
    try {
      data = (await out.data()) as Float32Array;
    } finally {
      out.dispose();
    }
    positions.forEach((p, row) => {
      const at = slot(p);
      store.values.set(data.subarray(row * size, (row + 1) * size), at * size);
      store.done[at] = 1;
    });
    featureStats.computed += positions.length;
  }
  const rows = keep ? new Float32Array(indices.length * size) : store.values;
  if (keep) {
    for (let i = 0; i < indices.length; i++) {
      const index = indices[i]!;
      rows.set(store.values.subarray(index * size, (index + 1) * size), i * size);
    }
  }
  const x = tf.tensor(rows, [indices.length, ...frozen.featureShape]);
  return {
    y: request.y,
    count: indices.length,
    inputs: (positions) => tf.gather(x, tf.tensor1d(Int32Array.from(positions), 'int32')),
    dispose: () => x.dispose(),
  };
}

/** Forgets every stored feature (tests; a worker that changes suites). */
export function clearFeatureStores(): void {
  stores.clear();
}
