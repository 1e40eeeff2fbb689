import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BackendInfo } from '../backend/select-backend.js';
import { decodeTask } from '../datasets/task-file.js';
import { describeDataset } from '../spec/describe-dataset.js';
import type { PretrainRecord } from '../domain.js';
import { saveModel } from '../models/model-io.js';
import type { PretrainJob } from './jobs.js';
import { loadSourceTask } from './source-task.js';
import { PRETRAIN_KEY, PRETRAIN_META, cacheKeyOf } from './pretrain-cache.js';
import { pretrainModel, type PretrainedModel, type PretrainProgress } from './pretrain-model.js';
import type { TrialTask } from './train-trial.js';

/** The source task of a pretraining job, read from its data files (or from its task file, on a worker). */
export async function pretrainTask(job: PretrainJob): Promise<TrialTask> {
  const pretrain = job.spec.pretrain;
  if (!pretrain) throw new Error(`suite ${job.spec.name} has no pretraining stage`);
  if (job.taskFile) return decodeTask(readFileSync(job.taskFile));
  const task = await loadSourceTask(job.spec, job.baseDir);
  return { pool: task.pool, test: task.test, standardise: task.standardise };
}

/** The record stored with a suite for a pretraining that just ran. */
export function pretrainRecord(
  job: PretrainJob,
  trained: Omit<PretrainedModel, 'model'>,
  backend: BackendInfo,
): PretrainRecord {
  return {
    cacheKey: job.cacheKey,
    reused: false,
    sourceDescription: describeDataset(job.spec.pretrain!.dataset),
    epochs: trained.epochs,
    wallSeconds: trained.wallSeconds,
    trainFlops: trained.trainFlops,
    sourceTestAccuracy: trained.sourceTestAccuracy,
    backend: backend.name,
  };
}

/**
 * Writes a pretrained model and its record into the cache folder, through a staging folder so that a run killed
 * half-way never leaves a model.json without its weights. `write` saves the model files into the folder it is given.
 */
export async function storePretrained(
  job: PretrainJob,
  record: PretrainRecord,
  write: (dir: string) => Promise<void>,
): Promise<void> {
  const staging = `${job.outDir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(dirname(staging), { recursive: true });
  try {
    await write(staging);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  writeFileSync(join(staging, PRETRAIN_META), JSON.stringify(record, null, 2));
  // what the key was made from, so that a later run whose key differs can say why (cache-miss.ts)
  if (job.identity && cacheKeyOf(job.spec, job.identity) === job.cacheKey) {
    writeFileSync(join(staging, PRETRAIN_KEY), JSON.stringify(job.identity, null, 2));
  }
  rmSync(job.outDir, { recursive: true, force: true });
  renameSync(staging, job.outDir);
}

/** Trains the suite's architecture on the source task and writes it, with its cost, to the cache folder. */
export async function runPretrain(
  job: PretrainJob,
  backend: BackendInfo,
  onEpoch: PretrainProgress,
): Promise<PretrainRecord> {
  const trained = await pretrainModel(job.spec, await pretrainTask(job), onEpoch);
  try {
    const record = pretrainRecord(job, trained, backend);
    await storePretrained(job, record, (dir) => saveModel(trained.model, dir));
    return record;
  } finally {
    trained.model.dispose();
  }
}
