/**
 * Keras files read directly (no Python, no converter), with h5wasm (the HDF5 library compiled to WebAssembly):
 *
 * - Keras 2 `.h5`, full model (`model.save('m.h5')`): the root attribute `model_config` (JSON) holds the topology;
 *   group `model_weights` lists `layer_names`, and each layer's group lists `weight_names` (`Conv1/kernel:0`, …), the
 *   datasets at those paths inside it.
 * - Keras 2 `.h5` with weights only (`model.save_weights`, and every Keras Applications weights file): the same
 *   layer groups at the root, no topology; the architecture is named by the file's Keras Applications name
 *   (`mobilenet_v2_weights_tf_dim_ordering_tf_kernels_<alpha>_<size>[_no_top].h5`) and built here
 *   (mobilenet-v2.ts, Keras' layer names).
 * - Keras 3 `.keras`: a zip archive of `config.json` (the topology in Keras 3's serialisation) and `model.weights.h5`,
 *   whose layers are stored under `layers/<snake_case class name>[_<n>]/vars/<i>` in the model's layer order (Keras 3
 *   names them by class, counting repeats, never by layer name).
 *
 * The topology becomes a TensorFlow.js Layers model (Keras 3's config is first rewritten in the Keras 2 form tfjs
 * reads); a layer tfjs-layers does not have is refused in one line naming it and the file. The weights are set layer
 * by layer and the model is written as model.json + weights.bin into `out`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
// the backend a file is read on when the process has chosen none (convertKerasFile)
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Dataset, Group } from 'h5wasm';
import type * as H5 from 'h5wasm';
import { unzipSync, strFromU8 } from 'fflate';
import { UserError, errorMessage } from '../errors.js';
import { buildKerasMobilenetV2, buildMobilenetV2Backbone } from './mobilenet-v2.js';
import { saveModel } from './model-io.js';

type Json = Record<string, unknown>;
type H5Module = typeof H5;

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

async function h5(): Promise<H5Module> {
  const module = await import('h5wasm/node');
  await module.ready;
  return module;
}

/** Keras' `naming.to_snake_case`: `DepthwiseConv2D` → `depthwise_conv2d`, `ReLU` → `re_lu`. */
export function kerasSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

function attrStrings(group: Group, name: string): string[] | null {
  const attr = group.attrs[name];
  if (!attr) return null;
  const value = attr.json_value;
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => String(v));
}

function attrText(group: Group, name: string): string | null {
  const attr = group.attrs[name];
  if (!attr) return null;
  const value = attr.json_value;
  return typeof value === 'string' ? value : Array.isArray(value) ? String(value[0]) : null;
}

/** Every layer class in a Keras config (nested models included). */
function layerClasses(config: Json, found = new Set<string>()): Set<string> {
  const inner = isRecord(config.config) ? config.config : undefined;
  const layers = inner && Array.isArray(inner.layers) ? inner.layers : [];
  for (const layer of layers) {
    if (!isRecord(layer) || typeof layer.class_name !== 'string') continue;
    found.add(layer.class_name);
    if (isRecord(layer.config) && Array.isArray(layer.config.layers)) layerClasses(layer, found);
  }
  return found;
}

/** Refuses, in one line, a layer type tfjs-layers cannot build. */
function checkSupported(config: Json, file: string): void {
  const known = tf.serialization.SerializationMap.getMap().classNameMap;
  for (const name of layerClasses(config)) {
    if (!(name in known)) {
      throw new UserError(
        `${file} has a layer of type ${name}, which Transfer Bench cannot run (TensorFlow.js has no such layer): cut the model below it in Keras, or bring another model`,
      );
    }
  }
}

/** Keras 3's serialisation of a value (dtype policies, initializers, …) in the Keras 2 form tfjs reads. */
function keras2Value(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(keras2Value);
  if (!isRecord(value)) return value;
  if (value.class_name === 'DTypePolicy' || value.class_name === 'FloatDTypePolicy') {
    const inner = isRecord(value.config) ? value.config : {};
    return typeof inner.name === 'string' ? inner.name : 'float32';
  }
  if (typeof value.class_name === 'string' && 'config' in value && 'module' in value) {
    return { class_name: value.class_name, config: keras2Value(value.config) };
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, keras2Value(v)]));
}

/** A Keras 3 tensor reference (`__keras_tensor__` with `keras_history`) as a Keras 2 inbound entry. */
function inboundEntries(args: unknown): unknown[][] {
  const out: unknown[][] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (isRecord(value) && value.class_name === '__keras_tensor__' && isRecord(value.config)) {
      const [layer, node, index] = value.config.keras_history as [string, number, number];
      out.push([layer, node, index, {}]);
    }
  };
  visit(args);
  return out;
}

