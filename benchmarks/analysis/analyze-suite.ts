import { describeDataset } from '../spec/describe-dataset.js';
import {
  APPROACHES,
  TRIAL_STATUSES,
  type Approach,
  type SuiteRecord,
  type TrialRecord,
  type TrialStatus,
} from '../domain.js';
import type { EpochRow } from '../domain.js';
import { checkClaims, type ClaimResult } from './claims.js';
import { buildCaveats, DEFAULT_WIDE_INTERVAL, incompleteGroups, type IncompleteGroup } from './caveats.js';
import { compareToScratch, type VariantComparison } from './comparison.js';
import {
  costPerGroup,
  defaultTargetAccuracy,
  pretrainCost,
  timeToTarget,
  type GroupCost,
  type PretrainCost,
  type TargetAccuracy,
  type TimeToTarget,
} from './cost.js';
import { DEFAULT_TOLERANCE } from './crossover.js';
import { meanCurves, type ApproachCurve } from './curves.js';
import { fitCaveats } from './fit-caveats.js';
import { DEFAULT_REPLICATES, fitLearningCurves, type LearningCurveFits } from './learning-curves.js';
import { overfittingGaps, type OverfittingGap } from './overfitting.js';
import { summarize, type GroupSummary } from './summary-stats.js';
import { protocolSummary, tuningCaveats, tuningSummary, type ApproachTuning, type ProtocolSummary } from './tuning.js';
import { buildVerdict } from './verdict.js';

export interface AnalysisOptions {
  /** Crossover tolerance in accuracy (0.01 = 1 percentage point). */
  tolerance?: number;
  /** Target validation accuracy for time-to-target; default: the best fine-tuning variant's mean test accuracy at the smallest size. */
  targetAccuracy?: number;
  /** Size whose validation-loss curves the convergence view shows; default: the smallest size with curves. */
  convergenceSize?: number;
  /** Intervals wider than this (accuracy, low to high) are flagged as caveats; default 0.10 = 10 points. */
  wideInterval?: number;
  /** Bootstrap replicates behind the fitted learning curves' intervals; default 400. */
  bootstrapReplicates?: number;
}

export interface SuiteAnalysis {
  suiteId: number;
  suiteName: string;
  tolerance: number;
  wideInterval: number;
  /** The suite's grid, from its spec. */
  approaches: Approach[];
  sizes: number[];
  seeds: number[];
  /** Trials by status (every status present, zero when none). */
  statusCounts: Record<TrialStatus, number>;
  /** Test accuracy per approach and size: mean, sample std, 95% Student-t interval (done trials). */
  accuracy: GroupSummary[];
  testLoss: GroupSummary[];
  /** Each fine-tuning variant against scratch: Welch differences, data multipliers, crossover. */
  comparisons: VariantComparison[];
  /** Test error against size fitted per approach as a·n^(−b) + c, and the data multipliers read off the fits. */
  learningCurves: LearningCurveFits;
  cost: {
    perGroup: GroupCost[];
    target: TargetAccuracy | null;
    timeToTarget: TimeToTarget[];
    /** Reported separately and amortised, never folded into the trials' cost. */
    pretrain: PretrainCost | null;
  };
  overfitting: OverfittingGap[];
  /** Mean validation loss per epoch and approach at one size; null without curves. */
  convergence: { trainSize: number; curves: ApproachCurve[] } | null;
  incomplete: IncompleteGroup[];
  /** Learning-rate tuning per approach: grid, values chosen, edge hits and what pruning saved. */
  tuning: ApproachTuning[];
  /** Sizes whose trials chose their model by k-fold cross-validation (tiny sizes) or by a held-out split. */
  protocols: ProtocolSummary;
  /** The common claims about fine-tuning against scratch, each with a verdict on this suite's results. */
  claims: ClaimResult[];
  verdict: string[];
  caveats: string[];
}

function resolveConvergence(
  trials: readonly TrialRecord[],
  epochs: readonly EpochRow[],
  sizes: readonly number[],
  requested: number | undefined,
): SuiteAnalysis['convergence'] {
  const candidates = requested !== undefined ? [requested] : [...sizes, ...new Set(epochs.map((e) => e.trainSize))];
  for (const trainSize of candidates) {
    const curves = meanCurves(trials, epochs, trainSize, 'valLoss');
    if (curves.length > 0) return { trainSize, curves };
  }
  return null;
}

/**
 * Everything the answer needs, from a suite and its trials and training curves: one plain, JSON-serialisable
 * object. Only `done` trials enter the statistics; failed, diverged and missing ones become caveats.
 */
export function analyzeSuite(
  suite: SuiteRecord,
  trials: readonly TrialRecord[],
  epochs: readonly EpochRow[],
  options: AnalysisOptions = {},
): SuiteAnalysis {
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const wideInterval = options.wideInterval ?? DEFAULT_WIDE_INTERVAL;
  const own = trials.filter((t) => t.suiteId === suite.id);
  const approaches = APPROACHES.filter((a) => suite.spec.approaches[a] !== undefined);
  const { sizes, seeds } = suite.spec;
  const statusCounts = Object.fromEntries(
    TRIAL_STATUSES.map((s) => [s, own.filter((t) => t.status === s).length]),
  ) as Record<TrialStatus, number>;
  const accuracy = summarize(own, 'testAccuracy');
  const comparisons = compareToScratch(own, tolerance);
  const target: TargetAccuracy | null =
    options.targetAccuracy !== undefined
      ? { value: options.targetAccuracy, source: 'user', approach: null, trainSize: null }
      : defaultTargetAccuracy(accuracy);
  const cost = {
    perGroup: costPerGroup(own),
    target,
    timeToTarget: target ? timeToTarget(own, epochs, target.value) : [],
    pretrain: pretrainCost(
      suite.pretrain && suite.spec.pretrain
        ? { ...suite.pretrain, sourceDescription: describeDataset(suite.spec.pretrain.dataset) }
        : suite.pretrain,
      own,
    ),
  };
  const overfitting = overfittingGaps(own, epochs);
  const incomplete = incompleteGroups(approaches, sizes, seeds.length, own);
  const tuning = tuningSummary(suite.spec, own);
  const learningCurves = fitLearningCurves(own, options.bootstrapReplicates ?? DEFAULT_REPLICATES);
  return {
    suiteId: suite.id,
    suiteName: suite.name,
    tolerance,
    wideInterval,
    approaches,
    sizes: [...sizes],
    seeds: [...seeds],
    statusCounts,
    accuracy,
    testLoss: summarize(own, 'testLoss'),
    comparisons,
    learningCurves,
    cost,
    overfitting,
    convergence: resolveConvergence(own, epochs, sizes, options.convergenceSize),
    incomplete,
    tuning,
    protocols: protocolSummary(own),
    claims: checkClaims({
      tolerance,
      accuracy,
      comparisons,
      multipliers: learningCurves.multipliers,
      target,
      timeToTarget: cost.timeToTarget,
      costPerGroup: cost.perGroup,
      pretrain: cost.pretrain,
      overfitting,
      sources: suite.spec.pretrain || suite.spec.pretrainedModel ? 1 : 0,
    }),
    verdict: buildVerdict({
      accuracy,
      comparisons,
      tolerance,
      target,
      timeToTarget: cost.timeToTarget,
      pretrain: cost.pretrain,
      overfitting,
    }),
    caveats: [
      ...buildCaveats({ seeds: seeds.length, accuracy, comparisons, incomplete, trials: own, wideInterval }),
      ...tuningCaveats(tuning, own),
      ...fitCaveats(learningCurves),
    ],
  };
}
