import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { EpochRecord, LearningRateCandidate } from '../domain.js';
import type { Split } from './metrics.js';
import { trainLoop, type TrainBudget, type TrainLoopResult } from './train-loop.js';

/** The learning rates an approach's settings give: one value, or the list to tune over. */
export function learningRates(learningRate: number | readonly number[]): number[] {
  return typeof learningRate === 'number' ? [learningRate] : [...learningRate];
}

/** True when a chosen value is the smallest or largest of a list of at least two: the best may lie outside it. */
export function atEdgeOfGrid(chosen: number, grid: readonly number[]): boolean {
  return grid.length >= 2 && (chosen === Math.min(...grid) || chosen === Math.max(...grid));
}

/** Evaluations in a row without a new lowest validation loss after which a candidate counts as no longer improving. */
export const STALLED_EVALUATIONS = 3;
/** Two-sided 95% normal critical value: how many standard errors of validation noise a lead must exceed. */
const Z95 = 1.959964;

/**
 * The pruning rule for a candidate, unbiased against slow learners: past `warmupSteps`, stop it only when both
 *
 * - it trails the reference (the best finished candidate) by more than the validation noise at the same step: its
 *   highest validation accuracy so far is below the reference's highest at or before that step by more than 1.96
 *   standard errors of the difference of two proportions on `valExamples` examples (and its lowest validation loss
 *   is worse than the reference's too); and
 * - it is no longer improving: its lowest validation loss has not moved for STALLED_EVALUATIONS evaluations.
 *
 * A candidate that is behind but still improving (a slow starter) keeps training. Everything is read off the two
 * curves, so the decision is deterministic given the seed. The returned function keeps the candidate's own history:
 * use one per candidate.
 */
export function trailsReference(
  reference: readonly EpochRecord[],
  warmupSteps: number,
  valExamples: number,
): (record: EpochRecord, bestValLoss: number) => boolean {
  const bestSoFar: { step: number; loss: number; accuracy: number }[] = [];
  let loss = Infinity;
  let accuracy = -Infinity;
  for (const r of reference) {
    if (Number.isFinite(r.valLoss)) loss = Math.min(loss, r.valLoss);
    if (Number.isFinite(r.valAccuracy)) accuracy = Math.max(accuracy, r.valAccuracy);
    bestSoFar.push({ step: r.step, loss, accuracy });
  }
  let ownBestLoss = Infinity;
  let ownBestAccuracy = -Infinity;
  let stalled = 0;
  return (record, bestValLoss) => {
    if (bestValLoss < ownBestLoss) {
      ownBestLoss = bestValLoss;
      stalled = 0;
    } else {
      stalled++;
    }
    if (Number.isFinite(record.valAccuracy)) ownBestAccuracy = Math.max(ownBestAccuracy, record.valAccuracy);
    if (record.step < warmupSteps || stalled < STALLED_EVALUATIONS) return false;
    let at: (typeof bestSoFar)[number] | undefined;
    for (const point of bestSoFar) if (point.step <= record.step) at = point;
    if (at === undefined || !(bestValLoss > at.loss)) return false;
    const p1 = Math.min(1, Math.max(0, at.accuracy));
    const p2 = Math.min(1, Math.max(0, ownBestAccuracy));
    const noise = Z95 * Math.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / Math.max(1, valExamples));
    return p1 - p2 > noise;
  };
}

/** How far an edge extension may go: learning rates stay within these bounds. */
export const LEARNING_RATE_BOUNDS = { min: 1e-6, max: 1 } as const;
/** Each extension step multiplies or divides the edge value by this. */
export const EXTENSION_FACTOR = 3;

/**
 * The next learning rate to try when the best so far sits at an edge of the rates tried: one ×3 step beyond that edge
 * (below the smallest, above the largest), or null when the best is inside, the step would leave
 * LEARNING_RATE_BOUNDS, or the list has fewer than two values (nothing to say where the edge is).
 */
export function extensionBeyond(best: number, tried: readonly number[]): number | null {
  if (tried.length < 2) return null;
  const low = Math.min(...tried);
  const high = Math.max(...tried);
  const next = best === low ? low / EXTENSION_FACTOR : best === high ? high * EXTENSION_FACTOR : null;
  if (next === null || next < LEARNING_RATE_BOUNDS.min || next > LEARNING_RATE_BOUNDS.max) return null;
  return Number(next.toPrecision(6));
}

