import type { TrialKey } from '../domain.js';
import type { SuiteSpec } from './suite-schema.js';

/**
 * What a trial trains, as the run-time estimate (builder/estimate.ts) and the ETA of a run in progress (the CLI's
 * progress display, the app's run view) both count it: one training per learning-rate candidate on the held-out
 * split, or, at the tiny sizes that use k-fold cross-validation (train/cross-validation.ts), one per candidate and
 * fold plus the final training on the whole subset.
 */

/** Validation examples held out of a subset of `size`: a fraction of it, at least one per class, at most all but one. */
export function validationCount(size: number, numClasses: number, validationFraction: number): number {
  return Math.min(size - numClasses, Math.max(numClasses, Math.round(validationFraction * size)));
}

/** Whether a subset of `size` uses k-fold: fewer than `below` validation examples per class under the held-out split. */
export function usesCrossValidation(validationExamples: number, numClasses: number, below: number): boolean {
  return below > 0 && validationExamples / numClasses < below;
}

/** Trainings of one shape a trial does: `count` of them, each on `train` examples and evaluated on `held`. */
export interface TrialTrainings {
  train: number;
  held: number;
  count: number;
  /** Whether the trial selects by k-fold cross-validation (its count is candidates × folds + 1). */
  crossValidated: boolean;
}

/**
 * The trainings a trial of `approach` at `size` does on `numClasses` classes: every learning-rate candidate trains
 * (pruning stops hopeless ones sooner: this is the most), under k-fold each fold once per candidate on the rest of the
 * subset, then one final training, each counted at a fold's size. Null when the suite has no such approach.
 */
export function trialTrainings(
  spec: Pick<SuiteSpec, 'approaches' | 'validationFraction' | 'crossValidateBelow' | 'folds'>,
  approach: TrialKey['approach'],
  size: number,
  numClasses: number,
): TrialTrainings | null {
  const settings = spec.approaches[approach];
  if (!settings) return null;
  const candidates = Array.isArray(settings.learningRate) ? settings.learningRate.length : 1;
  const val = validationCount(size, numClasses, spec.validationFraction);
  if (usesCrossValidation(val, numClasses, spec.crossValidateBelow)) {
    const foldTrain = Math.ceil((size * (spec.folds - 1)) / spec.folds);
    return { train: foldTrain, held: size - foldTrain, count: candidates * spec.folds + 1, crossValidated: true };
  }
  return { train: size - val, held: val, count: candidates, crossValidated: false };
}

/**
 * How many classes a suite's target has, when its spec says (MNIST digits, IDX files with `classes`); else
 * undefined: a folder or a table is counted only when its data is read.
 */
export function specClassCount(spec: Pick<SuiteSpec, 'target'>): number | undefined {
  const dataset = spec.target.dataset;
  if (dataset.kind === 'mnist') return dataset.classes?.length ?? 10;
  if (dataset.kind === 'idx') return dataset.classes?.length;
  return undefined;
}

/** Training and forward FLOPs per sample of one approach's model (models/flops.ts's count). */
export interface ApproachCost {
  train: number;
  forward: number;
}

/** Training and forward FLOPs per sample of each approach a suite trains. */
export type ApproachFlops = Partial<Record<TrialKey['approach'], ApproachCost>>;

/** Epochs a training of `train` examples runs at most: its epochs, or more when its minimum steps need them. */
export function budgetEpochs(settings: { batchSize: number; epochs: number; minSteps: number }, train: number): number {
  return Math.max(settings.epochs, Math.ceil(settings.minSteps / Math.ceil(train / settings.batchSize)));
}

/**
 * The FLOPs of one trial of `approach` at `size`, as the run-time estimate counts them (builder/estimate.ts), every
 * step as a whole batch: every training it does (trialTrainings: candidates, folds, the final training) for its whole budget, or stopped at its
 * first chance (`early`: at least minSteps updates and patience + 1 evaluations), with its validation evaluations,
 * plus its test evaluation on `testCount` examples. Null when the suite has no such approach.
 */
