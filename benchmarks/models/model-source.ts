/**
 * What a `pretrainedModel.path` (and `init --source`) can name, and turning each into the TensorFlow.js Layers files
 * the engine loads:
 *
 * - a catalogue name (`imagenet/mobilenet-v2-0.35`, see catalogue.ts): downloaded on first use into the model cache
 *   (`<cache>/catalogue/<name>/download/`), checked, and prepared as the backbone cut where the table says
 *   (`<cache>/catalogue/<name>/model/`);
 * - a Keras file (`.h5`: Keras 2, full model or weights with a named architecture; `.keras`: Keras 3) converted into
 *   the cache (`<cache>/keras/<hash of the file>/`), see keras-file.ts;
 * - a TensorFlow.js `model.json` or its folder, read where it is.
 *
 * `prepareModel` (async: may download or convert) runs before a suite is checked or stored (init, run, resume);
 * `engineModelPath` (sync) then names the files every later step reads. The SHA-256 of the weights as loaded is what
 * the suite records (`pretrainedModel.sha256`): a run refuses weights that differ from the ones init saw.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
// the backend models are built on when the process has chosen none (ensureBackend)
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { UserError, errorMessage } from '../errors.js';
import { modelCacheDir } from '../paths.js';
import { suiteSources } from '../spec/sources.js';
import type { PixelScaling, PretrainedModelSpec, SuiteSpec } from '../spec/suite-schema.js';
import {
  catalogueEntry,
  catalogueUrl,
  CATALOGUE,
  MODEL_DIR_ENV,
  looksLikeCatalogueName,
  preparedCutLayer,
  type CatalogueEntry,
} from '../spec/model-catalogue.js';
import { downloadFile, type DownloadProgress } from './download.js';
import { MODEL_JSON, readModelArtifacts, writeModelArtifacts } from './model-io.js';

export type ModelSourceKind = 'catalogue' | 'tfjs' | 'keras-h5' | 'keras-archive';

export interface DownloadReport {
  /** The catalogue name of the model being fetched. */
  model: string;
  /** The file being fetched, e.g. "group1-shard1of2.bin". */
  file: string;
  /** Bytes of the whole model fetched so far, and its size (from its manifest). */
  bytes: number;
  total: number;
}

export interface PrepareOptions {
  /**
   * A folder holding catalogue models' files placed by hand: no download. Default: TRANSFER_BENCH_MODEL_DIR (what
   * `--model-dir` sets). See placedModelDir for the layouts it may have.
   */
  modelDir?: string | undefined;
  onDownload?: (progress: DownloadReport) => void;
  /** Download attempts per file (default 4) and the first pause between them (default 500 ms). */
  attempts?: number;
  backoffMs?: number;
}

export interface PreparedModel {
  kind: ModelSourceKind;
  /** The model.json the engine loads. */
  path: string;
  /** SHA-256 (hex) of the weights as loaded: their manifest entries and bytes. */
  sha256: string;
  /** The layer to cut at unless the user names one: the catalogue's, else none (the caller decides). */
  cutLayer?: string;
  entry?: CatalogueEntry;
  /** How the model's training scaled pixels, when known (catalogue models). */
  pixelScaling?: PixelScaling;
  /** True when this call downloaded or converted something (false: all came from the cache or the file). */
  fetched: boolean;
}

export function modelSourceKind(path: string): ModelSourceKind {
  if (looksLikeCatalogueName(path)) return 'catalogue';
  if (/\.h5$/i.test(path) || /\.hdf5$/i.test(path)) return 'keras-h5';
  if (/\.keras$/i.test(path)) return 'keras-archive';
  return 'tfjs';
}

/** True when `path` names a model (any kind) rather than data: what `init --source` uses to tell them apart. */
export function isModelSource(path: string, baseDir = '.'): boolean {
  const kind = modelSourceKind(path);
  if (kind !== 'tfjs') return true;
  const full = resolve(baseDir, path);
  if (full.endsWith('.json')) return true;
  return existsSync(full) && statSync(full).isDirectory() && existsSync(join(full, MODEL_JSON));
}

function requireEntry(name: string): CatalogueEntry {
  const entry = catalogueEntry(name);
  if (!entry) {
    throw new UserError(
      `"${name}" is not in the model catalogue; its names: ${CATALOGUE.map((e) => e.name).join(', ')}`,
    );
  }
  return entry;
}

