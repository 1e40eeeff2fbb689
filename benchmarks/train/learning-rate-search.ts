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

/**
 * The pruning rule for a candidate: past `warmupSteps`, stop it when its lowest validation loss so far is worse than
 * the reference candidate's lowest validation loss at the same step (its best-so-far at the last evaluation at or
 * before that step). Like Optuna's percentile pruner against the best finished candidate.
 */
export function trailsReference(
  reference: readonly EpochRecord[],
  warmupSteps: number,
): (record: EpochRecord, bestValLoss: number) => boolean {
  const bestSoFar: { step: number; loss: number }[] = [];
  let running = Infinity;
  for (const r of reference) {
    if (Number.isFinite(r.valLoss)) running = Math.min(running, r.valLoss);
    bestSoFar.push({ step: r.step, loss: running });
  }
  return (record, bestValLoss) => {
    if (record.step < warmupSteps) return false;
    let at: number | undefined;
    for (const point of bestSoFar) if (point.step <= record.step) at = point.loss;
    return at !== undefined && bestValLoss > at;
  };
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
 * at the same step is stopped early (see trailsReference).
 */
export async function searchLearningRate(options: SearchOptions): Promise<SearchResult> {
  const candidates: LearningRateCandidate[] = [];
  let best: { model: TrialModel; learningRate: number; loop: TrainLoopResult } | null = null;
  let totalSteps = 0;
  let totalSamples = 0;
  try {
    for (const [index, learningRate] of options.rates.entries()) {
      const model = options.buildModel();
      let loop: TrainLoopResult;
      try {
        const planned = Math.max(
          options.budget.minSteps,
          options.budget.epochs * Math.ceil(options.train.count / options.budget.batchSize),
        );
        const shouldPrune =
          options.prune && best !== null && !best.loop.diverged
            ? trailsReference(best.loop.epochRecords, Math.max(options.budget.minSteps, Math.ceil(planned / 4)))
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
      candidates.push({
        learningRate,
        bestValLoss: Number.isFinite(loop.bestValLoss) ? loop.bestValLoss : null,
        steps: loop.steps,
        pruned: loop.pruned,
        diverged: loop.diverged,
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
    }
  } catch (error) {
    best?.model.dispose();
    throw error;
  }
  if (!best) throw new Error('no learning rate to try');
  return { ...best, candidates, totalSteps, totalSamples };
}