export function trialFlops(
  spec: Pick<SuiteSpec, 'approaches' | 'validationFraction' | 'crossValidateBelow' | 'folds' | 'evalEverySteps'>,
  approach: TrialKey['approach'],
  size: number,
  numClasses: number,
  cost: ApproachCost,
  testCount: number,
  early = false,
): number | null {
  const settings = spec.approaches[approach];
  const trainings = trialTrainings(spec, approach, size, numClasses);
  if (!settings || !trainings) return null;
  const { train, held } = trainings;
  const planned = budgetEpochs(settings, train);
  const stepsPerEpoch = Math.ceil(train / settings.batchSize);
  const evalEvery = Math.max(1, Math.ceil(spec.evalEverySteps / stepsPerEpoch));
  const earliest = Math.max(Math.ceil(settings.minSteps / stepsPerEpoch), (settings.patience + 1) * evalEvery);
  const epochs = early ? Math.min(planned, earliest) : planned;
  const evals = Math.ceil(epochs / evalEvery);
  // Each step counts as a whole batch, the last one of an epoch too: a step's time is mostly what every step pays
  // (its kernels' calls, the optimizer's update, the engine's bookkeeping), not its examples, when the batch is small
  // against the model. Measured: the tiny MLP of `init` on iris, 1,800 steps of 12 examples and 1,800 of 32, took 5.0
  // and 4.9 s (docs/app-and-serve.md, Estimates). Counted by examples, the 12-example trial was estimated at 0.4 of its time.
  const training = cost.train * epochs * stepsPerEpoch * settings.batchSize + cost.forward * evals * held;
  return training * trainings.count + cost.forward * testCount;
}

/**
 * What the ETA needs to weigh trials by their FLOPs (the estimate's own counts): each approach's FLOPs per sample, the
 * test set's size, and each training's fixed cost (seconds, measured) at the measured rate, so that a trial's weight
 * is its FLOPs plus its trainings' fixed cost in FLOPs at that rate.
 */
export interface WorkBasis {
  flopsPerSample: ApproachFlops;
  testCount: number;
  flopsPerSecond: number;
  trialOverheadSeconds?: number;
}

/**
 * Relative cost of a trial, for the ETA: with `basis` (the run's estimate), its FLOPs as the estimate counts them
 * (trialFlops, every candidate, fold and the final training) plus each training's fixed cost in FLOPs at the measured
 * rate; without it, the training samples of its whole budget, summed the same way (a linear probe's samples cost far
 * less than a fine-tune's, so this weight is the rougher one). Only ratios matter: the ETA turns them into seconds
 * with what finished trials actually took. `numClasses` decides which sizes cross-validate; without it (a folder
 * target before its data is read) the spec's own count is used, else every size is taken as held out.
 */
export function expectedWork(
  spec: SuiteSpec,
  key: Pick<TrialKey, 'approach' | 'trainSize'>,
  numClasses: number | undefined = specClassCount(spec),
  basis?: WorkBasis,
): number {
  const settings = spec.approaches[key.approach];
  if (!settings) return 1;
  const cost = basis?.flopsPerSample[key.approach];
  if (basis && cost && numClasses !== undefined) {
    const flops = trialFlops(spec, key.approach, key.trainSize, numClasses, cost, basis.testCount)!;
    const trainings = trialTrainings(spec, key.approach, key.trainSize, numClasses)!;
    return flops + trainings.count * (basis.trialOverheadSeconds ?? 0) * basis.flopsPerSecond;
  }
  const samples = (train: number) => Math.max(settings.minSteps * settings.batchSize, settings.epochs * train);
  if (numClasses === undefined) {
    const candidates = Array.isArray(settings.learningRate) ? settings.learningRate.length : 1;
    return samples(Math.max(1, Math.round(key.trainSize * (1 - spec.validationFraction)))) * candidates;
  }
  const trainings = trialTrainings(spec, key.approach, key.trainSize, numClasses)!;
  return samples(Math.max(1, trainings.train)) * trainings.count;
}
