import { APPROACHES, type Approach, type TrialRecord } from '../domain.js';
import { createRng } from '../datasets/seeded-random.js';
import type { CurvePoint } from './crossover.js';
import { dataMultiplier, type DataMultiplier } from './data-multiplier.js';
import {
  fitPowerLaw,
  FitRefused,
  powerLaw,
  sizeForError,
  type LearningCurvePoint,
  type PowerLawParams,
} from './power-law-fit.js';
import { doneTrials } from './summary-stats.js';
import type { Interval } from './descriptive.js';

/** Bootstrap replicates (resamples of the seeds) behind every interval of the fitted curves. */
export const DEFAULT_REPLICATES = 400;
/** Fixed, so the same results always give the same intervals. */
const BOOTSTRAP_SEED = 20_210_201;
/** The fitted curves are drawn this many times past the largest size run (dashed: an extrapolation). */
export const EXTRAPOLATION_FACTOR = 2;
const INSIDE_POINTS = 32;
const OUTSIDE_POINTS = 8;

export interface FittedCurvePoint {
  trainSize: number;
  /** 1 − err(n) of the fit, clamped to [0, 1]. */
  accuracy: number;
  /** 95% bootstrap percentile interval of the fitted accuracy at this size; null without enough replicates. */
  low: number | null;
  high: number | null;
  /** Beyond the largest size run. */
  extrapolated: boolean;
}

export type ApproachFit = (
  | {
      approach: Approach;
      kind: 'fitted';
      /** Of test error (1 − accuracy), fitted on the mean over seeds at each size. */
      params: PowerLawParams;
      rss: number;
      /** 95% bootstrap percentile intervals of the parameters; null without enough replicates. */
      intervals: { a: Interval; b: Interval; c: Interval } | null;
      /** Replicates that gave a fit (a resample can lose sizes). */
      replicatesFitted: number;
      smallestSize: number;
      largestSize: number;
      curve: FittedCurvePoint[];
    }
  | { approach: Approach; kind: 'refused'; reason: string }
) & {
  /** The source the approach starts from, in a suite with several sources (absent for scratch and otherwise). */
  source?: string;
};

/** Where a matching size lies with respect to scratch's sizes run: outside them it comes from the fit's shape alone. */
export type Extrapolation = 'none' | 'beyond-largest' | 'below-smallest';

/**
 * A 95% bootstrap percentile interval whose ends may be "never" (null): in more than 2.5% (or 97.5%) of the
 * resamples scratch's fit never reaches the variant. JSON-safe, unlike Infinity.
 */
export interface OpenInterval {
  low: number | null;
  high: number | null;
}

export interface FitMultiplier {
  /** Size at which scratch's fitted curve reaches the variant's fitted error at N; null: never (at or below its floor). */
  matchingSize: number | null;
  /** matchingSize / N; null when scratch's fit never gets there. */
  multiplier: number | null;
  /** Effective data transferred (Hernandez et al., 2021): matchingSize − N examples; null when never. */
  effectiveData: number | null;
  extrapolation: Extrapolation;
  interval: OpenInterval | null;
  effectiveDataInterval: OpenInterval | null;
}

export interface InterpolatedMultiplier {
  /** The interpolation on scratch's measured curve (see data-multiplier.ts). */
  multiplier: DataMultiplier;
  /** matchingSize − N when the multiplier is interpolated; null for bounds. */
  effectiveData: number | null;
  /** 95% bootstrap percentile interval of the multiplier; resamples where scratch never matches within the sizes run count as never. */
  interval: OpenInterval | null;
}

export interface SizeMultipliers {
  trainSize: number;
  fromFit: FitMultiplier | null;
  fromInterpolation: InterpolatedMultiplier;
}

export interface VariantMultipliers {
  approach: Exclude<Approach, 'scratch'>;
  /** The source this approach starts from, in a suite with several sources (absent for scratch and otherwise). */
  source?: string;
  sizes: SizeMultipliers[];
}

