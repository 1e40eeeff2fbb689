/**
 * Model selection at tiny sizes without wasting data: the number of optimiser steps (and the learning rate, when the
 * approach gives a list) is chosen by k-fold cross-validation on the trial's subset, then the model is trained on
 * all of the subset for that many steps. Nothing here sees the test set.
 */
import type { EpochRecord, LearningRateCandidate } from '../domain.js';
import { createRng, deriveSeed, shuffleInPlace } from '../datasets/seeded-random.js';
import { extensionBeyond, type TrialModel } from './learning-rate-search.js';
import type { Split } from './metrics.js';
import { trainLoop, type TrainBudget } from './train-loop.js';
import { usesCrossValidation } from '../spec/trial-work.js';

/** Whether a subset uses k-fold (spec/trial-work.ts, which the estimate and the ETA count with). */
export { usesCrossValidation };

/**
 * Stratified folds of the subset's examples: within each class (in a seeded order) examples are dealt to the folds
 * in turn, starting where the previous class stopped, so folds differ in size by at most one and every class is
 * spread as evenly as it can be. Returns, per fold, the positions (into `labels`) it holds out.
 */
export function stratifiedFolds(labels: ArrayLike<number>, folds: number, seed: number): Int32Array[] {
  if (!Number.isInteger(folds) || folds < 2) throw new Error(`folds must be an integer of at least 2, got ${folds}`);
  if (labels.length < folds)
    throw new Error(`cannot split ${labels.length} examples into ${folds} folds: give fewer folds`);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const list = byClass.get(labels[i]!) ?? [];
    list.push(i);
    byClass.set(labels[i]!, list);
  }
  const out: number[][] = Array.from({ length: folds }, () => []);
  let next = 0;
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const positions = byClass.get(label)!;
    shuffleInPlace(positions, createRng(deriveSeed(seed, label)));
    for (const p of positions) {
      out[next]!.push(p);
      next = (next + 1) % folds;
    }
  }
  return out.map((f) => Int32Array.from(f.sort((a, b) => a - b)));
}

/** Positions 0..n−1 not in `heldOut`. */
export function complement(n: number, heldOut: Int32Array): Int32Array {
  const out = new Set(heldOut);
  return Int32Array.from(Array.from({ length: n }, (_, i) => i).filter((i) => !out.has(i)));
}

/** A curve's value at `step`: the last evaluation at or before it (a training curve is a step function in between). */
function valueAt(curve: readonly EpochRecord[], step: number, key: keyof EpochRecord): number {
  let value = Number.NaN;
  for (const r of curve) if (r.step <= step) value = r[key];
  return value;
}

/**
 * The folds' curves averaged at the evaluation steps of the first fold (each other fold read as a step function,
 * see valueAt), as one curve of mean train and validation loss and accuracy.
 */
export function meanFoldCurve(curves: readonly (readonly EpochRecord[])[]): EpochRecord[] {
  const first = curves[0];
  if (!first) return [];
  return first.map((r) => {
    const mean = (key: 'trainLoss' | 'trainAccuracy' | 'valLoss' | 'valAccuracy') =>
      curves.reduce((sum, c) => sum + valueAt(c, r.step, key), 0) / curves.length;
    return {
      epoch: r.epoch,
      step: r.step,
      trainLoss: mean('trainLoss'),
      trainAccuracy: mean('trainAccuracy'),
      valLoss: mean('valLoss'),
      valAccuracy: mean('valAccuracy'),
      elapsedSeconds: r.elapsedSeconds,
    };
  });
}

/**
 * Evaluations at the start of a cross-validated curve that are never chosen (a warm-up floor): the first evaluation
 * is the model barely trained, and a noisy early dip in the folds' mean loss must not pick it.
 */
export const WARMUP_EVALUATIONS = 1;

/**
 * The evaluation with the lowest mean validation loss (the earliest on a tie), past the first `warmup` evaluations
 * (unless the curve has no more than that); undefined when none is finite.
 */
export function bestEvaluation(
  curve: readonly EpochRecord[],
  warmup: number = WARMUP_EVALUATIONS,
): EpochRecord | undefined {
  const eligible = curve.length > warmup ? curve.slice(warmup) : curve;
  return eligible.reduce<EpochRecord | undefined>(
    (best, r) => (Number.isFinite(r.valLoss) && (best === undefined || r.valLoss < best.valLoss) ? r : best),
    undefined,
  );
}

/** Two-sided 95% normal critical value. */
const Z95 = 1.959964;

/** Mean and standard error over the folds of the validation loss at `step` (each fold's curve read as a step function). */
export function foldLossAt(curves: readonly (readonly EpochRecord[])[], step: number): { mean: number; se: number } {
  const losses = curves.map((c) => valueAt(c, step, 'valLoss'));
  const k = losses.length;
  const mean = losses.reduce((a, b) => a + b, 0) / k;
  const variance = k > 1 ? losses.reduce((a, b) => a + (b - mean) ** 2, 0) / (k - 1) : 0;
  return { mean, se: Math.sqrt(variance / k) };
}

