import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { LabelledImages } from '../datasets/labelled-images.js';
import { fitScaling } from '../datasets/standardise.js';
import { trainingSubset } from '../datasets/training-subset.js';
import { deriveSeed } from '../datasets/seeded-random.js';
import type { BackendName, EpochRecord, TrialResult } from '../domain.js';
import { errorMessage } from '../errors.js';
import { countParams, estimateTrainingFlops, forwardFlopsByLayer } from '../models/flops.js';
import { architectureInputShape } from '../models/architectures.js';
import { buildTrialModel } from '../models/transfer-model.js';
import { imageInputShape, type ImageShape } from './input-adapter.js';
import type { TrialJob } from './jobs.js';
import { failedResult } from './failed-result.js';
import { featuresSplit, splitAtFrozen } from './frozen-features.js';
import { evaluate, type Split } from './metrics.js';
import { disposeSplit, toSplit } from './tensor-splits.js';
import { learningRates, searchLearningRate, type TrialModel } from './learning-rate-search.js';
import { plannedEpochs } from './train-loop.js';

export interface TrialCallbacks {
  onStart(maxEpochs: number): void;
  onEvaluation(record: EpochRecord, maxEpochs: number): void;
}

/**
 * A trial's task in memory: its whole pool (trials choose their subset of it by size and seed) and test set.
 * Plain typed arrays, so that a host can send them once to a browser page as binary.
 */
export interface TrialTask {
  pool: LabelledImages;
  test: LabelledImages;
  /** A table: inputs are standardised with statistics fitted on each trial's own training split. */
  standardise: boolean;
}

export interface TrialInputs {
  job: Pick<TrialJob, 'spec' | 'key' | 'baseDir' | 'base'>;
  task: TrialTask;
  /** The pretrained model named by job.base, loaded, when the approach needs it (see needsBaseModel). */
  baseModel: LayersModel | undefined;
}

/**
 * Scratch takes the architecture of a model the user brings; with our own pretraining it builds spec.architecture,
 * which is the same model (buildTrialModel's tests show it), without loading the base.
 */
export function needsBaseModel(job: Pick<TrialJob, 'spec' | 'key'>): boolean {
  return job.key.approach !== 'scratch' || job.spec.pretrainedModel !== undefined;
}

/**
 * Trains and tests one trial on the active backend. Nothing here reads files: the same code runs in a Node worker
 * (run-trial.ts loads the task) and, bundled, in a browser page (the webgpu and webgl backends). Never throws: a
 * failure is a `failed` result carrying the error.
 */
export async function trainTrial(
  inputs: TrialInputs,
  backend: { name: BackendName; device: string },
  callbacks: TrialCallbacks,
): Promise<TrialResult> {
  const started = performance.now();
  try {
    return { ...(await train(inputs, callbacks)), backend: backend.name, device: backend.device };
  } catch (error) {
    return failedResult(errorMessage(error), backend, (performance.now() - started) / 1000);
  }
}