export interface LearningCurveFits {
  /** Bootstrap replicates drawn, and the number of seeds they resample. */
  replicates: number;
  seeds: number;
  /** How many different resamples the seeds allow: C(2k − 1, k); with 3 seeds only 10, so intervals are coarse. */
  distinctResamples: number;
  /**
   * Examples each trial was tested on, when known: every replicate then also redraws each trial's test accuracy
   * (the number right out of them, binomial), so the resamples are not limited to the seeds' few combinations.
   */
  testExamples: number | null;
  fits: ApproachFit[];
  multipliers: VariantMultipliers[];
}

/** Accuracy by approach, seed and size, of done trials with a finite test accuracy. */
type Table = Map<Approach, Map<number, Map<number, number>>>;

function accuracyTable(trials: readonly TrialRecord[]): Table {
  const table: Table = new Map();
  for (const t of doneTrials(trials)) {
    if (t.testAccuracy === null || !Number.isFinite(t.testAccuracy)) continue;
    let bySeed = table.get(t.approach);
    if (!bySeed) table.set(t.approach, (bySeed = new Map()));
    let bySize = bySeed.get(t.seed);
    if (!bySize) bySeed.set(t.seed, (bySize = new Map()));
    bySize.set(t.trainSize, t.testAccuracy);
  }
  return table;
}

/**
 * Mean accuracy per size over the seeds listed (a seed listed twice counts twice), in increasing size. With `redraw`,
 * each value taken is passed through it (a replicate's fresh draw of that trial's test accuracy).
 */
function meanCurve(
  bySeed: Map<number, Map<number, number>> | undefined,
  seeds: readonly number[],
  redraw?: (accuracy: number) => number,
): CurvePoint[] {
  if (!bySeed) return [];
  const sums = new Map<number, { sum: number; n: number }>();
  for (const seed of seeds) {
    for (const [size, value] of bySeed.get(seed) ?? []) {
      const s = sums.get(size) ?? { sum: 0, n: 0 };
      s.sum += redraw ? redraw(value) : value;
      s.n += 1;
      sums.set(size, s);
    }
  }
  return [...sums]
    .map(([trainSize, s]) => ({ trainSize, mean: s.sum / s.n }))
    .sort((a, b) => a.trainSize - b.trainSize);
}

const toErrors = (curve: readonly CurvePoint[]): LearningCurvePoint[] =>
  curve.map((p) => ({ trainSize: p.trainSize, error: 1 - p.mean }));

function tryFit(curve: readonly CurvePoint[]): PowerLawParams | null {
  try {
    return fitPowerLaw(toErrors(curve));
  } catch (error) {
    if (error instanceof FitRefused) return null;
    throw error;
  }
}

/** The q-quantile (linear between order statistics) of values that may include Infinity. */
export function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const lo = sorted[below]!;
  const hi = sorted[above]!;
  if (below === above || lo === hi) return lo;
  if (!Number.isFinite(hi)) return Infinity;
  return lo + (hi - lo) * (position - below);
}

/** Infinity (never) as null, so the analysis survives JSON. */
function openInterval(interval: Interval | null, scale: (v: number) => number = (v) => v): OpenInterval | null {
  if (!interval) return null;
  const end = (v: number) => (Number.isFinite(v) ? scale(v) : null);
  return { low: end(interval.low), high: end(interval.high) };
}

/** 95% percentile interval; null with fewer than 20 values (too few to put 2.5% in each tail). */
export function percentileInterval(values: readonly number[]): Interval | null {
  if (values.length < 20) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return { low: quantile(sorted, 0.025), high: quantile(sorted, 0.975) };
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return Math.round(result);
}

function logSpaced(from: number, to: number, count: number): number[] {
  if (count < 2 || from === to) return [from];
  const step = (Math.log(to) - Math.log(from)) / (count - 1);
  return Array.from({ length: count }, (_, i) =>
    i === 0 ? from : i === count - 1 ? to : Math.exp(Math.log(from) + step * i),
  );
}

