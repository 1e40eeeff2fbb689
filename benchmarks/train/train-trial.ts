import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { LabelledImages } from '../datasets/labelled-images.js';
import { fitScaling } from '../datasets/standardise.js';
import { trainingSubset } from '../datasets/training-subset.js';
import { deriveSeed } from '../datasets/seeded-random.js';
import type {
  BackendName,
  EpochRecord,
  LearningRateCandidate,
  LiveEpochRecord,
  TrainingRun,
  TrialProtocol,
  TrialResult,
} from '../domain.js';
import { errorMessage } from '../errors.js';
import { countParams, estimateTrainingFlops, forwardFlopsByLayer } from '../models/flops.js';
import { architectureInputShape } from '../models/architectures.js';
import { buildTrialModel } from '../models/transfer-model.js';
import { imageInputShape, type ImageShape } from './input-adapter.js';
import type { TrialJob } from './jobs.js';
import { failedResult } from './failed-result.js';
import { featuresSplit, planFrozenFeatures, splitAtFrozen } from './frozen-features.js';
import { evaluate, type Split } from './metrics.js';
import { disposeSplit, toSplit } from './tensor-splits.js';
import { learningRates, searchLearningRate, type TrialModel } from './learning-rate-search.js';
import { crossValidate, usesCrossValidation } from './cross-validation.js';
import { plannedEpochs, trainLoop } from './train-loop.js';

export interface TrialCallbacks {
  onStart(maxEpochs: number): void;
  onEvaluation(record: LiveEpochRecord, maxEpochs: number): void;
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
  const cpuSeconds = cpuClock();
  try {
    // Kernels may hide NaN weights (a fused ReLU or a max-pool turns NaN into a number), so a model that starts from
    // broken weights is caught here rather than by its loss.
    const broken = inputs.job.key.approach === 'scratch' ? null : await nonFiniteWeight(inputs.baseModel);
    if (broken) {
      return {
        ...failedResult(
          `the pretrained weights contain NaN or infinite values (${broken}): every trial that starts from them diverges; check or re-export the model`,
          backend,
          (performance.now() - started) / 1000,
        ),
        status: 'diverged',
        cpuSeconds: cpuSeconds(),
      };
    }
    const result = await train(inputs, callbacks);
    return { ...result, backend: backend.name, device: backend.device, cpuSeconds: cpuSeconds() };
  } catch (error) {
    return {
      ...failedResult(errorMessage(error), backend, (performance.now() - started) / 1000),
      cpuSeconds: cpuSeconds(),
    };
  }
}

/**
 * A clock of this process's CPU time (user + system, every thread) since the call: what a trial cost in compute,
 * which its wall time does not say when other work shares the machine. Null in a browser page, which has no such clock.
 */
function cpuClock(): () => number | null {
  if (typeof process === 'undefined' || typeof process.cpuUsage !== 'function') return () => null;
  const start = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1e6;
  };
}

/**
 * The name of the first weight of `model` that holds a NaN or an infinity, or null. Read asynchronously: on WebGPU a
 * synchronous read (dataSync) goes through an OffscreenCanvas, which in Chromium loses the device ("A valid external
 * Instance reference no longer exists"), and with it every trial that starts from a model (issue 16, defect 12).
 */
async function nonFiniteWeight(model: LayersModel | undefined): Promise<string | null> {
  for (const weight of model?.weights ?? []) {
    const finite = tf.tidy(() => tf.all(tf.isFinite(weight.read())));
    try {
      if ((await finite.data())[0] !== 1) return weight.name;
    } finally {
      finite.dispose();
    }
  }
  return null;
}

