/**
 * Keras files written the way Keras writes them, from a tfjs-layers model, with h5wasm (no Python): the fixtures of
 * the Keras reader's tests.
 *
 * - Keras 2 `.h5` (`model.save`): root attributes `keras_version`, `backend`, `model_config` (JSON); group
 *   `model_weights` with `layer_names`, and per layer a group with `weight_names` (`<layer>/kernel:0`, …) whose
 *   datasets sit at those paths inside it.
 * - Keras 2 weights only (`model.save_weights`): the same layer groups at the root, `layer_names` on the root.
 * - Keras 3 `.keras` (`model.save`): a zip of `metadata.json`, `config.json` (Keras 3's serialisation: `module`,
 *   `class_name`, `config` with dtype policies, InputLayer `batch_shape`, inbound nodes as `__keras_tensor__`
 *   arguments) and `model.weights.h5` (`layers/<snake_case class name>[_n]/vars/<i>`, the model's layers in order).
 */
import { writeFileSync } from 'node:fs';
import type * as tfl from '@tensorflow/tfjs-layers';
import { strToU8, zipSync } from 'fflate';
import h5wasm from 'h5wasm/node';
import { kerasSnakeCase } from '../../benchmarks/models/keras-file.js';

type Json = Record<string, unknown>;

/** The model's Keras 2 config, as tfjs-layers serialises it (Keras 2's own form), optionally with one layer renamed in class. */
export function keras2Config(model: tfl.LayersModel): Json {
  return model.toJSON(null, false) as Json;
}

function weightShortName(originalName: string): string {
  return originalName.split('/').pop()!;
}

type H5File = InstanceType<typeof h5wasm.File>;
type H5Group = ReturnType<H5File['create_group']>;

function writeLayerGroups(root: H5Group | H5File, model: tfl.LayersModel): void {
  root.create_attribute(
    'layer_names',
    model.layers.map((l) => l.name),
  );
  root.create_attribute('backend', 'tensorflow');
  root.create_attribute('keras_version', '2.2.4');
  for (const layer of model.layers) {
    const group = root.create_group(layer.name);
    const names = layer.weights.map((w) => `${layer.name}/${weightShortName(w.originalName)}:0`);
    // Keras writes an empty list for a layer without weights; h5wasm writes no empty attribute, so none is written
    if (names.length === 0) continue;
    group.create_attribute('weight_names', names);
    const inner = group.create_group(layer.name);
    layer.weights.forEach((w) => {
      const value = w.read();
      inner.create_dataset({
        name: `${weightShortName(w.originalName)}:0`,
        data: value.dataSync() as Float32Array,
        shape: value.shape,
        dtype: '<f',
      });
    });
  }
}

/** `model.save('file.h5')` of Keras 2. `config` overrides the topology written (e.g. to add an unsupported layer). */
export async function writeKeras2H5(file: string, model: tfl.LayersModel, config: Json = keras2Config(model)) {
  await h5wasm.ready;
  const f = new h5wasm.File(file, 'w');
  try {
    f.create_attribute('keras_version', '2.2.4');
    f.create_attribute('backend', 'tensorflow');
    f.create_attribute('model_config', JSON.stringify(config));
    writeLayerGroups(f.create_group('model_weights'), model);
  } finally {
    f.close();
  }
}

/** `model.save_weights('file.h5')` of Keras 2: the layer groups only. */
export async function writeKeras2Weights(file: string, model: tfl.LayersModel) {
  await h5wasm.ready;
  const f = new h5wasm.File(file, 'w');
  try {
    writeLayerGroups(f, model);
  } finally {
    f.close();
  }
}

const dtypePolicy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };

/** A Keras 2 layer config value in Keras 3's serialisation (initializers, constraints: module + registered_name). */
function keras3Value(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(keras3Value);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Json;
  if (typeof record.class_name === 'string' && 'config' in record) {
    return {
      module: 'keras.initializers',
      class_name: record.class_name,
      config: keras3Value(record.config),
      registered_name: null,
    };
  }
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, keras3Value(v)]));
}

/** The model's config in Keras 3's form (what `config.json` of a `.keras` archive holds). */
export function keras3Config(model: tfl.LayersModel): Json {
  const keras2 = keras2Config(model);
  const inner = keras2.config as Json;
  const layers = (inner.layers as Json[]).map((layer) => {
    const config: Json = { ...(keras3Value(layer.config) as Json), dtype: dtypePolicy };
    if (layer.class_name === 'InputLayer') {
      const { batch_input_shape: shape, ...rest } = config;
      return {
        module: 'keras.layers',
        class_name: 'InputLayer',
        config: { ...rest, batch_shape: shape, sparse: false },
        registered_name: null,
        name: layer.name,
        inbound_nodes: [],
      };
    }
    const nodes = (layer.inbound_nodes as unknown[][][]).map((node) => {
      const tensors = node.map(([name, nodeIndex, tensorIndex]) => ({
        class_name: '__keras_tensor__',
        config: { shape: [null], dtype: 'float32', keras_history: [name, nodeIndex, tensorIndex] },
      }));
      return { args: tensors.length === 1 ? [tensors[0]] : [tensors], kwargs: {} };
    });
    return {
      module: 'keras.layers',
      class_name: layer.class_name,
      config,
      registered_name: null,
      build_config: { input_shape: null },
      name: layer.name,
      inbound_nodes: nodes,
    };
  });
  const single = (list: unknown) => (Array.isArray(list) && list.length === 1 ? list[0] : list);
  return {
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    config: {
      name: inner.name,
      trainable: true,
      layers,
      input_layers: single(inner.input_layers),
      output_layers: single(inner.output_layers),
    },
    registered_name: 'Functional',
    build_config: { input_shape: null },
    compile_config: null,
  };
}

/** `model.save('file.keras')` of Keras 3. */
export async function writeKeras3Archive(file: string, model: tfl.LayersModel, dir: string) {
  await h5wasm.ready;
  const weightsFile = `${dir}/model.weights.h5`;
  const f = new h5wasm.File(weightsFile, 'w');
  try {
    const layers = f.create_group('layers');
    const used = new Map<string, number>();
    for (const layer of model.layers) {
      const base = kerasSnakeCase(layer.getClassName());
      const n = used.get(base);
      used.set(base, n === undefined ? 0 : n + 1);
      const group = layers.create_group(n === undefined ? base : `${base}_${n + 1}`);
      const vars = group.create_group('vars');
      layer.weights.forEach((w, i) => {
        const value = w.read();
        vars.create_dataset({
          name: String(i),
          data: value.dataSync() as Float32Array,
          shape: value.shape,
          dtype: '<f',
        });
      });
    }
    f.create_group('optimizer').create_group('vars');
  } finally {
    f.close();
  }
  const { readFileSync } = await import('node:fs');
  const zip = zipSync({
    'metadata.json': strToU8(JSON.stringify({ keras_version: '3.3.3', date_saved: '2026-12-06@18:00:00' })),
    'config.json': strToU8(JSON.stringify(keras3Config(model))),
    'model.weights.h5': new Uint8Array(readFileSync(weightsFile)),
  });
  writeFileSync(file, zip);
}