const clampAccuracy = (error: number) => Math.min(1, Math.max(0, 1 - error));

function fittedCurve(
  params: PowerLawParams,
  replicates: readonly PowerLawParams[],
  smallest: number,
  largest: number,
): FittedCurvePoint[] {
  const inside = logSpaced(smallest, largest, INSIDE_POINTS);
  const outside = logSpaced(largest, largest * EXTRAPOLATION_FACTOR, OUTSIDE_POINTS + 1).slice(1);
  return [...inside, ...outside].map((trainSize) => {
    const interval = percentileInterval(replicates.map((r) => clampAccuracy(powerLaw(r, trainSize))));
    return {
      trainSize,
      accuracy: clampAccuracy(powerLaw(params, trainSize)),
      low: interval?.low ?? null,
      high: interval?.high ?? null,
      extrapolated: trainSize > largest,
    };
  });
}

function extrapolationOf(size: number | null, scratch: readonly CurvePoint[]): Extrapolation {
  const first = scratch[0];
  const last = scratch[scratch.length - 1];
  if (size === null || !first || !last) return 'beyond-largest';
  if (size > last.trainSize * (1 + 1e-9)) return 'beyond-largest';
  if (size < first.trainSize * (1 - 1e-9)) return 'below-smallest';
  return 'none';
}

/** The size at which scratch's fit reaches the variant's fitted error at N; null: never. */
function scratchSizeFor(variant: PowerLawParams, scratch: PowerLawParams, trainSize: number): number | null {
  return sizeForError(scratch, powerLaw(variant, trainSize));
}

function interpolatedValue(m: DataMultiplier): number | null {
  switch (m.kind) {
    case 'interpolated':
      return m.multiplier;
    case 'at-most':
      return m.multiplierAtMost;
    case 'more-than-largest':
      return Infinity;
    case 'not-defined':
    case 'no-data':
      return null;
  }
}

/**
 * A test accuracy measured on `m` examples, drawn again: the number right out of m from a binomial with the measured
 * accuracy, by its normal approximation (rounded, kept within 0..m), divided by m.
 */
function testRedraw(m: number, rng: () => number): (accuracy: number) => number {
  return (accuracy) => {
    const u = Math.max(rng(), 1e-12);
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
    const right = Math.round(m * accuracy + z * Math.sqrt(m * accuracy * (1 - accuracy)));
    return Math.min(m, Math.max(0, right)) / m;
  };
}

/**
 * Fits test error against training-set size per approach as err(n) = a·n^(−b) + c on the mean over seeds, with a
 * bootstrap over seeds (the same resample of seeds for every approach, so comparisons stay paired) and, when
 * `testExamples` is known, over the test set (each trial's accuracy redrawn, binomial) for intervals,
 * and reads off the data multiplier and the effective data transferred (Hernandez et al., 2021) both from the fits
 * and from interpolation on scratch's measured curve. An approach with fewer than four sizes is refused with a reason.
 */
