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

/**
 * Relative cost of a trial: the training samples of its whole budget, summed over every learning-rate candidate and,
 * under cross-validation, every fold and the final training (trialTrainings). Only ratios matter: the ETA turns them
 * into seconds with what finished trials actually took. `numClasses` decides which sizes cross-validate; without it
 * (a folder target before its data is read) the spec's own count is used, else every size is taken as held out.
 */
export function expectedWork(
  spec: SuiteSpec,
  key: Pick<TrialKey, 'approach' | 'trainSize'>,
  numClasses: number | undefined = specClassCount(spec),
): number {
  const settings = spec.approaches[key.approach];
  if (!settings) return 1;
  const samples = (train: number) => Math.max(settings.minSteps * settings.batchSize, settings.epochs * train);
  if (numClasses === undefined) {
    const candidates = Array.isArray(settings.learningRate) ? settings.learningRate.length : 1;
    return samples(Math.max(1, Math.round(key.trainSize * (1 - spec.validationFraction)))) * candidates;
  }
  const trainings = trialTrainings(spec, key.approach, key.trainSize, numClasses)!;
  return samples(Math.max(1, trainings.train)) * trainings.count;
}