function catalogueDir(entry: CatalogueEntry): string {
  return join(modelCacheDir(), 'catalogue', ...entry.name.split('/'));
}

/** Where a catalogue model's downloaded files go, as published: the folder to place them in by hand. */
export function catalogueDownloadDir(entry: CatalogueEntry): string {
  return join(catalogueDir(entry), 'download');
}

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The folder a Keras file is converted into: keyed by the file's content, so an edited file converts again. */
export function kerasCacheDir(file: string): string {
  return join(modelCacheDir(), 'keras', sha256File(file).slice(0, 32));
}

/**
 * The model.json the engine reads for a `pretrainedModel.path` (relative to `baseDir`), after prepareModel. Sync:
 * what every step after the preparation calls (checks, workers, the distributed coordinator).
 */
export function engineModelPath(path: string, baseDir: string): string {
  switch (modelSourceKind(path)) {
    case 'catalogue':
      return join(catalogueDir(requireEntry(path)), 'model', MODEL_JSON);
    case 'keras-h5':
    case 'keras-archive': {
      const file = resolve(baseDir, path);
      if (!existsSync(file)) throw new UserError(`Keras file ${file} does not exist`);
      return join(kerasCacheDir(file), MODEL_JSON);
    }
    case 'tfjs':
      return resolve(baseDir, path);
  }
}

/** SHA-256 of loaded weights: their manifest entries (names, shapes, dtypes, quantisation) and their bytes. */
export function weightsHash(artifacts: tf.io.ModelArtifacts): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(artifacts.weightSpecs ?? []));
  const data = artifacts.weightData;
  const buffer =
    data === undefined ? new ArrayBuffer(0) : Array.isArray(data) ? tf.io.CompositeArrayBuffer.join(data) : data;
  hash.update(new Uint8Array(buffer));
  return hash.digest('hex');
}

/** A backend to build models on: the active one, else tfjs' best registered one, else cpu. */
async function ensureBackend(): Promise<void> {
  try {
    await tf.ready();
  } catch {
    await tf.setBackend('cpu');
  }
}

function describeFetchError(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const inner = cause?.cause instanceof Error ? cause.cause : undefined;
  const detail = inner ?? cause;
  const code = detail && 'code' in detail ? String((detail as { code: unknown }).code) : '';
  const base = errorMessage(error);
  return detail && !base.includes(detail.message) ? `${base} (${code || detail.message})` : base;
}

function offlineMessage(entry: CatalogueEntry, url: string, reason: string): string {
  const dir = catalogueDownloadDir(entry);
  return (
    `cannot download ${entry.name} from ${url} (${reason}): without network, fetch model.json and the weights files ` +
    `it lists from ${dirname(url)}/ elsewhere and put them in ${dir}, or give --model-dir <folder holding them>`
  );
}

/** The manifest's weights files, each with the bytes its weights take. */
function manifestFiles(modelJson: tf.io.ModelJSON): { path: string }[] {
  return modelJson.weightsManifest.flatMap((group) => group.paths.map((path) => ({ path })));
}

const BYTES: Readonly<Record<string, number>> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2, bool: 1 };

function manifestBytes(modelJson: tf.io.ModelJSON): number {
  return modelJson.weightsManifest
    .flatMap((g) => g.weights)
    .reduce((n, w) => n + (BYTES[w.quantization?.dtype ?? w.dtype] ?? 4) * w.shape.reduce((p, d) => p * d, 1), 0);
}

function readManifest(file: string): tf.io.ModelJSON {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as tf.io.ModelJSON;
  } catch (error) {
    rmSync(file, { force: true });
    throw new UserError(`${file} is not a model.json (${errorMessage(error)}); removed it, try again`);
  }
}

/**
 * Where in a `--model-dir` folder an entry's files are: the folder named as the catalogue names it
 * (`<dir>/imagenet/mobilenet-v2-0.35/`), the folder named as the host names it
 * (`<dir>/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_224_no_top/`), or the folder itself (one model's
 * files). One folder can so hold every model a suite names.
 */
export function placedModelDir(entry: CatalogueEntry, modelDir: string): string {
  const hosted = entry.hostPath.split('/').slice(-2, -1);
  for (const dir of [join(modelDir, ...entry.name.split('/')), join(modelDir, ...hosted)]) {
    if (existsSync(join(dir, MODEL_JSON))) return dir;
  }
  return modelDir;
}