/**
 * Whether a learning rate added by edge extension takes over from the best so far: only when its mean validation loss
 * is lower by more than the validation noise (1.96 standard errors of the difference, from the fold-to-fold spread).
 * Within the noise the grid's own best stands and the extension stops there. Without this rule, at a few examples per
 * fold the mean loss rewards a model that has barely moved from uniform predictions (its loss stays near ln K whatever
 * it learned), and extension walked the rate down step after step to a model that had not trained (mnist-split,
 * scratch at 10 examples, seed 1: 1.2e-6 chosen, 29.6% test accuracy; docs/methodology.md).
 */
export function extensionBeatsBest(
  extension: { mean: number; se: number },
  best: { mean: number; se: number },
): boolean {
  return extension.mean < best.mean - Z95 * Math.sqrt(extension.se ** 2 + best.se ** 2);
}

export interface CrossValidationOptions {
  rates: readonly number[];
  /** When the best value sits at an edge of the rates tried, try one ×3 step beyond it, until inside or a bound. */
  extend?: boolean;
  budget: Omit<TrainBudget, 'learningRate' | 'patience'>;
  folds: number;
  /** Labels of the subset's examples, in the order `split` takes positions. */
  labels: ArrayLike<number>;
  /** A split of the subset's examples at these positions; the caller owns nothing it returns (disposed here). */
  split: (positions: Int32Array) => Split | Promise<Split>;
  disposeSplit: (split: Split) => void;
  buildModel: () => TrialModel;
  evalEverySteps: number;
  seed: number;
  onEvaluation?: (record: EpochRecord, run: number) => void;
}

export interface CrossValidationResult {
  learningRate: number;
  /** Steps at the lowest mean validation loss over the folds: what the final training on the whole subset runs. */
  chosenSteps: number;
  /** Mean curve over the folds for the chosen learning rate (its validation columns are the cross-validated loss). */
  curve: EpochRecord[];
  candidates: LearningRateCandidate[];
  /** Every learning rate diverged on some fold. */
  diverged: boolean;
  /** Updates and examples processed over all fold trainings: the cost of choosing. */
  steps: number;
  samples: number;
}

/**
 * For each learning rate, trains one model per fold on the other folds for the whole budget (no early stopping)
 * and evaluates on the held-out fold; the learning rate and step with the lowest mean validation loss win, never the
 * first evaluation (WARMUP_EVALUATIONS). A learning rate that diverges on any fold is out. With `extend`, a best value
 * at an edge of the rates tried adds one ×3 step beyond it (extensionBeyond), until inside or a bound is hit; an added
 * rate takes over only when it is better by more than the fold-to-fold noise (extensionBeatsBest).
 */
export async function crossValidate(options: CrossValidationOptions): Promise<CrossValidationResult> {
  const folds = stratifiedFolds(options.labels, options.folds, options.seed);
  const n = options.labels.length;
  const candidates: LearningRateCandidate[] = [];
  let best: { learningRate: number; curve: EpochRecord[]; at: EpochRecord; loss: { mean: number; se: number } } | null =
    null;
  let steps = 0;
  let samples = 0;
  let run = 0;
  const queue = [...options.rates];
  for (let index = 0; index < queue.length; index++) {
    const learningRate = queue[index]!;
    const curves: EpochRecord[][] = [];
    let diverged = false;
    let candidateSteps = 0;
    for (const heldOut of folds) {
      const train = await options.split(complement(n, heldOut));
      const val = await options.split(heldOut);
      const model = options.buildModel();
      try {
        const index = run++;
        const loop = await trainLoop({
          model: model.trained,
          budget: { ...options.budget, learningRate, patience: null },
          train,
          val,
          evalEverySteps: options.evalEverySteps,
          seed: options.seed,
          onEvaluation: (record) => options.onEvaluation?.(record, index),
        });
        steps += loop.steps;
        samples += loop.samples;
        candidateSteps += loop.steps;
        curves.push(loop.epochRecords);
        diverged ||= loop.diverged;
      } finally {
        model.dispose();
        options.disposeSplit(train);
        options.disposeSplit(val);
      }
      if (diverged) break;
    }
    const curve = diverged ? [] : meanFoldCurve(curves);
    const at = bestEvaluation(curve);
    candidates.push({
      learningRate,
      bestValLoss: at ? at.valLoss : null,
      steps: candidateSteps,
      pruned: false,
      diverged,
      ...(index >= options.rates.length ? { extended: true } : {}),
    });
    const loss = at ? foldLossAt(curves, at.step) : null;
    const extended = index >= options.rates.length;
    const wins =
      at !== undefined &&
      loss !== null &&
      (best === null || (extended ? extensionBeatsBest(loss, best.loss) : at.valLoss < best.at.valLoss));
    if (wins) best = { learningRate, curve, at, loss };
    if (options.extend && index === queue.length - 1 && best !== null) {
      const next = extensionBeyond(best.learningRate, queue);
      if (next !== null && !queue.includes(next)) queue.push(next);
    }
  }
  if (best === null)
    return {
      learningRate: options.rates[0]!,
      chosenSteps: 0,
      curve: [],
      candidates,
      diverged: true,
      steps,
      samples,
    };
  return {
    learningRate: best.learningRate,
    chosenSteps: best.at.step,
    curve: best.curve,
    candidates,
    diverged: false,
    steps,
    samples,
  };
}
