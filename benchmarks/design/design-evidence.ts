import type { Approach, TrialKey } from '../domain.js';
import { findCrossover, type CurvePoint } from '../analysis/crossover.js';
import { holmAdjust } from '../analysis/multiple-testing.js';
import { pairBySeed, pairedDifference, withHolm, type PairedDifference } from '../analysis/paired.js';
import { createRng } from '../datasets/seeded-random.js';
import {
  fitCurve,
  fittedCrossing,
  summarizeCrossings,
  type FittedCrossing,
  type FittedCrossover,
} from './fitted-crossover.js';

/** One arm of a suite: an approach, from one source in a suite with several. */
export interface DesignArm {
  approach: Approach;
  source?: string;
}

/** A finished trial as the design reads it: its key, its test accuracy and what it cost. */
export interface DesignTrial extends TrialKey {
  /** null for a trial that failed (it is not run again, and it adds no evidence). */
  testAccuracy: number | null;
  /** What the trial cost, in seconds (the runner stores wall seconds per trial). null when not known. */
  costSeconds: number | null;
}

/** Between which two sizes run a crossover lies; `low` null: at or below the smallest size, `high` null: beyond the largest. */
export interface Bracket {
  low: number | null;
  high: number | null;
}

/** What the design knows about one variant against scratch. */
export interface VariantEvidence {
  arm: DesignArm;
  /** Per size run by both, in increasing size: the paired difference, Holm-corrected over every variant × size. */
  differences: { trainSize: number; difference: PairedDifference }[];
  /** Where the crossover of the mean curves lies, as the report finds it (findCrossover). null: no data. */
  crossover: Bracket | null;
  /** How often each bracket came out over the bootstrap resamples (fractions, largest first). */
  bootstrap: { bracket: Bracket; share: number }[];
  /** Share of the resamples that put the crossover in the observed bracket. */
  stability: number;
  /**
   * The crossover of the fitted learning curves (power law with a floor, on the mean over seeds) and its bootstrap over
   * the same resamples; null when a curve has fewer than four sizes to fit.
   */
  fitted: FittedCrossover | null;
}

/** The central share of the bootstrap resamples the fitted crossover's interval holds. */
export const FITTED_INTERVAL_SHARE = 0.9;

export const SCRATCH: DesignArm = { approach: 'scratch' };

export function armKey(arm: DesignArm): string {
  return arm.source === undefined ? arm.approach : `${arm.approach}@${arm.source}`;
}

/** One trial's key as text ("finetune@src|160|2"), to tell trials apart. */
export function trialKeyText(t: TrialKey): string {
  return `${armKey(t)}|${t.trainSize}|${t.seed}`;
}

export function bracketKey(b: Bracket): string {
  return `${b.low ?? '-'}..${b.high ?? '-'}`;
}

/** Accuracy by arm, then size, then seed, of the trials that finished with an accuracy. */
export type AccuracyTable = Map<string, Map<number, Map<number, number>>>;

export function accuracyTable(trials: readonly DesignTrial[]): AccuracyTable {
  const table: AccuracyTable = new Map();
  for (const t of trials) {
    if (t.testAccuracy === null || !Number.isFinite(t.testAccuracy)) continue;
    const key = armKey(t);
    const bySize = table.get(key) ?? new Map<number, Map<number, number>>();
    const bySeed = bySize.get(t.trainSize) ?? new Map<number, number>();
    bySeed.set(t.seed, t.testAccuracy);
    bySize.set(t.trainSize, bySeed);
    table.set(key, bySize);
  }
  return table;
}

function bracketOf(variant: CurvePoint[], scratch: CurvePoint[], tolerance: number): Bracket | null {
  const c = findCrossover(variant, scratch, tolerance);
  if (c.kind === 'no-data') return null;
  if (c.kind === 'not-reached') return { low: c.largestSize, high: null };
  const sizes = variant.map((p) => p.trainSize).filter((s) => scratch.some((q) => q.trainSize === s));
  const below = sizes.filter((s) => s < c.trainSize);
  return { low: c.atSmallestSize ? null : below[below.length - 1]!, high: c.trainSize };
}

