import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { BackendName, PretrainRecord } from '../domain.js';
import { KERNELS_VERSION } from '../backend/kernels-version.js';
import { modelCacheDir } from '../paths.js';
import { datasetPaths } from '../spec/suite-data-paths.js';
import { architectureName } from '../spec/describe-architecture.js';
import type { DatasetSource, SuiteSpec } from '../spec/suite-schema.js';

/** Bump when pretraining changes in a way that makes cached models stale. */
const PRETRAIN_VERSION = 1;
export const PRETRAIN_META = 'pretrain.json';
/** Beside a cached model: the pretrainIdentity its key was made from (models cached before it existed have none). */
export const PRETRAIN_KEY = 'key.json';

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** Every file under `path` (itself when it is a file), sorted, so a folder's fingerprint does not depend on listing order. */
function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/**
 * What the source data is, by content: every file it reads is hashed byte for byte (folders file by file), so a
 * file replaced at the same path gives another fingerprint, hence another cache key. About 0.1 s for Fashion-MNIST's
 * 26 MB. The `mnist` package's data is fixed by its version.
 */
export function datasetFingerprint(source: DatasetSource, baseDir: string): Record<string, string> {
  if (source.kind === 'mnist') {
    const pkg = createRequire(import.meta.url)('mnist/package.json') as { version: string };
    return { mnist: pkg.version };
  }
  const files = [...new Set(datasetPaths(source, baseDir).flatMap(filesUnder))];
  return Object.fromEntries(files.map((file) => [file, sha256(readFileSync(file))]));
}

/**
 * What computes a pretraining, besides the suite: the backend, tfjs' version and (on wasm) the version of our own
 * training kernels. Each rounds its sums in its own order, so each gives a source model of its own.
 */
export function pretrainEngine(backend: BackendName): Record<string, string | number> {
  const tfjs = (createRequire(import.meta.url)('@tensorflow/tfjs-core/package.json') as { version: string }).version;
  return { backend, tfjs, ...(backend === 'wasm' ? { kernels: KERNELS_VERSION } : {}) };
}

/**
 * Cache key of a suite's source model: dataset (with its files' content), architecture, epochs, optimiser settings,
 * seed, and the engine that pretrains it (`pretrainEngine`: the run's backend, so a model pretrained on another
 * backend or before a kernel change is not reused). It reads the data files: compute it once per run.
 */
export function pretrainCacheKey(spec: SuiteSpec, baseDir: string, backend: BackendName): string | null {
  const identity = pretrainIdentity(spec, baseDir, backend);
  return identity ? cacheKeyOf(spec, identity) : null;
}

/** The key of a source model made from `identity` (pretrainIdentity of `spec`). */
export function cacheKeyOf(spec: SuiteSpec, identity: PretrainIdentity): string {
  return `${architectureName(spec.architecture)}-${sha256(JSON.stringify(identity)).slice(0, 16)}`;
}

/** What a source model's cache key is a hash of: kept beside the model (PRETRAIN_KEY) to say why a key changed. */
export type PretrainIdentity = Record<string, unknown>;

/** The inputs of pretrainCacheKey, or null when the suite pretrains nothing. */
export function pretrainIdentity(spec: SuiteSpec, baseDir: string, backend: BackendName): PretrainIdentity | null {
  if (!spec.pretrain) return null;
  return {
    version: PRETRAIN_VERSION,
    engine: pretrainEngine(backend),
    architecture: spec.architecture,
    pretrain: spec.pretrain,
    data: datasetFingerprint(spec.pretrain.dataset, baseDir),
    // a text source is encoded with the text target's vocabulary, which its training pool decides
    ...(spec.pretrain.dataset.kind === 'text' && spec.target.dataset.kind === 'text'
      ? {
          vocabularyOf: {
            target: spec.target,
            data: datasetFingerprint(spec.target.dataset, baseDir),
          },
        }
      : {}),
    // only when not the default, so that models cached before the setting existed keep their keys
    ...(spec.pixelScaling !== '[0,1]' ? { pixelScaling: spec.pixelScaling } : {}),
  };
}

export function pretrainDir(cacheKey: string): string {
  return join(modelCacheDir(), cacheKey);
}

/** The record of a finished pretraining in the cache, or null when there is none. */
export function readCachedPretrain(cacheKey: string): PretrainRecord | null {
  const meta = join(pretrainDir(cacheKey), PRETRAIN_META);
  if (!existsSync(meta) || !existsSync(join(pretrainDir(cacheKey), 'model.json'))) return null;
  return JSON.parse(readFileSync(meta, 'utf8')) as PretrainRecord;
}