/**
 * Removes `dir` and its parents up to (not including) `stop` while they are empty: a download that failed before its
 * first byte leaves no folders behind (a partial `.part` file stays, to be resumed).
 */
function pruneEmptyDirs(dir: string, stop: string): void {
  for (let d = dir; d.startsWith(stop + sep) && existsSync(d) && readdirSync(d).length === 0; d = dirname(d)) {
    rmdirSync(d);
  }
}

/** Gets a catalogue model's published files into its download folder: copied from `modelDir`, or downloaded. */
async function fetchCatalogueFiles(entry: CatalogueEntry, options: PrepareOptions): Promise<boolean> {
  const dir = catalogueDownloadDir(entry);
  const url = catalogueUrl(entry);
  const base = url.slice(0, url.lastIndexOf('/') + 1);
  const given = options.modelDir ?? process.env[MODEL_DIR_ENV];
  const modelDir = given === undefined || given === '' ? undefined : placedModelDir(entry, resolve(given));
  let fetched = false;
  const get = async (name: string, done: number, total: number) => {
    const target = join(dir, name);
    if (existsSync(target)) return;
    fetched = true;
    if (modelDir !== undefined) {
      const from = join(modelDir, name);
      if (!existsSync(from)) {
        throw new UserError(
          `--model-dir ${given} has no ${name} for ${entry.name}: put the files of ${base} in it (or in its subfolder ${entry.name})`,
        );
      }
      mkdirSync(dir, { recursive: true });
      copyFileSync(from, target);
      return;
    }
    try {
      await downloadFile(base + name, target, {
        ...(options.attempts !== undefined ? { attempts: options.attempts } : {}),
        ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}),
        onProgress: (p: DownloadProgress) =>
          options.onDownload?.({ model: entry.name, file: name, bytes: done + p.bytes, total }),
      });
    } catch (error) {
      pruneEmptyDirs(dir, modelCacheDir());
      // the URL is in the message already: only why
      const why = describeFetchError(error).replace(`${base + name}: `, '');
      throw new UserError(offlineMessage(entry, base + name, why.replace(/\s*\n\s*/g, ' ')));
    }
  };
  await get(MODEL_JSON, 0, 0);
  const modelJson = readManifest(join(dir, MODEL_JSON));
  const files = manifestFiles(modelJson);
  const total = manifestBytes(modelJson);
  let done = 0;
  for (const { path } of files) {
    const name = path.replace(/^\.\//, '');
    if (name.includes('/') || name.includes('\\')) {
      throw new UserError(`${entry.name}'s model.json names a weights file outside its folder (${path})`);
    }
    await get(name, done, total);
    done += statSync(join(dir, name)).size;
    // files copied from --model-dir are not a download: no progress bar
    if (modelDir === undefined) options.onDownload?.({ model: entry.name, file: name, bytes: done, total });
  }
  return fetched;
}

/**
 * Checks a catalogue model's published files against the table (input, cut layer and its output shape; the
 * manifest's sizes are checked as they are read) and writes the backbone the engine loads: the model up to the cut,
 * then the table's pooling.
 */
async function prepareCatalogueModel(entry: CatalogueEntry): Promise<void> {
  const dir = catalogueDownloadDir(entry);
  const wrong = (what: string) =>
    new UserError(
      `the files in ${dir} are not ${entry.name}: ${what}; delete the folder and run again to download them afresh`,
    );
  let artifacts: tf.io.ModelArtifacts;
  try {
    artifacts = readModelArtifacts(dir);
  } catch (error) {
    throw wrong(errorMessage(error));
  }
  await ensureBackend();
  const model = await tfl.loadLayersModel(tf.io.fromMemory(artifacts)).catch((error: unknown) => {
    throw wrong(errorMessage(error));
  });
  try {
    const input = (model.inputs[0]?.shape ?? []).slice(1);
    const expected = [entry.inputSize, entry.inputSize, 3];
    if (input.join('×') !== expected.join('×')) throw wrong(`it takes ${input.join('×')}, not ${expected.join('×')}`);
    const names = model.layers.map((l) => l.name);
    if (!names.includes(entry.cutLayer)) throw wrong(`it has no layer "${entry.cutLayer}"`);
    const cut = model.getLayer(entry.cutLayer).output as tfl.SymbolicTensor;
    const shape = cut.shape.slice(1);
    if (shape.join('×') !== entry.cutShape.join('×')) {
      throw wrong(`its layer "${entry.cutLayer}" gives ${shape.join('×')}, not ${entry.cutShape.join('×')}`);
    }
    const pool =
      entry.pooling === 'avg'
        ? tfl.layers.globalAveragePooling2d({ name: preparedCutLayer(entry) })
        : tfl.layers.flatten({ name: preparedCutLayer(entry) });
    const backbone = tfl.model({
      inputs: model.inputs,
      outputs: pool.apply(cut) as tfl.SymbolicTensor,
      name: entry.name.replace(/[^a-z0-9_.-]/gi, '_'),
    });
    const out = join(catalogueDir(entry), 'model');
    rmSync(out, { recursive: true, force: true });
    await backbone.save(tf.io.withSaveHandler((a) => Promise.resolve(writeModelArtifacts(a, out))));
  } finally {
    model.dispose();
  }
}