function meanOf(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * The paired differences (Holm over every variant × size), the crossover bracket of the mean curves and its bootstrap
 * distribution: `replicates` resamples of the seeds at each size (with replacement; one draw per size shared by every
 * arm, so pairs stay pairs), drawn from a fixed seed. Same trials (in any order) give the same evidence.
 */
export function gatherEvidence(
  trials: readonly DesignTrial[],
  variants: readonly DesignArm[],
  tolerance: number,
  replicates: number,
  bootstrapSeed: number,
): VariantEvidence[] {
  const table = accuracyTable(trials);
  const scratch = table.get(armKey(SCRATCH)) ?? new Map<number, Map<number, number>>();
  const perVariant = variants.map((arm) => {
    const own = table.get(armKey(arm)) ?? new Map<number, Map<number, number>>();
    const sizes = [...own.keys()].filter((s) => scratch.has(s)).sort((a, b) => a - b);
    const pairs = sizes.map((s) => ({ trainSize: s, pairs: pairBySeed(own.get(s)!, scratch.get(s)!) }));
    return { arm, pairs: pairs.filter((p) => p.pairs.length > 0) };
  });
  const raw = perVariant.flatMap((v) => v.pairs.map((p) => pairedDifference(p.pairs)));
  const adjusted = holmAdjust(raw.map((d) => d.pValue));
  const family = adjusted.filter((p) => p !== null).length;
  let index = 0;
  const rng = createRng(bootstrapSeed);
  return perVariant.map(({ arm, pairs }) => {
    const differences = pairs.map((p) => {
      const i = index++;
      return { trainSize: p.trainSize, difference: withHolm(raw[i]!, adjusted[i] ?? null, family) };
    });
    const smallest = pairs[0]?.trainSize ?? 0;
    const largest = pairs[pairs.length - 1]?.trainSize ?? 0;
    const curves = (draw: (n: number) => number[]) => {
      const v: CurvePoint[] = [];
      const s: CurvePoint[] = [];
      for (const p of pairs) {
        const picks = draw(p.pairs.length).map((k) => p.pairs[k]!);
        v.push({ trainSize: p.trainSize, mean: meanOf(picks.map((x) => x.variant)) });
        s.push({ trainSize: p.trainSize, mean: meanOf(picks.map((x) => x.scratch)) });
      }
      const variantFit = fitCurve(v);
      const scratchFit = variantFit ? fitCurve(s) : null;
      const crossing: FittedCrossing | null =
        variantFit && scratchFit ? fittedCrossing(variantFit, scratchFit, smallest, largest, tolerance) : null;
      return { bracket: bracketOf(v, s, tolerance), crossing };
    };
    const observed = curves((n) => [...Array(n).keys()]);
    const crossover = observed.bracket;
    const counts = new Map<string, { bracket: Bracket; count: number }>();
    const crossings: (FittedCrossing | null)[] = [];
    for (let r = 0; r < replicates && crossover; r++) {
      const drawn = curves((n) => Array.from({ length: n }, () => Math.floor(rng() * n)));
      crossings.push(drawn.crossing);
      const b = drawn.bracket!;
      const entry = counts.get(bracketKey(b)) ?? { bracket: b, count: 0 };
      entry.count++;
      counts.set(bracketKey(b), entry);
    }
    const bootstrap = [...counts.values()]
      .sort((a, b) => b.count - a.count || bracketKey(a.bracket).localeCompare(bracketKey(b.bracket)))
      .map(({ bracket, count }) => ({ bracket, share: count / replicates }));
    const stability = crossover ? (counts.get(bracketKey(crossover))?.count ?? 0) / replicates : 0;
    const fitted = observed.crossing
      ? summarizeCrossings(observed.crossing, crossings, smallest, largest, FITTED_INTERVAL_SHARE)
      : null;
    return { arm, differences, crossover, bootstrap, stability, fitted };
  });
}