/** Keras 3's `config.json` in the Keras 2 form tfjs-layers reads. */
export function keras3ToKeras2Config(model: Json): Json {
  const config = isRecord(model.config) ? model.config : {};
  const rawLayers = Array.isArray(config.layers) ? (config.layers as Json[]) : [];
  const layers = rawLayers.map((layer) => {
    const layerConfig = keras2Value(layer.config) as Json;
    if (layer.class_name === 'InputLayer' && 'batch_shape' in layerConfig) {
      const { batch_shape: batchShape, ...rest } = layerConfig;
      Object.assign(layerConfig, { ...rest, batch_input_shape: batchShape });
      delete layerConfig.batch_shape;
    }
    const converted: Json = { class_name: layer.class_name, config: layerConfig };
    if (typeof layer.name === 'string') converted.name = layer.name;
    if (Array.isArray(layer.inbound_nodes)) {
      converted.inbound_nodes = layer.inbound_nodes.map((node) =>
        isRecord(node) ? inboundEntries(node.args) : (node as unknown),
      );
    }
    return converted;
  });
  const nest = (value: unknown) => (Array.isArray(value) && typeof value[0] === 'string' ? [value] : value);
  if (model.class_name === 'Sequential') {
    // Keras 3 lists the InputLayer; tfjs' Sequential takes the input shape from the first layer
    const [first, ...rest] = layers;
    if (first?.class_name === 'InputLayer' && rest[0]) {
      const shape = (first.config as Json).batch_input_shape;
      rest[0] = { ...rest[0], config: { ...(rest[0].config as Json), batch_input_shape: shape } };
      return { class_name: 'Sequential', config: { name: config.name, layers: rest } };
    }
    return { class_name: 'Sequential', config: { name: config.name, layers } };
  }
  return {
    class_name: 'Model',
    config: {
      name: config.name,
      layers,
      input_layers: nest(config.input_layers),
      output_layers: nest(config.output_layers),
    },
  };
}

/** A model from a Keras 2 style config, weights unset, on the active backend. */
async function modelFromConfig(config: Json, file: string): Promise<tfl.LayersModel> {
  checkSupported(config, file);
  try {
    return await tfl.loadLayersModel(
      tf.io.fromMemory({ modelTopology: { model_config: config, backend: 'tensor_flow.js' } }),
    );
  } catch (error) {
    throw new UserError(`${file}: its model does not build in TensorFlow.js (${errorMessage(error).split('\n')[0]})`);
  }
}

/** The last part of a weight's name without its ":0": `Conv1/kernel:0` → `kernel`. */
const shortName = (name: string) => (name.split('/').pop() ?? name).replace(/:\d+$/, '');

/** Sets `layer`'s weights from `values` (Keras' order), matching by name where both have names. */
function setLayerWeights(
  layer: tfl.layers.Layer,
  values: { name: string; data: Float32Array; shape: number[] }[],
  file: string,
) {
  const weights = layer.weights;
  if (weights.length !== values.length) {
    throw new UserError(
      `${file}: layer ${layer.name} has ${values.length} weights in the file but ${weights.length} in its model`,
    );
  }
  const byName = new Map(values.map((v) => [shortName(v.name), v]));
  const ordered = weights.map((w, i) => byName.get(shortName(w.originalName)) ?? values[i]!);
  const tensors = ordered.map((v, i) => {
    const expected = weights[i]!.shape;
    if (v.shape.join('×') !== expected.join('×')) {
      throw new UserError(
        `${file}: weight ${v.name} of layer ${layer.name} is ${v.shape.join('×')}, the model needs ${expected.join('×')}`,
      );
    }
    return tf.tensor(v.data, v.shape, 'float32');
  });
  try {
    layer.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
}

function readDataset(dataset: Dataset): { data: Float32Array; shape: number[] } {
  const value = dataset.value;
  const shape = dataset.shape ?? [];
  if (!ArrayBuffer.isView(value)) throw new Error(`dataset ${dataset.path} is not numeric`);
  return { data: Float32Array.from(value as unknown as ArrayLike<number>), shape };
}

/** Keras 2 layer groups (full model: under `model_weights`; weights only: at the root) set into `model`. */
function setKeras2Weights(model: tfl.LayersModel, root: Group, file: string): void {
  const names = attrStrings(root, 'layer_names');
  if (!names) throw new UserError(`${file} has no "layer_names": it is not a Keras 2 weights file`);
  const inFile = new Set(names);
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    if (!inFile.has(layer.name)) throw new UserError(`${file} has no weights for layer ${layer.name}`);
    const group = root.get(layer.name) as Group;
    const weightNames = attrStrings(group, 'weight_names') ?? [];
    setLayerWeights(
      layer,
      weightNames.map((name) => ({ name, ...readDataset(group.get(name) as Dataset) })),
      file,
    );
  }
}

