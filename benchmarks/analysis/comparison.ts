import { APPROACHES, type Approach, type TrialRecord } from '../domain.js';
import { findCrossover, DEFAULT_TOLERANCE, type Crossover, type CurvePoint } from './crossover.js';
import { dataMultiplier, type DataMultiplier } from './data-multiplier.js';
import { doneTrials } from './summary-stats.js';
import { welchDifference, type MeanDifference } from './welch.js';

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
  /** Variant minus scratch test accuracy with a 95% Welch t-interval; null when scratch is missing at this size. */
  difference: MeanDifference | null;
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

function meanCurve(bySize: Map<number, number[]>): CurvePoint[] {
  return [...bySize].map(([trainSize, values]) => ({
    trainSize,
    mean: values.reduce((s, v) => s + v, 0) / values.length,
  }));
}

/**
 * Compares each fine-tuning variant that has results with scratch, on test accuracy of done trials:
 * the difference of means at each size (95% Welch t-interval, significant when it excludes 0),
 * the data multiplier at each size and the crossover size for `tolerance` (in accuracy, 0.01 = 1 point).
 */
export function compareToScratch(
  trials: readonly TrialRecord[],
  tolerance: number = DEFAULT_TOLERANCE,
): VariantComparison[] {
  const scratchBySize = accuraciesBySize(trials, 'scratch');
  const scratchCurve = meanCurve(scratchBySize);
  const scratchMeans = new Map(scratchCurve.map((p) => [p.trainSize, p.mean]));
  const result: VariantComparison[] = [];
  for (const approach of VARIANTS) {
    const bySize = accuraciesBySize(trials, approach);
    if (bySize.size === 0) continue;
    const curve = meanCurve(bySize);
    const sizes = curve.map(({ trainSize, mean }): SizeComparison => {
      const values = bySize.get(trainSize)!;
      const scratchValues = scratchBySize.get(trainSize);
      return {
        trainSize,
        variantMean: mean,
        variantN: values.length,
        scratchMean: scratchMeans.get(trainSize) ?? null,
        scratchN: scratchValues?.length ?? 0,
        difference: scratchValues ? welchDifference(values, scratchValues) : null,
        multiplier: dataMultiplier(trainSize, mean, scratchCurve),
      };
    });
    result.push({ approach, baseline: 'scratch', sizes, crossover: findCrossover(curve, scratchCurve, tolerance) });
  }
  return result;
}