export function fitLearningCurves(
  trials: readonly TrialRecord[],
  replicates: number = DEFAULT_REPLICATES,
  testExamples: number | null = null,
): LearningCurveFits {
  const table = accuracyTable(trials);
  const allSeeds = [...new Set([...table.values()].flatMap((bySeed) => [...bySeed.keys()]))].sort((a, b) => a - b);
  const approaches = APPROACHES.filter((a) => table.has(a));
  const fullCurves = new Map(approaches.map((a) => [a, meanCurve(table.get(a), allSeeds)]));
  const rng = createRng(BOOTSTRAP_SEED);
  const resamples = Array.from({ length: replicates }, () =>
    allSeeds.map(() => allSeeds[Math.floor(rng() * allSeeds.length)]!),
  );
  const redraw = testExamples !== null && testExamples > 0 ? testRedraw(testExamples, rng) : undefined;
  const replicateCurves = resamples.map(
    (seeds) => new Map(approaches.map((a) => [a, meanCurve(table.get(a), seeds, redraw)] as const)),
  );
  const replicateFits = replicateCurves.map(
    (curves) => new Map(approaches.map((a) => [a, tryFit(curves.get(a) ?? [])] as const)),
  );

  const fitted = new Map<Approach, PowerLawParams>();
  const fits: ApproachFit[] = approaches.map((approach): ApproachFit => {
    const curve = fullCurves.get(approach)!;
    let fit;
    try {
      fit = fitPowerLaw(toErrors(curve));
    } catch (error) {
      if (error instanceof FitRefused) return { approach, kind: 'refused', reason: error.message };
      throw error;
    }
    fitted.set(approach, fit);
    const reps = replicateFits.map((m) => m.get(approach)).filter((p): p is PowerLawParams => p != null);
    const a = percentileInterval(reps.map((r) => r.a));
    const b = percentileInterval(reps.map((r) => r.b));
    const c = percentileInterval(reps.map((r) => r.c));
    const smallestSize = curve[0]!.trainSize;
    const largestSize = curve[curve.length - 1]!.trainSize;
    return {
      approach,
      kind: 'fitted',
      params: { a: fit.a, b: fit.b, c: fit.c },
      rss: fit.rss,
      intervals: a && b && c ? { a, b, c } : null,
      replicatesFitted: reps.length,
      smallestSize,
      largestSize,
      curve: fittedCurve(fit, reps, smallestSize, largestSize),
    };
  });

  const scratchCurve = fullCurves.get('scratch') ?? [];
  const scratchFit = fitted.get('scratch') ?? null;
  const multipliers: VariantMultipliers[] = [];
  for (const approach of approaches) {
    if (approach === 'scratch' || scratchCurve.length === 0) continue;
    const variantFit = fitted.get(approach) ?? null;
    const sizes = fullCurves.get(approach)!.map(({ trainSize, mean }): SizeMultipliers => {
      let fromFit: FitMultiplier | null = null;
      if (variantFit && scratchFit) {
        const matchingSize = scratchSizeFor(variantFit, scratchFit, trainSize);
        const values = replicateFits.flatMap((m) => {
          const v = m.get(approach);
          const s = m.get('scratch');
          if (!v || !s) return [];
          const size = scratchSizeFor(v, s, trainSize);
          return [size === null ? Infinity : size];
        });
        const sizeInterval = percentileInterval(values);
        fromFit = {
          matchingSize,
          multiplier: matchingSize === null ? null : matchingSize / trainSize,
          effectiveData: matchingSize === null ? null : matchingSize - trainSize,
          extrapolation: extrapolationOf(matchingSize, scratchCurve),
          interval: openInterval(sizeInterval, (v) => v / trainSize),
          effectiveDataInterval: openInterval(sizeInterval, (v) => v - trainSize),
        };
      }
      const multiplier = dataMultiplier(trainSize, mean, scratchCurve);
      const interpolatedValues = replicateCurves.flatMap((curves) => {
        const point = curves.get(approach)?.find((p) => p.trainSize === trainSize);
        if (!point) return [];
        const value = interpolatedValue(dataMultiplier(trainSize, point.mean, curves.get('scratch') ?? []));
        return value === null ? [] : [value];
      });
      return {
        trainSize,
        fromFit,
        fromInterpolation: {
          multiplier,
          effectiveData: multiplier.kind === 'interpolated' ? multiplier.matchingSize - trainSize : null,
          interval: openInterval(percentileInterval(interpolatedValues)),
        },
      };
    });
    multipliers.push({ approach, sizes });
  }
  return {
    replicates,
    seeds: allSeeds.length,
    distinctResamples: allSeeds.length > 0 ? binomial(2 * allSeeds.length - 1, allSeeds.length) : 0,
    testExamples,
    fits,
    multipliers,
  };
}
