import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { LabelledImages } from '../datasets/labelled-images.js';
import { loadTask, type TaskData } from '../datasets/load-dataset.js';
import { decodeTask, type TaskArrays } from '../datasets/task-file.js';
import { loadModel } from '../models/model-io.js';
import type { DatasetSource } from '../spec/suite-schema.js';

/**
 * What a worker process keeps between trials: each dataset (decoded, as trials read it) and each source model,
 * loaded once and reused by every later trial, learning-rate candidate and fold of the process.
 *
 * Keys say what an entry is: a dataset by its source, test split and base folder (a task file by its path, size and
 * modification time); a source model by its model.json path, size and modification time, so a model written again at
 * the same path (a pretraining re-run, a file the user replaced) is loaded again rather than served stale.
 *
 * The memory it holds is bounded: when the entries' bytes (image and label arrays; a model's weights) pass
 * `MAX_WORKER_CACHE_BYTES`, the least recently used go first, at least one entry always stays (the one just used).
 * An evicted model's weights are disposed once its load has settled; a model is only evicted between trials, since a
 * worker runs one job at a time and a trial's model is the most recently used entry.
 */
export const MAX_WORKER_CACHE_BYTES = 1.5 * 1024 ** 3;

interface Entry<V> {
  value: Promise<V>;
  bytes: number;
  release?: (value: V) => void;
}

/** Loads, hits and evictions since the process started (tests and perf read them). */
export const workerCacheStats = { loads: 0, hits: 0, evictions: 0 };

const entries = new Map<string, Entry<unknown>>();

function evictBeyond(limit: number): void {
  let total = 0;
  for (const entry of entries.values()) total += entry.bytes;
  // a Map iterates in insertion order, and a hit re-inserts its entry: the first is the least recently used
  for (const [key, entry] of entries) {
    if (total <= limit || entries.size <= 1) break;
    entries.delete(key);
    total -= entry.bytes;
    workerCacheStats.evictions++;
    const release = entry.release;
    if (release) entry.value.then(release, () => {});
  }
}

function cached<V>(
  key: string,
  load: () => Promise<V>,
  size: (value: V) => number,
  release?: (value: V) => void,
): Promise<V> {
  const hit = entries.get(key) as Entry<V> | undefined;
  if (hit) {
    entries.delete(key);
    entries.set(key, hit as Entry<unknown>);
    workerCacheStats.hits++;
    return hit.value;
  }
  workerCacheStats.loads++;
  const entry: Entry<V> = { value: load(), bytes: 0, ...(release ? { release } : {}) };
  entries.set(key, entry as Entry<unknown>);
  entry.value.then(
    (value) => {
      entry.bytes = size(value);
      if (entries.get(key) === entry) evictBeyond(MAX_WORKER_CACHE_BYTES);
    },
    () => {
      if (entries.get(key) === entry) entries.delete(key);
    },
  );
  return entry.value;
}

const imageBytes = (set: LabelledImages): number => set.images.byteLength + set.labels.byteLength;

/** Identifies a file's current content cheaply: a file rewritten at the same path gets another key. */
function fileIdentity(path: string): string {
  try {
    const stat = statSync(path);
    return `${path}@${stat.size}:${stat.mtimeMs}`;
  } catch {
    return path; // the load reports the missing file
  }
}

export function cachedTask(source: DatasetSource, testPerClass: number, baseDir: string): Promise<TaskData> {
  return cached(
    JSON.stringify(['task', source, testPerClass, baseDir]),
    () => loadTask(source, testPerClass, { baseDir }),
    (task) => imageBytes(task.pool) + imageBytes(task.test),
  );
}

export function cachedModel(path: string): Promise<LayersModel> {
  return cached(
    JSON.stringify(['model', fileIdentity(path)]),
    () => loadModel(path),
    (model) => model.weights.reduce((sum, w) => sum + w.shape.reduce<number>((p, d) => p * (d ?? 1), 1) * 4, 0),
    (model) => model.dispose(),
  );
}

/** A task read from a task file (a suite run on workers, datasets/task-file.ts), once per process. */
export function cachedTaskFile(path: string): Promise<TaskArrays> {
  return cached(
    JSON.stringify(['task-file', fileIdentity(path)]),
    () => readFile(path).then(decodeTask),
    (task) => imageBytes(task.pool) + imageBytes(task.test),
  );
}

/** Forgets every entry, disposing the models (tests; a worker that is told to let go of its memory). */
export function clearWorkerCache(): void {
  const all = [...entries.values()];
  entries.clear();
  for (const entry of all) if (entry.release) entry.value.then(entry.release, () => {});
}