async function train(
  { job, task, baseModel }: TrialInputs,
  callbacks: TrialCallbacks,
): Promise<Omit<TrialResult, 'backend' | 'device' | 'cpuSeconds'>> {
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
  const all = Int32Array.from([...subset.train, ...subset.val]);
  const kfold = usesCrossValidation(subset.val.length, numClasses, spec.crossValidateBelow);
  // A table is standardised with statistics of what the model trains on: the training split, or (k-fold) the subset.
  const scaling = task.standardise ? fitScaling(task.pool, kfold ? all : subset.train) : undefined;
  // Every learning-rate candidate (and fold) starts from the same initial weights (same seed); `model` is the
  // template that splits off the frozen bottom and gives the parameter counts.
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
  // With a frozen bottom, its features are computed once (per worker, per example) and only the top trains, unless
  // they would not fit in memory (see frozen-features.ts).
  const plan =
    spec.cacheFrozenFeatures && (key.approach === 'linear-probe' || key.approach === 'partial')
      ? planFrozenFeatures(model, all.length + task.test.count)
      : null;
  const frozen = plan?.split ?? null;
  const features = (set: 'pool' | 'test', raw: Split, indices: Int32Array, setSize: number): Promise<Split> =>
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
  const splits: Split[] = [];
  const poolSplit = async (indices: Int32Array): Promise<Split> => {
    const raw = toSplit(task.pool, indices, scaling, adapter);
    const split = frozen ? await features('pool', raw, indices, task.pool.count) : raw;
    splits.push(split);
    return split;
  };
  const releaseSplit = (split: Split) => {
    const at = splits.indexOf(split);
    if (at >= 0) splits.splice(at, 1);
    disposeSplit(split);
  };
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
    let selection: Selection;
    if (kfold) {
      // Fold trainings plus the final one, each at most the budget of a fold's training set.
      const foldTrain = Math.ceil((all.length * (spec.folds - 1)) / spec.folds);
      const perRun = plannedEpochs(budget, foldTrain);
      // edge extension may add learning rates: the runs then grow, and so does the progress total
      let runs = rates.length * spec.folds + 1;
      callbacks.onStart(perRun * runs);
      const cv = await crossValidate({
        rates,
        extend: settings.extendGrid === true,
        budget,
        folds: spec.folds,
        labels: Int32Array.from(all, (i) => task.pool.labels[i]!),
        split: (positions) => poolSplit(Int32Array.from(positions, (p) => all[p]!)),
        disposeSplit: releaseSplit,
        buildModel: buildCandidate,
        evalEverySteps: spec.evalEverySteps,
        seed: deriveSeed(key.seed, 2),
        onEvaluation: (record, run) => {
          runs = Math.max(runs, run + 2);
          const candidate = Math.floor(run / spec.folds);
          const training: TrainingRun = {
            kind: 'fold',
            index: run,
            learningRate: rates[candidate] ?? null,
            fold: (run % spec.folds) + 1,
            folds: spec.folds,
            epoch: record.epoch,
          };
          callbacks.onEvaluation({ ...record, epoch: record.epoch + run * perRun, run: training }, perRun * runs);
        },
      });
      if (cv.diverged) {
        selection = {
          diverged: true,
          learningRate: cv.learningRate,
          candidates: cv.candidates,
          epochRecords: [],
          bestEpoch: null,
          epochs: null,
          steps: null,
          samples: 0,
          peakBytes: tf.memory().numBytes,
          protocol: { kind: 'kfold', folds: spec.folds, chosenSteps: 0, examples: all.length },
        };
      } else {
        // Then the whole subset, for exactly the steps the folds chose; no held-out data is left to select on.
        kept = buildCandidate();
        const whole = await poolSplit(all);
        const loop = await trainLoop({
          model: kept.trained,
          budget: { ...budget, learningRate: cv.learningRate, patience: null },
          train: whole,
          val: whole,
          evalEverySteps: spec.evalEverySteps,
          seed: deriveSeed(key.seed, 3),
          stopAtStep: cv.chosenSteps,
          onEvaluation: (record) =>
            callbacks.onEvaluation(
              {
                ...record,
                epoch: record.epoch + (runs - 1) * perRun,
                run: { kind: 'final', index: runs - 1, learningRate: cv.learningRate, epoch: record.epoch },
              },
              perRun * runs,
            ),
        });
        selection = {
          diverged: loop.diverged,
          learningRate: cv.learningRate,
          candidates: cv.candidates,
          // the stored curve is the folds' mean for the chosen learning rate: its validation columns are cross-validated
          epochRecords: cv.curve,
          // in the unit of epochs (the final run's, on the whole subset): that run trains exactly the chosen steps, so
          // the model kept is its last; the folds' epoch at the chosen step counts a smaller training set
          bestEpoch: loop.epochs,
          epochs: loop.epochs,
          steps: loop.steps,
          samples: loop.samples,
          peakBytes: loop.peakBytes,
          protocol: { kind: 'kfold', folds: spec.folds, chosenSteps: cv.chosenSteps, examples: all.length },
        };
      }
    } else {
      const train = await poolSplit(subset.train);
      const val = await poolSplit(subset.val);
      const perCandidate = plannedEpochs(budget, train.count);
      callbacks.onStart(perCandidate * rates.length);
      const search = await searchLearningRate({
        rates,
        budget,
        prune: settings.pruneCandidates,
        extend: settings.extendGrid === true,
        buildModel: buildCandidate,
        train,
        val,
        evalEverySteps: spec.evalEverySteps,
        seed: deriveSeed(key.seed, 2),
        // Progress counts every candidate's epochs; the stored curve is the kept candidate's alone.
        onEvaluation: (record, candidate) =>
          callbacks.onEvaluation(
            {
              ...record,
              epoch: record.epoch + candidate * perCandidate,
              run: { kind: 'candidate', index: candidate, learningRate: rates[candidate] ?? null, epoch: record.epoch },
            },
            perCandidate * Math.max(rates.length, candidate + 1),
          ),
      });
      kept = search.model;
      selection = {
        diverged: search.loop.diverged,
        learningRate: search.learningRate,
        candidates: search.candidates,
        epochRecords: search.loop.epochRecords,
        bestEpoch: search.loop.bestEpoch,
        epochs: search.loop.epochs,
        steps: search.loop.steps,
        samples: search.loop.samples,
        peakBytes: search.loop.peakBytes,
        protocol: { kind: 'holdout', trainExamples: train.count, valExamples: val.count },
      };
      releaseSplit(train);
      releaseSplit(val);
    }
    const params = countParams(model);
    const common = {
      epochs: selection.epochs,
      bestEpoch: selection.bestEpoch,
      steps: selection.steps,
      trainableParams: params.trainable,
      totalParams: params.total,
      // with frozen features: the bottom's forward pass once per example of this trial, then the top's training
      trainFlops: frozen
        ? forwardFlops(frozen.bottom) * (all.length + task.test.count) +
          estimateTrainingFlops(frozen.top, selection.samples)
        : estimateTrainingFlops(model, selection.samples),
      epochRecords: selection.epochRecords,
      learningRate: selection.learningRate,
      lrCandidates: selection.candidates,
      protocol: plan?.record ? { ...selection.protocol, frozenPrefix: plan.record } : selection.protocol,
    };
    if (selection.diverged || !kept) {
      return {
        ...common,
        status: 'diverged',
        testAccuracy: null,
        testLoss: null,
        wallSeconds: (performance.now() - started) / 1000,
        peakBytes: selection.peakBytes,
        error: `loss became NaN or infinite${selection.epochs !== null ? ` at epoch ${selection.epochs}` : ''}${rates.length > 1 ? ` with every learning rate tried (${rates.join(', ')})` : ''}`,
      };
    }
    // The test set is read only now, after the model is chosen, and only once.
    const rawTest = toSplit(task.test, undefined, scaling, adapter);
    const allTest = Int32Array.from({ length: task.test.count }, (_, i) => i);
    const test = frozen ? await features('test', rawTest, allTest, task.test.count) : rawTest;
    splits.push(test);
    const testMetrics = await evaluate(kept.trained, test);
    return {
      ...common,
      status: 'done',
      testAccuracy: testMetrics.accuracy,
      testLoss: testMetrics.loss,
      wallSeconds: (performance.now() - started) / 1000,
      peakBytes: Math.max(selection.peakBytes, tf.memory().numBytes),
      error: null,
    };
  } finally {
    kept?.dispose();
    // the top re-used the trial model's layers (one more reference each): release it first
    frozen?.top.dispose();
    model.dispose();
    for (const split of splits) disposeSplit(split);
  }
}

/** How a trial's model was chosen and trained, whichever the protocol. */
interface Selection {
  diverged: boolean;
  learningRate: number;
  candidates: LearningRateCandidate[];
  epochRecords: EpochRecord[];
  bestEpoch: number | null;
  epochs: number | null;
  steps: number | null;
  samples: number;
  peakBytes: number;
  protocol: TrialProtocol;
}

/** Forward FLOPs of `model` for one example. */
function forwardFlops(model: Parameters<typeof forwardFlopsByLayer>[0]): number {
  return forwardFlopsByLayer(model).reduce((sum, layer) => sum + layer.forward, 0);
}
