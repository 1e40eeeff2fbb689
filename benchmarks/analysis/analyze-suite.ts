import { describeDataset } from '../spec/describe-dataset.js';
import { describeModelOrigin } from '../spec/describe-pretrained.js';
import {
  APPROACHES,
  TRIAL_STATUSES,
  type Approach,
  type SuiteRecord,
  type TrialRecord,
  type TrialStatus,
} from '../domain.js';
import type { EpochRow } from '../domain.js';
import { capitalised } from './format.js';
import { hasNamedSources, specForSource, suiteSources, type SuiteSource } from '../spec/sources.js';
import {
  CLAIM_IDS,
  checkClaims,
  sourceRelevanceClaim,
  type ClaimResult,
  type ClaimsInput,
  type SourceResults,
} from './claims.js';
import { buildCaveats, DEFAULT_WIDE_INTERVAL, incompleteGroups, type IncompleteGroup } from './caveats.js';
import { testSetSize } from './accuracy-interval.js';
import { accuraciesBySizeAndSeed, compareToScratch, VARIANTS, type VariantComparison } from './comparison.js';
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
  /**
   * Target validation accuracy for time-to-target; default: the best fine-tuning variant's mean (over seeds) highest
   * validation accuracy at the smallest size.
   */
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
  /**
   * Test accuracy per approach and size: mean, sample std, 95% interval over seeds and the test set (logit scale, see
   * accuracyInterval; done trials).
   */
  accuracy: GroupSummary[];
  /** Examples every trial was tested on, when the spec says (testSetSize); null otherwise. */
  testExamples: number | null;
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
  /**
   * In a suite with several sources: each source analysed as a single-source suite (its transfer approaches against
   * the one scratch baseline), in the suite's order. Empty otherwise. The fields above then list scratch once and
   * every other approach once per source (each entry names its `source`).
   */
  sources: SourceAnalysis[];
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

export interface SourceAnalysis {
  source: string;
  /** What the source is: its dataset, or the model's path. */
  description: string;
  analysis: SuiteAnalysis;
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
  if (!hasNamedSources(suite.spec)) return analyzeOneSource(suite, trials, epochs, options, []);
  return analyzeSources(suite, trials, epochs, options);
}

function analyzeOneSource(
  suite: SuiteRecord,
  trials: readonly TrialRecord[],
  epochs: readonly EpochRow[],
  options: AnalysisOptions,
  sourceResults: readonly SourceResults[],
  /** The target accuracy to use (a suite with several sources gives every source the same one). */
  sharedTarget?: TargetAccuracy | null,
): SuiteAnalysis {
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const wideInterval = options.wideInterval ?? DEFAULT_WIDE_INTERVAL;
  const own = trials.filter((t) => t.suiteId === suite.id);
  const approaches = APPROACHES.filter((a) => suite.spec.approaches[a] !== undefined);
  const { sizes, seeds } = suite.spec;
  const statusCounts = Object.fromEntries(
    TRIAL_STATUSES.map((s) => [s, own.filter((t) => t.status === s).length]),
  ) as Record<TrialStatus, number>;
  const testExamples = testSetSize(suite.spec);
  const accuracy = summarize(own, 'testAccuracy', testExamples);
  const comparisons = compareToScratch(own, tolerance, testExamples);
  const target: TargetAccuracy | null =
    sharedTarget !== undefined
      ? sharedTarget
      : options.targetAccuracy !== undefined
        ? { value: options.targetAccuracy, source: 'user', approach: null, trainSize: null }
        : defaultTargetAccuracy(own, epochs);
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
  const learningCurves = fitLearningCurves(own, options.bootstrapReplicates ?? DEFAULT_REPLICATES, testExamples);
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
    testExamples,
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
      sources: sourceResults,
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
      ...tuningCaveats(tuning, own, suite.spec, epochs),
      ...fitCaveats(learningCurves),
    ],
    sources: [],
  };
}

/** Tags the entries of one source's analysis that are not scratch with the source's name. */
function tagged<T extends { approach: Approach }>(list: readonly T[], source: string): T[] {
  return list.filter((x) => x.approach !== 'scratch').map((x) => ({ ...x, source }));
}

/** Scratch's entries (from any one source's analysis: they are the same in all) and every source's others, tagged. */
function merged<T extends { approach: Approach }>(
  views: readonly SourceAnalysis[],
  pick: (a: SuiteAnalysis) => readonly T[],
): T[] {
  return [
    ...pick(views[0]!.analysis).filter((x) => x.approach === 'scratch'),
    ...views.flatMap((v) => tagged(pick(v.analysis), v.source)),
  ];
}

/**
 * A suite with several sources: each source is analysed as a single-source suite (scratch and its own transfer
 * trials), with one target accuracy and one convergence size for all so that they can be compared; the suite's
 * analysis lists scratch once and every other approach per source, measures the relevance claim across sources and
 * gives every other claim per source.
 */