async function train(
  { job, task, baseModel }: TrialInputs,
  callbacks: TrialCallbacks,
): Promise<Omit<TrialResult, 'backend' | 'device'>> {
  const { spec, key } = job;
  const settings = spec.approaches[key.approach];
  if (!settings) throw new Error(`suite ${spec.name} has no settings for approach ${key.approach}`);
  const started = performance.now();
  const numClasses = task.pool.classNames.length;
  const subset = trainingSubset(task.pool.labels, numClasses, key.trainSize, key.seed, spec.validationFraction);
  const dataShape: ImageShape = [task.pool.height, task.pool.width, task.pool.channels];
  // Images are fitted to the model's input (size, channels, pixel scaling); a table goes in as it is.
  const inputShape = task.standardise
    ? dataShape
    : baseModel
      ? imageInputShape(baseModel.inputs[0]!.shape, `pretrained model ${job.base?.path ?? ''}`)
      : architectureInputShape(spec.architecture, dataShape);
  const adapter = task.standardise ? undefined : { shape: inputShape, scaling: spec.pixelScaling };
  // A table is standardised with statistics of this trial's training split only.
  const scaling = task.standardise ? fitScaling(task.pool, subset.train) : undefined;
  const rawTrain = toSplit(task.pool, subset.train, scaling, adapter);
  const rawVal = toSplit(task.pool, subset.val, scaling, adapter);
  const rawTest = toSplit(task.test, undefined, scaling, adapter);
  // Every learning-rate candidate starts from the same initial weights (same seed); `model` is the template that
  // splits off the frozen bottom and gives the parameter counts.
  const buildFull = () =>
    buildTrialModel({
      approach: key.approach,
      arch: spec.architecture,
      inputShape,
      numClasses,
      seed: deriveSeed(key.seed, 1),
      base: baseModel,
      cutLayer: job.base?.cutLayer ?? 'features',
      trainableBlocks: settings.trainableBlocks,
      trainFrom: settings.trainFrom,
    });
  const model = buildFull();
  // With a frozen bottom, its features are computed once (per worker, per example) and only the top trains.
  const frozen =
    spec.cacheFrozenFeatures && (key.approach === 'linear-probe' || key.approach === 'partial')
      ? splitAtFrozen(model)
      : null;
  const features = (set: 'pool' | 'test', raw: Split, indices: Int32Array, setSize: number): Split =>
    featuresSplit(frozen!, {
      // a table's standardisation is fitted per trial: its features are not shared between trials
      cacheKey: task.standardise
        ? null
        : JSON.stringify([job.base?.path, frozen!.featuresLayer, spec.target, job.baseDir, adapter, set]),
      setSize,
      indices,
      y: raw.y,
      inputs: raw.inputs,
    });
  const allTest = Int32Array.from({ length: task.test.count }, (_, i) => i);
  const train = frozen ? features('pool', rawTrain, subset.train, task.pool.count) : rawTrain;
  const val = frozen ? features('pool', rawVal, subset.val, task.pool.count) : rawVal;
  const test = frozen ? features('test', rawTest, allTest, task.test.count) : rawTest;
  const buildCandidate = (): TrialModel => {
    const full = buildFull();
    const split = frozen ? splitAtFrozen(full) : null;
    return {
      trained: split ? split.top : full,
      dispose: () => {
        // the top re-uses the model's layers (one more reference each): release it first
        split?.top.dispose();
        full.dispose();
      },
    };
  };
  const rates = learningRates(settings.learningRate);
  const budget = {
    optimizer: settings.optimizer,
    batchSize: settings.batchSize,
    epochs: settings.epochs,
    minSteps: settings.minSteps,
    patience: settings.patience,
  };
  let kept: TrialModel | undefined;
  try {
    const perCandidate = plannedEpochs(budget, train.count);
    callbacks.onStart(perCandidate * rates.length);
    const search = await searchLearningRate({
      rates,
      budget,
      prune: settings.pruneCandidates,
      buildModel: buildCandidate,
      train,
      val,
      evalEverySteps: spec.evalEverySteps,
      seed: deriveSeed(key.seed, 2),
      // Progress counts every candidate's epochs; the stored curve is the kept candidate's alone.
      onEvaluation: (record, candidate) =>
        callbacks.onEvaluation(
          { ...record, epoch: record.epoch + candidate * perCandidate },
          perCandidate * rates.length,
        ),
    });
    kept = search.model;
    const loop = search.loop;
    const params = countParams(model);
    const common = {
      epochs: loop.epochs,
      bestEpoch: loop.bestEpoch,
      steps: loop.steps,
      trainableParams: params.trainable,
      totalParams: params.total,
      // with frozen features: the bottom's forward pass once per example of this trial, then the top's training
      trainFlops: frozen
        ? forwardFlops(frozen.bottom) * (train.count + val.count + test.count) +
          estimateTrainingFlops(frozen.top, loop.samples)
        : estimateTrainingFlops(model, loop.samples),
      epochRecords: loop.epochRecords,
      learningRate: search.learningRate,
      lrCandidates: search.candidates,
      protocol: { kind: 'holdout' as const, trainExamples: train.count, valExamples: val.count },
    };
    if (loop.diverged) {
      return {
        ...common,
        status: 'diverged',
        testAccuracy: null,
        testLoss: null,
        wallSeconds: (performance.now() - started) / 1000,
        peakBytes: loop.peakBytes,
        error: `loss became NaN or infinite at epoch ${loop.epochs}${rates.length > 1 ? ` with every learning rate tried (${rates.join(', ')})` : ''}`,
      };
    }
    const testMetrics = await evaluate(kept.trained, test);
    return {
      ...common,
      status: 'done',
      testAccuracy: testMetrics.accuracy,
      testLoss: testMetrics.loss,
      wallSeconds: (performance.now() - started) / 1000,
      peakBytes: Math.max(loop.peakBytes, tf.memory().numBytes),
      error: null,
    };
  } finally {
    kept?.dispose();
    // the top re-used the trial model's layers (one more reference each): release it first
    frozen?.top.dispose();
    model.dispose();
    disposeSplit(train);
    disposeSplit(val);
    disposeSplit(test);
  }
}

/** Forward FLOPs of `model` for one example. */
function forwardFlops(model: Parameters<typeof forwardFlopsByLayer>[0]): number {
  return forwardFlopsByLayer(model).reduce((sum, layer) => sum + layer.forward, 0);
}