/** Keras 3 `model.weights.h5`: `layers/<snake_case class>[_n]/vars/<i>`, counted over the model's layers in order. */
function setKeras3Weights(model: tfl.LayersModel, configLayers: Json[], root: Group, file: string): void {
  const layersGroup = root.get('layers') as Group | null;
  if (!layersGroup) throw new UserError(`${file}'s model.weights.h5 has no "layers" group`);
  const used = new Map<string, number>();
  const keyOf = new Map<string, string>();
  for (const layer of configLayers) {
    const base = kerasSnakeCase(String(layer.class_name));
    const n = used.get(base);
    used.set(base, n === undefined ? 0 : n + 1);
    const key = n === undefined ? base : `${base}_${n + 1}`;
    const name = isRecord(layer.config) && typeof layer.config.name === 'string' ? layer.config.name : '';
    keyOf.set(name, key);
  }
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const key = keyOf.get(layer.name);
    const vars = key ? (layersGroup.get(`${key}/vars`) as Group | null) : null;
    if (!vars) throw new UserError(`${file} has no weights for layer ${layer.name} (looked for layers/${key}/vars)`);
    const values = vars
      .keys()
      .sort((a, b) => Number(a) - Number(b))
      .map((i) => ({ name: i, ...readDataset(vars.get(i) as Dataset) }));
    // Keras 3 names the variables by position: match by order
    setLayerWeights(
      layer,
      values.map((v, i) => ({ ...v, name: layer.weights[i]?.originalName ?? v.name })),
      file,
    );
  }
}

/** The architecture a Keras Applications weights file is for, from its file name; null when the name says none. */
export function keras2ApplicationsModel(file: string): tfl.LayersModel | null {
  const match = /^mobilenet_v2_weights_tf_dim_ordering_tf_kernels_([\d.]+)_(\d+)(_no_top)?\.h5$/.exec(basename(file));
  if (!match) return null;
  const alpha = Number(match[1]);
  const inputSize = Number(match[2]);
  if (match[3]) {
    // the backbone up to out_relu, as Keras' include_top=False without pooling (the pooling has no weights)
    const { input, features } = buildMobilenetV2Backbone({ alpha, inputSize, seed: 0 });
    const backbone = tfl.model({ inputs: input, outputs: features });
    return tfl.model({
      inputs: backbone.inputs,
      outputs: backbone.getLayer('out_relu').output as tfl.SymbolicTensor,
      name: `mobilenetv2_${match[1]}_${inputSize}`,
    });
  }
  return buildKerasMobilenetV2({ alpha, inputSize, classes: 1000, seed: 0 });
}

async function convertH5(file: string): Promise<tfl.LayersModel> {
  const { File } = await h5();
  let f: InstanceType<typeof File>;
  try {
    f = new File(file, 'r');
  } catch (error) {
    throw new UserError(`${file} is not an HDF5 file Keras wrote (${errorMessage(error)})`);
  }
  try {
    const text = attrText(f, 'model_config');
    if (text !== null) {
      const model = await modelFromConfig(JSON.parse(text) as Json, file);
      try {
        const weights = f.get('model_weights') as Group | null;
        if (!weights) throw new UserError(`${file} has a model_config but no model_weights group`);
        setKeras2Weights(model, weights, file);
        return model;
      } catch (error) {
        model.dispose();
        throw error;
      }
    }
    const model = keras2ApplicationsModel(file);
    if (!model) {
      throw new UserError(
        `${file} holds weights only (no model_config): save the whole model in Keras (model.save), or keep a Keras Applications weights file's name (mobilenet_v2_weights_tf_dim_ordering_tf_kernels_<alpha>_<size>[_no_top].h5) so its architecture is known`,
      );
    }
    try {
      setKeras2Weights(model, f, file);
      return model;
    } catch (error) {
      model.dispose();
      throw error;
    }
  } finally {
    f.close();
  }
}

async function convertKeras3(file: string): Promise<tfl.LayersModel> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(new Uint8Array(readFileSync(file)), {
      filter: (entry) => entry.name === 'config.json' || entry.name === 'model.weights.h5',
    });
  } catch (error) {
    throw new UserError(`${file} is not a Keras 3 .keras archive (a zip file): ${errorMessage(error)}`);
  }
  const configBytes = files['config.json'];
  const weightsData = files['model.weights.h5'];
  if (configBytes === undefined || weightsData === undefined) {
    throw new UserError(`${file} lacks config.json or model.weights.h5: it is not a Keras 3 .keras archive`);
  }
  const configText = strFromU8(configBytes);
  const keras3 = JSON.parse(configText) as Json;
  const model = await modelFromConfig(keras3ToKeras2Config(keras3), file);
  const { File } = await h5();
  const dir = mkdtempSync(join(tmpdir(), 'tb-keras-'));
  try {
    const weightsFile = join(dir, 'model.weights.h5');
    writeFileSync(weightsFile, weightsData);
    const f = new File(weightsFile, 'r');
    try {
      const layers =
        isRecord(keras3.config) && Array.isArray(keras3.config.layers) ? (keras3.config.layers as Json[]) : [];
      setKeras3Weights(model, layers, f, file);
    } finally {
      f.close();
    }
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads a Keras `.h5` or `.keras` file (see the top of this file) and writes it to `out` as a Layers model. */
export async function convertKerasFile(file: string, out: string): Promise<void> {
  try {
    await tf.ready();
  } catch {
    await tf.setBackend('cpu');
  }
  const model = /\.keras$/i.test(file) ? await convertKeras3(file) : await convertH5(file);
  try {
    await saveModel(model, out);
  } finally {
    model.dispose();
  }
}
