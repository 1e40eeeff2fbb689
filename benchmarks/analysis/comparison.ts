import { APPROACHES, type Approach, type TrialRecord } from '../domain.js';
import { findCrossover, DEFAULT_TOLERANCE, type Crossover, type CurvePoint } from './crossover.js';
import { dataMultiplier, type DataMultiplier } from './data-multiplier.js';
import { accuracyInterval } from './accuracy-interval.js';
import { holmAdjust } from './multiple-testing.js';
import { pairBySeed, pairedDifference, withHolm, type PairedDifference } from './paired.js';
import { doneTrials } from './summary-stats.js';

/** The approaches that start from the pretrained model and are compared against scratch. */
export type Variant = Exclude<Approach, 'scratch'>;
export const VARIANTS: readonly Variant[] = APPROACHES.filter((a): a is Variant => a !== 'scratch');

export interface SizeComparison {
  trainSize: number;
  variantMean: number;
  variantN: number;
  /** null when scratch has no done trial at this size. */
  scratchMean: number | null;
  scratchN: number;
  /**
   * Variant minus scratch test accuracy over the seeds both finished (same seed, same training subset): the mean
   * paired difference, its 95% t-interval, the paired t-test's p-value and that p-value after Holm's correction over
   * every variant × size test of the suite (`significant` is the corrected one). null when no seed has both.
   */
  difference: PairedDifference | null;
  /** How much more data scratch needs to reach the variant's mean accuracy at this size. */
  multiplier: DataMultiplier;
}

export interface VariantComparison {
  approach: Variant;
  /** The source this approach starts from, in a suite with several sources (absent for scratch and otherwise). */
  source?: string;
  baseline: 'scratch';
  /** One entry per size at which the variant has done trials, in increasing size. */
  sizes: SizeComparison[];
  crossover: Crossover;
}

/** Test accuracies of done trials, grouped by size, for one approach. */
export function accuraciesBySize(trials: readonly TrialRecord[], approach: Approach): Map<number, number[]> {
  const bySize = new Map<number, number[]>();
  for (const t of doneTrials(trials)) {
    if (t.approach !== approach || t.testAccuracy === null || !Number.isFinite(t.testAccuracy)) continue;
    const list = bySize.get(t.trainSize) ?? [];
    list.push(t.testAccuracy);
    bySize.set(t.trainSize, list);
  }
  return new Map([...bySize].sort(([a], [b]) => a - b));
}

/** Test accuracy of done trials by size, then seed, for one approach. */
export function accuraciesBySizeAndSeed(
  trials: readonly TrialRecord[],
  approach: Approach,
): Map<number, Map<number, number>> {
  const bySize = new Map<number, Map<number, number>>();
  for (const t of doneTrials(trials)) {
    if (t.approach !== approach || t.testAccuracy === null || !Number.isFinite(t.testAccuracy)) continue;
    const bySeed = bySize.get(t.trainSize) ?? new Map<number, number>();
    bySeed.set(t.seed, t.testAccuracy);
    bySize.set(t.trainSize, bySeed);
  }
  return bySize;
}

function meanCurve(bySize: Map<number, number[]>): CurvePoint[] {
  return [...bySize].map(([trainSize, values]) => ({
    trainSize,
    mean: values.reduce((s, v) => s + v, 0) / values.length,
  }));
}

/**
 * Compares each fine-tuning variant that has results with scratch, on test accuracy of done trials:
 * the paired difference at each size (same seeds; 95% paired t-interval; paired t-test, Holm-corrected over every
 * variant × size of the suite),
 * the data multiplier at each size and the crossover size for `tolerance` (in accuracy, 0.01 = 1 point).
 */
export function compareToScratch(
  trials: readonly TrialRecord[],
  tolerance: number = DEFAULT_TOLERANCE,
  /** Examples each trial was tested on (testSetSize), for the intervals that decide whether a curve is flat. */
  testExamples: number | null = null,
): VariantComparison[] {
  const scratchBySize = accuraciesBySize(trials, 'scratch');
  const scratchBySeed = accuraciesBySizeAndSeed(trials, 'scratch');
  const scratchCurve = meanCurve(scratchBySize);
  const scratchMeans = new Map(scratchCurve.map((p) => [p.trainSize, p.mean]));
  const result: VariantComparison[] = [];
  for (const approach of VARIANTS) {
    const bySize = accuraciesBySize(trials, approach);
    if (bySize.size === 0) continue;
    const bySeed = accuraciesBySizeAndSeed(trials, approach);
    const curve = meanCurve(bySize);
    const sizes = curve.map(({ trainSize, mean }): SizeComparison => {
      const values = bySize.get(trainSize)!;
      const scratchValues = scratchBySize.get(trainSize);
      const pairs = pairBySeed(bySeed.get(trainSize) ?? new Map(), scratchBySeed.get(trainSize) ?? new Map());
      const difference = pairs.length > 0 ? pairedDifference(pairs) : null;
      const withinNoise = difference?.interval != null && difference.interval.low <= 0 && difference.interval.high >= 0;
      const undefinedHere =
        withinNoise &&
        flatAround(bySize, trainSize, testExamples) &&
        flatAround(scratchBySize, trainSize, testExamples);
      return {
        trainSize,
        variantMean: mean,
        variantN: values.length,
        scratchMean: scratchMeans.get(trainSize) ?? null,
        scratchN: scratchValues?.length ?? 0,
        difference,
        multiplier: undefinedHere ? { kind: 'not-defined' } : dataMultiplier(trainSize, mean, scratchCurve),
      };
    });
    result.push({ approach, baseline: 'scratch', sizes, crossover: findCrossover(curve, scratchCurve, tolerance) });
  }
  return holmOverComparisons(result);
}

/** Every difference's p-value corrected by Holm over the whole family of variant × size tests. */
function holmOverComparisons(comparisons: VariantComparison[]): VariantComparison[] {
  const all = comparisons.flatMap((c) => c.sizes.map((s) => s.difference?.pValue ?? null));
  const adjusted = holmAdjust(all);
  const family = all.filter((p) => p !== null).length;
  let i = 0;
  return comparisons.map((c) => ({
    ...c,
    sizes: c.sizes.map((s) => {
      const adjustedP = adjusted[i++] ?? null;
      return s.difference ? { ...s, difference: withHolm(s.difference, adjustedP, family) } : s;
    }),
  }));
}

/**
 * Whether an approach's curve is flat around `trainSize` within the noise: at each neighbouring size run (the next
 * smaller and the next larger), the change of mean accuracy is within the two sizes' 95% intervals combined
 * (√(h₁² + h₂²), h the half-widths of accuracyInterval). False without a neighbour or without a spread estimate.
 */
export function flatAround(
  bySize: ReadonlyMap<number, readonly number[]>,
  trainSize: number,
  testExamples: number | null,
): boolean {
  const sizes = [...bySize.keys()].sort((a, b) => a - b);
  const at = sizes.indexOf(trainSize);
  const neighbours = [sizes[at - 1], sizes[at + 1]].filter((n): n is number => n !== undefined);
  const here = bySize.get(trainSize);
  if (at < 0 || neighbours.length === 0 || !here || here.length < 2) return false;
  const half = (values: readonly number[]) => {
    const i = accuracyInterval(values, testExamples);
    return (i.high - i.low) / 2;
  };
  const meanOf = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return neighbours.every((n) => {
    const there = bySize.get(n)!;
    if (there.length < 2) return false;
    return Math.abs(meanOf(there) - meanOf(here)) <= Math.hypot(half(there), half(here));
  });
}
