import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BackendInfo } from '../backend/select-backend.js';
import { loadTask } from '../datasets/load-dataset.js';
import { fitScaling } from '../datasets/standardise.js';
import { describeDataset } from '../spec/describe-dataset.js';
import type { PretrainRecord } from '../domain.js';
import { architectureInputShape, buildModel } from '../models/architectures.js';
import { estimateTrainingFlops } from '../models/flops.js';
import { saveModel } from '../models/model-io.js';
import type { PretrainJob } from './jobs.js';
import { evaluate } from './metrics.js';
import { PRETRAIN_META } from './pretrain-cache.js';
import { disposeSplit, toSplit } from './tensor-splits.js';
import { trainLoop } from './train-loop.js';

/** Trains the suite's architecture on the source task and writes it, with its cost, to the cache folder. */
export async function runPretrain(
  job: PretrainJob,
  backend: BackendInfo,
  onEpoch: (epoch: number, epochs: number, loss: number, accuracy: number) => void,
): Promise<PretrainRecord> {
  const pretrain = job.spec.pretrain;
  if (!pretrain) throw new Error(`suite ${job.spec.name} has no pretraining stage`);
  const task = await loadTask(pretrain.dataset, pretrain.testPerClass, { baseDir: job.baseDir });
  const numClasses = task.pool.classNames.length;
  const inputShape = architectureInputShape(job.spec.architecture, [
    task.pool.height,
    task.pool.width,
    task.pool.channels,
  ]);
  const model = buildModel(job.spec.architecture, inputShape, numClasses, pretrain.seed);
  const adapter = task.standardise ? undefined : { shape: inputShape, scaling: job.spec.pixelScaling };
  const scaling = task.standardise
    ? fitScaling(
        task.pool,
        Int32Array.from({ length: task.pool.count }, (_, i) => i),
      )
    : undefined;
  const train = toSplit(task.pool, undefined, scaling, adapter);
  const test = toSplit(task.test, undefined, scaling, adapter);
  try {
    const loop = await trainLoop({
      model,
      budget: {
        optimizer: 'adam',
        learningRate: pretrain.learningRate,
        batchSize: pretrain.batchSize,
        epochs: pretrain.epochs,
        minSteps: 0,
        patience: null,
      },
      train,
      val: test,
      evalEverySteps: 1,
      seed: pretrain.seed,
      onEvaluation: (record, maxEpochs) => onEpoch(record.epoch, maxEpochs, record.trainLoss, record.trainAccuracy),
    });
    if (loop.diverged) throw new Error('pretraining diverged (loss became NaN): lower pretrain.learningRate');
    const record: PretrainRecord = {
      cacheKey: job.cacheKey,
      reused: false,
      sourceDescription: describeDataset(pretrain.dataset),
      epochs: loop.epochs,
      wallSeconds: loop.seconds,
      trainFlops: estimateTrainingFlops(model, loop.samples),
      sourceTestAccuracy: evaluate(model, test).accuracy,
      backend: backend.name,
    };
    const staging = `${job.outDir}.partial-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(dirname(staging), { recursive: true });
    await saveModel(model, staging);
    writeFileSync(join(staging, PRETRAIN_META), JSON.stringify(record, null, 2));
    rmSync(job.outDir, { recursive: true, force: true });
    renameSync(staging, job.outDir);
    return record;
  } finally {
    model.dispose();
    disposeSplit(train);
    disposeSplit(test);
  }
}