function analyzeSources(
  suite: SuiteRecord,
  trials: readonly TrialRecord[],
  epochs: readonly EpochRow[],
  options: AnalysisOptions,
): SuiteAnalysis {
  const own = trials.filter((t) => t.suiteId === suite.id);
  const sources = suiteSources(suite.spec);
  const viewOf = (name: string) => {
    const keep = (t: { source?: string }) => t.source === undefined || t.source === name;
    return {
      suite: {
        ...suite,
        spec: specForSource(suite.spec, name),
        pretrain: suite.pretrains?.find((p) => p.source === name) ?? null,
        pretrains: undefined,
      },
      trials: own.filter(keep),
      epochs: epochs.filter(keep),
    };
  };
  // One target accuracy for every source: the best transfer approach's mean best validation accuracy at the smallest
  // size, over all sources.
  const targets = sources.flatMap((src) => {
    const view = viewOf(src.name!);
    const found = defaultTargetAccuracy(view.trials, view.epochs);
    return found ? [found] : [];
  });
  const target: TargetAccuracy | null =
    options.targetAccuracy !== undefined
      ? { value: options.targetAccuracy, source: 'user', approach: null, trainSize: null }
      : targets.length > 0
        ? targets.reduce((a, b) => (b.value > a.value ? b : a))
        : null;
  const convergenceSize =
    options.convergenceSize ?? resolveConvergence(own, epochs, suite.spec.sizes, undefined)?.trainSize;
  const viewOptions: AnalysisOptions = {
    ...options,
    ...(convergenceSize === undefined ? {} : { convergenceSize }),
  };
  const views: SourceAnalysis[] = sources.map((s) => {
    const name = s.name!;
    const view = viewOf(name);
    return {
      source: name,
      description: describeSource(s),
      analysis: analyzeOneSource(view.suite, view.trials, view.epochs, viewOptions, [], target),
    };
  });
  const sourceResults: SourceResults[] = views.map((v) => ({
    source: v.source,
    accuracies: VARIANTS.flatMap((approach) =>
      [...accuraciesBySizeAndSeed(viewOf(v.source).trials, approach)].map(([trainSize, bySeed]) => {
        const seeds = [...bySeed.keys()].sort((a, b) => a - b);
        return { approach, trainSize, seeds, values: seeds.map((seed) => bySeed.get(seed)!) };
      }),
    ),
  }));
  const first = views[0]!.analysis;
  const accuracy = merged(views, (a) => a.accuracy);
  const relevance = sourceRelevanceClaim({ ...claimsInputFor(first), accuracy, sources: sourceResults });
  const claims = CLAIM_IDS.flatMap((id) =>
    id === 'source-relevance'
      ? [relevance]
      : views.map((v) => ({ ...v.analysis.claims.find((c) => c.id === id)!, source: v.source })),
  );
  const shared = views.map((v) => new Set(v.analysis.caveats));
  const inAll = (caveat: string) => shared.every((set) => set.has(caveat));
  const caveats = [
    ...first.caveats.filter(inAll),
    ...views.flatMap((v) => v.analysis.caveats.filter((c) => !inAll(c)).map((c) => `Source ${v.source}: ${c}`)),
  ];
  const verdict = [
    `Sources compared: ${views.map((v) => `${v.source} (${v.description})`).join('; ')}. Does the source matter? ${relevance.verdict.kind === 'not-measured' ? relevance.evidence : `${capitalised(relevance.verdictLabel)}. ${relevance.evidence}`}`,
    ...views.flatMap((v) => v.analysis.verdict.map((line) => `From ${v.source}: ${line}`)),
  ];
  return {
    ...first,
    statusCounts: Object.fromEntries(
      TRIAL_STATUSES.map((s) => [s, own.filter((t) => t.status === s).length]),
    ) as Record<TrialStatus, number>,
    accuracy,
    testLoss: merged(views, (a) => a.testLoss),
    comparisons: views.flatMap((v) => v.analysis.comparisons.map((c) => ({ ...c, source: v.source }))),
    learningCurves: {
      ...first.learningCurves,
      fits: merged(views, (a) => a.learningCurves.fits),
      multipliers: views.flatMap((v) => v.analysis.learningCurves.multipliers.map((m) => ({ ...m, source: v.source }))),
    },
    cost: {
      perGroup: merged(views, (a) => a.cost.perGroup),
      target: first.cost.target,
      timeToTarget: merged(views, (a) => a.cost.timeToTarget),
      pretrain: null,
    },
    overfitting: merged(views, (a) => a.overfitting),
    convergence: first.convergence
      ? { trainSize: first.convergence.trainSize, curves: merged(views, (a) => a.convergence?.curves ?? []) }
      : null,
    incomplete: merged(views, (a) => a.incomplete),
    tuning: merged(views, (a) => a.tuning),
    protocols: protocolSummary(own),
    claims,
    verdict,
    caveats,
    sources: views,
  };
}

/** The claims input of the relevance claim: only tolerance, accuracy and sources are read. */
function claimsInputFor(a: SuiteAnalysis): Omit<ClaimsInput, 'sources'> {
  return {
    tolerance: a.tolerance,
    accuracy: a.accuracy,
    comparisons: a.comparisons,
    multipliers: a.learningCurves.multipliers,
    target: a.cost.target,
    timeToTarget: a.cost.timeToTarget,
    costPerGroup: a.cost.perGroup,
    pretrain: null,
    overfitting: a.overfitting,
  };
}

/** What a source is, for the report and the app. */
export function describeSource(source: SuiteSource): string {
  if (source.pretrain) return describeDataset(source.pretrain.dataset);
  if (source.pretrainedModel) return describeModelOrigin(source.pretrainedModel.path);
  return 'no source';
}