/**
 * Gets the model `path` names ready for the engine (see the top of this file) and says what it is. Any problem is
 * one UserError line naming the model; nothing is written outside the model cache.
 */
export async function prepareModel(
  path: string,
  baseDir: string,
  options: PrepareOptions = {},
): Promise<PreparedModel> {
  const kind = modelSourceKind(path);
  let fetched = false;
  let entry: CatalogueEntry | undefined;
  if (kind === 'catalogue') {
    entry = requireEntry(path);
    const ready = join(catalogueDir(entry), 'model', MODEL_JSON);
    if (!existsSync(ready)) {
      fetched = await fetchCatalogueFiles(entry, options);
      await prepareCatalogueModel(entry);
    }
  } else if (kind === 'keras-h5' || kind === 'keras-archive') {
    const { convertKerasFile } = await import('./keras-file.js');
    const file = resolve(baseDir, path);
    const target = engineModelPath(path, baseDir);
    if (!existsSync(target)) {
      await convertKerasFile(file, dirname(target));
      fetched = true;
    }
  }
  const modelPath = engineModelPath(path, baseDir);
  const sha256 = weightsHash(readModelArtifacts(modelPath));
  return {
    kind,
    path: modelPath,
    sha256,
    fetched,
    ...(entry ? { entry, cutLayer: preparedCutLayer(entry), pixelScaling: entry.pixelScaling } : {}),
  };
}

/**
 * Prepares every model a suite brings (see prepareModel) before it is checked or stored, and refuses weights other
 * than the ones the suite recorded (`sha256`). Returns the suite with every brought model's `sha256` filled in (a
 * hand-written or built-in suite records the weights its run used). A source's name prefixes its errors.
 */
export async function prepareSuiteModels(
  spec: SuiteSpec,
  baseDir: string,
  options: PrepareOptions = {},
): Promise<{ spec: SuiteSpec; prepared: PreparedModel[] }> {
  const prepared: PreparedModel[] = [];
  const hashes = new Map<string | null, string>();
  for (const source of suiteSources(spec)) {
    const model = source.pretrainedModel;
    if (!model) continue;
    const where = source.name === null ? '' : `source "${source.name}": `;
    try {
      const ready = await prepareModel(model.path, baseDir, options);
      if (model.sha256 !== undefined && model.sha256 !== ready.sha256) {
        throw new UserError(
          `the weights of ${model.path} are not the ones this suite was written for (SHA-256 ${ready.sha256}, the suite records ${model.sha256}): bring the model it names, or write the suite again with init`,
        );
      }
      prepared.push(ready);
      hashes.set(source.name, ready.sha256);
    } catch (error) {
      if (error instanceof UserError && where) throw new UserError(where + error.message);
      throw error;
    }
  }
  const hashed = <T extends { pretrainedModel?: PretrainedModelSpec | undefined }>(s: T, name: string | null): T => {
    const sha256 = hashes.get(name);
    return s.pretrainedModel && sha256 ? { ...s, pretrainedModel: { ...s.pretrainedModel, sha256 } } : s;
  };
  const filled: SuiteSpec = spec.sources
    ? { ...spec, sources: spec.sources.map((s) => hashed(s, s.name)) }
    : hashed(spec, null);
  return { spec: filled, prepared };
}