/** A model to train for one candidate: `trained` is what the optimiser updates; `dispose` frees all of it. */
export interface TrialModel {
  trained: LayersModel;
  dispose(): void;
}

export interface SearchOptions {
  rates: readonly number[];
  budget: Omit<TrainBudget, 'learningRate'>;
  prune: boolean;
  /** When the best value sits at an edge of the rates tried, try one ×3 step beyond it, until inside or a bound. */
  extend?: boolean;
  /** A fresh model with the trial's initial weights (the same for every candidate). */
  buildModel: () => TrialModel;
  train: Split;
  /** Candidates are judged on this split only; the test set is never seen here. */
  val: Split;
  evalEverySteps: number;
  seed: number;
  /** Live progress of each candidate's training, numbered from 0. */
  onEvaluation?: (record: EpochRecord, candidate: number) => void;
}

export interface SearchResult {
  /** The model trained with the chosen learning rate, its weights at its lowest validation loss; the caller disposes it. */
  model: TrialModel;
  learningRate: number;
  loop: TrainLoopResult;
  candidates: LearningRateCandidate[];
  /** Updates over all candidates: the cost of tuning. */
  totalSteps: number;
  totalSamples: number;
}

/**
 * Trains one model per learning rate (same initial weights, same data order) and keeps the one with the lowest
 * validation loss. A candidate that diverges never wins unless every one does; then the first is returned as diverged.
 * With `prune`, a candidate past the step floor and a quarter of its budget that trails the best finished candidate
 * by more than the validation noise and has stopped improving is stopped early (see trailsReference). With `extend`,
 * a best value at an edge of the rates tried adds one ×3 step beyond it (see extensionBeyond), again until the best
 * is inside or a bound is hit; added candidates are marked `extended`.
 */
export async function searchLearningRate(options: SearchOptions): Promise<SearchResult> {
  const candidates: LearningRateCandidate[] = [];
  let best: { model: TrialModel; learningRate: number; loop: TrainLoopResult } | null = null;
  let totalSteps = 0;
  let totalSamples = 0;
  const queue = [...options.rates];
  const tried: number[] = [];
  try {
    for (let index = 0; index < queue.length; index++) {
      const learningRate = queue[index]!;
      const model = options.buildModel();
      let loop: TrainLoopResult;
      try {
        const planned = Math.max(
          options.budget.minSteps,
          options.budget.epochs * Math.ceil(options.train.count / options.budget.batchSize),
        );
        const shouldPrune =
          options.prune && best !== null && !best.loop.diverged
            ? trailsReference(
                best.loop.epochRecords,
                Math.max(options.budget.minSteps, Math.ceil(planned / 4)),
                options.val.count,
              )
            : undefined;
        loop = await trainLoop({
          model: model.trained,
          budget: { ...options.budget, learningRate },
          train: options.train,
          val: options.val,
          evalEverySteps: options.evalEverySteps,
          seed: options.seed,
          onEvaluation: (record) => options.onEvaluation?.(record, index),
          shouldPrune,
        });
      } catch (error) {
        model.dispose();
        throw error;
      }
      totalSteps += loop.steps;
      totalSamples += loop.samples;
      tried.push(learningRate);
      candidates.push({
        learningRate,
        bestValLoss: Number.isFinite(loop.bestValLoss) ? loop.bestValLoss : null,
        steps: loop.steps,
        pruned: loop.pruned,
        diverged: loop.diverged,
        ...(index >= options.rates.length ? { extended: true } : {}),
      });
      const better =
        best === null ||
        (best.loop.diverged && !loop.diverged) ||
        (!loop.diverged && !loop.pruned && loop.bestValLoss < best.loop.bestValLoss);
      if (better) {
        best?.model.dispose();
        best = { model, learningRate, loop };
      } else {
        model.dispose();
      }
      if (options.extend && index === queue.length - 1 && best !== null && !best.loop.diverged) {
        const next = extensionBeyond(best.learningRate, tried);
        if (next !== null && !tried.includes(next)) queue.push(next);
      }
    }
  } catch (error) {
    best?.model.dispose();
    throw error;
  }
  if (!best) throw new Error('no learning rate to try');
  return { ...best, candidates, totalSteps, totalSamples };
}
