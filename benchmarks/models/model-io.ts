/**
 * Saving and loading TensorFlow.js Layers models (`model.json` + binary weights) with node:fs only, so that it works
 * on every backend without `@tensorflow/tfjs-node`'s `file://` handler.
 */
import { lstatSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { UserError, describeJsonSyntaxError, errorMessage } from '../errors.js';
import { linkProblem } from '../read-roots.js';
// registers the text layers, so that a saved text model loads
import './text-layers.js';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

function toArrayBuffer(data: tf.io.WeightData): ArrayBuffer {
  return Array.isArray(data) ? tf.io.CompositeArrayBuffer.join(data) : data;
}

/** Writes saved model artifacts to `dir` (created if needed) as `model.json` and `weights.bin`. */
export function writeModelArtifacts(artifacts: tf.io.ModelArtifacts, dir: string): tf.io.SaveResult {
  mkdirSync(dir, { recursive: true });
  const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : toArrayBuffer(artifacts.weightData);
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology as object,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
  };
  if (artifacts.trainingConfig !== undefined) modelJson.trainingConfig = artifacts.trainingConfig;
  // weights first: a model.json on disk means its weights are there too
  writeFileSync(join(dir, WEIGHTS_BIN), new Uint8Array(weights));
  writeFileSync(join(dir, MODEL_JSON), JSON.stringify(modelJson));
  return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
}

/** Writes `model` to `dir` (created if needed) as `model.json` and `weights.bin`, the format tfjs and Keras read. */
export async function saveModel(model: tfl.LayersModel, dir: string): Promise<void> {
  await model.save(tf.io.withSaveHandler((artifacts) => Promise.resolve(writeModelArtifacts(artifacts, dir))));
}

class LoadProblem extends Error {}

const BYTES_PER_ELEMENT: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the parts of model.json we rely on, with messages that say what is wrong. */
function parseModelJson(text: string): tf.io.ModelJSON {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new LoadProblem(`${MODEL_JSON} is not valid JSON (${describeJsonSyntaxError(error, text)})`);
  }
  if (!isRecord(parsed)) throw new LoadProblem(`${MODEL_JSON} does not hold a JSON object`);
  if (!isRecord(parsed.modelTopology)) {
    throw new LoadProblem(`${MODEL_JSON} has no "modelTopology" object: it is not a TensorFlow.js Layers model`);
  }
  const manifest = parsed.weightsManifest;
  if (!Array.isArray(manifest)) throw new LoadProblem(`${MODEL_JSON} has no "weightsManifest" list`);
  for (const group of manifest) {
    if (
      !isRecord(group) ||
      !Array.isArray(group.paths) ||
      !group.paths.every((p) => typeof p === 'string') ||
      !Array.isArray(group.weights)
    ) {
      throw new LoadProblem(`${MODEL_JSON}'s "weightsManifest" entries need "paths" (strings) and "weights" (a list)`);
    }
  }
  return parsed as unknown as tf.io.ModelJSON;
}

/** Bytes the manifest's weights take, or null when it cannot be known in advance (string weights). */
function expectedBytes(specs: tf.io.WeightsManifestEntry[]): number | null {
  let total = 0;
  for (const spec of specs) {
    const dtype = spec.quantization?.dtype ?? spec.dtype;
    const bytes = BYTES_PER_ELEMENT[dtype];
    if (bytes === undefined) return null;
    if (!Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new LoadProblem(`weight "${spec.name}" has an invalid shape in ${MODEL_JSON}`);
    }
    total += bytes * spec.shape.reduce((p, d) => p * d, 1);
  }
  return total;
}

/** Reads a model file, refusing a symbolic link that loops or leads out of `serve`'s data folders (read-roots.ts). */
function readModelFile(file: string, name: string): Buffer {
  const problem = lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink() ? linkProblem(file) : null;
  if (problem) throw new LoadProblem(`${name} is ${problem}`);
  return readFileSync(file);
}

function readWeights(
  dir: string,
  modelJson: tf.io.ModelJSON,
): { specs: tf.io.WeightsManifestEntry[]; data: ArrayBuffer } {
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  for (const group of modelJson.weightsManifest) {
    specs.push(...group.weights);
    for (const path of group.paths) {
      // Weights live beside model.json: a manifest must not reach other files (e.g. "../../secret").
      if (isAbsolute(path) || normalize(path).split(/[\\/]/).includes('..')) {
        throw new LoadProblem(
          `weights file ${path} is outside the model's folder: weights files must be beside ${MODEL_JSON}`,
        );
      }
      try {
        parts.push(readModelFile(join(dir, path), `weights file ${path}`));
      } catch (error) {
        throw new LoadProblem(`cannot read weights file ${path} (${errorMessage(error)})`);
      }
    }
  }
  const length = parts.reduce((sum, p) => sum + p.byteLength, 0);
  const data = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    data.set(part, offset);
    offset += part.byteLength;
  }
  const expected = expectedBytes(specs);
  if (expected !== null && expected !== length) {
    throw new LoadProblem(`the weights files hold ${length} bytes but ${MODEL_JSON} describes ${expected}`);
  }
  return { specs, data: data.buffer };
}

/**
 * Reads a TensorFlow.js Layers model's files from `path`: its `model.json`, or the folder holding it (weights files
 * beside it, as the manifest names them), as artifacts that `tf.io.fromMemory` loads, here or in a browser page.
 * Any problem is a UserError `model at <path> does not load: <reason>`.
 */
export function readModelArtifacts(path: string): tf.io.ModelArtifacts {
  let file = resolve(path);
  try {
    if (statSync(file).isDirectory()) file = join(file, MODEL_JSON);
  } catch {
    throw loadFailure(path, 'no such file or folder');
  }
  try {
    let text: string;
    try {
      text = readModelFile(file, file).toString('utf8');
    } catch (error) {
      if (error instanceof LoadProblem) throw error;
      throw new LoadProblem(`cannot read ${file} (${errorMessage(error)})`);
    }
    const modelJson = parseModelJson(text);
    const { specs, data } = readWeights(dirname(file), modelJson);
    return tf.io.getModelArtifactsForJSONSync(modelJson, specs, data);
  } catch (error) {
    throw loadFailure(path, errorMessage(error));
  }
}

/** one line, as UserErrors are shown (tfjs' own messages can span several) */
function loadFailure(path: string, reason: string): UserError {
  return new UserError(`model at ${path} does not load: ${reason.replace(/\s*\n\s*/g, ' ')}`);
}

/** Loads a TensorFlow.js Layers model from `path` (see readModelArtifacts) onto the active backend. */
export async function loadModel(path: string): Promise<tfl.LayersModel> {
  const artifacts = readModelArtifacts(path);
  try {
    return await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (error) {
    throw loadFailure(path, errorMessage(error));
  }
}
