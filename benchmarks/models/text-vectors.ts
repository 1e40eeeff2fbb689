/**
 * Pretrained word vectors as a source: a text architecture whose embedding starts from them (rows of words the
 * vectors lack, and padding, stay as the architecture draws them), saved as a model that a suite brings as its
 * `pretrainedModel` with the target's vocabulary as a file. `finetune` then trains the vectors on, `partial` from
 * `conv_k3` (or an encoder block) keeps them frozen, `linear-probe` trains the head alone.
 *
 * Vectors come from a `.vec` file (fastText's text format, which GloVe's files are but for the header line: an
 * optional first line "count dim", then "word v1 … vdim" per line; gzipped if the name ends in .gz), or by name from
 * VECTOR_CATALOGUE, downloaded on first use into the model cache (`vectors/`), through a `.partial` file renamed when
 * complete. `TRANSFER_BENCH_VECTORS_URL` replaces the catalogue's host (tests serve a fixture from a local server).
 */
import { createReadStream, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type * as tfl from '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { UserError, errorMessage } from '../errors.js';
import { modelCacheDir } from '../paths.js';
import type { TextArchitectureSpec } from '../spec/suite-schema.js';
import { buildModel } from './architectures.js';
import { VECTOR_CATALOGUE } from '../spec/vector-catalogue.js';

export { VECTOR_CATALOGUE };

/** The URL of a catalogue entry, its host replaced by TRANSFER_BENCH_VECTORS_URL when set. */
export function vectorsUrl(name: string): string {
  const entry = VECTOR_CATALOGUE[name];
  if (!entry) {
    throw new UserError(
      `no word vectors named "${name}" (known: ${Object.keys(VECTOR_CATALOGUE).join(', ')}); or give a .vec file`,
    );
  }
  const base = process.env.TRANSFER_BENCH_VECTORS_URL;
  if (!base) return entry.url;
  return `${base.replace(/\/$/, '')}${new URL(entry.url).pathname}`;
}

/** The path of the vectors named `name` in the cache, downloaded first when they are not there. */
export async function downloadVectors(name: string): Promise<string> {
  const url = vectorsUrl(name);
  const dir = join(modelCacheDir(), 'vectors');
  const path = join(dir, `${name}.vec.gz`);
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  const partial = `${path}.partial-${process.pid}`;
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    writeFileSync(partial, new Uint8Array(await response.arrayBuffer()));
    renameSync(partial, path);
    return path;
  } catch (error) {
    rmSync(partial, { force: true });
    throw new UserError(`cannot download word vectors "${name}" from ${url}: ${errorMessage(error)}`);
  }
}

/**
 * The vectors of the words in `wanted` from a `.vec` file (gzipped when it ends in .gz): one line at a time, so a
 * file of millions of words costs only the rows kept. Refuses, naming the line, a row of another dimension or a value
 * that is not a number.
 */
export async function readVectors(
  path: string,
  wanted: ReadonlySet<string>,
): Promise<{ dim: number; vectors: Map<string, Float32Array> }> {
  if (!existsSync(path) || statSync(path).isDirectory())
    throw new UserError(`word vectors file ${path} does not exist`);
  const stream = createReadStream(path);
  const lines = createInterface({
    input: path.endsWith('.gz') ? stream.pipe(createGunzip()) : stream,
    crlfDelay: Infinity,
  });
  const vectors = new Map<string, Float32Array>();
  let dim = 0;
  let n = 0;
  for await (const line of lines) {
    n++;
    const parts = line.trimEnd().split(' ');
    if (n === 1 && parts.length === 2 && /^\d+$/.test(parts[0]!) && /^\d+$/.test(parts[1]!)) {
      dim = Number(parts[1]);
      continue;
    }
    if (parts.length < 2) continue;
    dim ||= parts.length - 1;
    if (parts.length - 1 !== dim) {
      throw new UserError(`word vectors file ${path}, line ${n}: ${parts.length - 1} values where the file has ${dim}`);
    }
    const word = parts[0]!;
    if (!wanted.has(word) || vectors.has(word)) continue;
    const values = Float32Array.from(parts.slice(1), Number);
    if (values.some((v) => !Number.isFinite(v))) {
      throw new UserError(`word vectors file ${path}, line ${n}: a value of "${word}" is not a number`);
    }
    vectors.set(word, values);
  }
  if (dim === 0) throw new UserError(`word vectors file ${path} has no vectors`);
  return { dim, vectors };
}

/**
 * The text architecture `arch` (its embedding as wide as the vectors) with the embedding rows of the vocabulary's
 * words set from `vectors`; other rows as the architecture draws them. Returns the model (the caller disposes it)
 * and how many words had a vector.
 */
export function modelFromVectors(
  arch: TextArchitectureSpec,
  inputShape: [number, number, number],
  numClasses: number,
  vocabulary: readonly string[],
  vectors: { dim: number; vectors: Map<string, Float32Array> },
): { model: tfl.LayersModel; found: number } {
  if (arch.embeddingDim !== vectors.dim) {
    throw new UserError(
      `the word vectors have ${vectors.dim} dimensions but the ${arch.name} embedding has ${arch.embeddingDim}: set embeddingDim to ${vectors.dim}`,
    );
  }
  const model = buildModel(arch, inputShape, numClasses, 0);
  const layer = model.getLayer('embedding');
  // the layer's own variable: read, never disposed
  const rows = layer.getWeights()[0]!.dataSync().slice();
  let found = 0;
  vocabulary.forEach((word, id) => {
    const v = vectors.vectors.get(word);
    if (!v || id >= arch.vocabularySize) return;
    rows.set(v, id * vectors.dim);
    found++;
  });
  const values = tf.tensor2d(rows, [arch.vocabularySize, vectors.dim]);
  layer.setWeights([values]);
  values.dispose();
  return { model, found };
}
