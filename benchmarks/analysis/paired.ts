import { CONFIDENCE, mean, sampleStd, tCritical } from './descriptive.js';
import { FAMILY_ALPHA } from './multiple-testing.js';
import { studentTCdf, studentTQuantile } from './student-t.js';
import type { MeanDifference } from './welch.js';

/** What power a "seeds that would settle it" estimate aims for. */
export const TARGET_POWER = 0.8;
/** Above this many seeds the estimate says "more than". */
export const MAX_SEEDS_ESTIMATE = 1000;

/**
 * Variant minus scratch on the same seeds: a seed fixes the training subset (and the data order), so the two
 * accuracies of one seed share what that subset made easy or hard, and their difference is what the approach changed.
 * The interval and the p-value come from the paired differences (paired t-test, n − 1 degrees of freedom).
 */
export interface PairedDifference extends MeanDifference {
  /** How the difference was tested: `paired-t` on the seeds both sides finished. */
  test: 'paired-t';
  /** Seeds both sides finished: the pairs the interval and the test use. */
  pairs: number;
  /** The paired differences, variant minus scratch, in increasing seed. */
  differences: number[];
  /** Standard deviation of the paired differences (n − 1); 0 with one pair. */
  sdDifference: number;
  /** Two-sided p-value of the paired t-test; null with fewer than two pairs. */
  pValue: number | null;
  /**
   * The p-value after Holm's correction over the family of tests it belongs to (`family` tests), and `significant`
   * then means adjusted p < 0.05. Before the correction is applied these equal the raw p-value and 1.
   */
  adjustedP: number | null;
  family: number;
  /**
   * Seeds that would make this difference significant with 80% power at the family's strictest Holm level
   * (0.05 / family), if the observed mean and spread of the differences are the truth; null when there is no spread
   * estimate or no difference. MAX_SEEDS_ESTIMATE + 1 stands for "more than MAX_SEEDS_ESTIMATE".
   */
  seedsNeeded: number | null;
}

/** One seed's accuracies on both sides. */
export interface SeedPair {
  seed: number;
  variant: number;
  scratch: number;
}

/** The seeds present on both sides, in increasing seed, as pairs. */
export function pairBySeed(variant: ReadonlyMap<number, number>, scratch: ReadonlyMap<number, number>): SeedPair[] {
  return [...variant]
    .filter(([seed]) => scratch.has(seed))
    .map(([seed, v]) => ({ seed, variant: v, scratch: scratch.get(seed)! }))
    .sort((a, b) => a.seed - b.seed);
}

/** Two-sided p-value of a t statistic; a zero spread gives p = 0 for a non-zero mean and 1 for a zero one. */
function twoSidedP(t: number, df: number): number {
  if (Number.isNaN(t)) return 1;
  return Math.min(1, 2 * studentTCdf(-Math.abs(t), df));
}

/**
 * Seeds for a paired t-test at two-sided level `alpha` to detect a mean difference `effect` with differences of
 * standard deviation `sd`, with TARGET_POWER: the smallest n with P(T(n−1) > t(1−α/2, n−1) − √n·|effect|/sd) ≥ power
 * (the non-central t approximated by a shifted central one). null when effect is 0 or sd is 0 or not finite.
 */
export function seedsToSettle(effect: number, sd: number, alpha: number): number | null {
  if (effect === 0 || !(sd > 0) || !Number.isFinite(sd)) return null;
  const shift = Math.abs(effect) / sd;
  const enough = (n: number) => {
    const df = n - 1;
    const critical = studentTQuantile(1 - alpha / 2, df);
    return 1 - studentTCdf(critical - Math.sqrt(n) * shift, df) >= TARGET_POWER;
  };
  if (!enough(MAX_SEEDS_ESTIMATE)) return MAX_SEEDS_ESTIMATE + 1;
  // power grows with n: the smallest n that is enough, by bisection
  let low = 1;
  let high = MAX_SEEDS_ESTIMATE;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (enough(mid)) high = mid;
    else low = mid;
  }
  return high;
}

/**
 * The paired difference of variant minus scratch over the seeds both finished: mean, 95% t-interval of the mean
 * difference (n − 1 df) and the two-sided paired t-test p-value. With one pair: the difference, no interval, no test.
 * `adjustedP`/`significant` are those of a family of one until withHolm replaces them.
 */
export function pairedDifference(pairs: readonly SeedPair[], confidence: number = CONFIDENCE): PairedDifference {
  const differences = pairs.map((p) => p.variant - p.scratch);
  const n = differences.length;
  if (n === 0) throw new RangeError('a paired difference needs at least one seed on both sides');
  const difference = mean(differences);
  const base = { difference, nA: n, nB: n, test: 'paired-t' as const, pairs: n, differences, family: 1 };
  if (n < 2)
    return {
      ...base,
      sdDifference: 0,
      interval: null,
      significant: null,
      pValue: null,
      adjustedP: null,
      seedsNeeded: null,
    };
  // differences equal up to floating-point rounding (0.6 − 0.2 and 0.7 − 0.3) have no spread
  const raw = sampleStd(differences);
  const sd = raw <= 1e-12 * Math.max(1, Math.abs(difference)) ? 0 : raw;
  const se = sd / Math.sqrt(n);
  const df = n - 1;
  const half = se === 0 ? 0 : tCritical(df, confidence) * se;
  const pValue = se === 0 ? (difference === 0 ? 1 : 0) : twoSidedP(difference / se, df);
  return {
    ...base,
    sdDifference: sd,
    interval: { low: difference - half, high: difference + half, df },
    pValue,
    adjustedP: pValue,
    significant: pValue < 1 - confidence,
    seedsNeeded: seedsToSettle(difference, sd, FAMILY_ALPHA),
  };
}

/** The difference with its p-value corrected within a family of `family` tests (adjusted p from holmAdjust). */
export function withHolm(d: PairedDifference, adjustedP: number | null, family: number): PairedDifference {
  if (d.pValue === null || adjustedP === null) return { ...d, family };
  return {
    ...d,
    adjustedP,
    family,
    significant: adjustedP < FAMILY_ALPHA,
    seedsNeeded: seedsToSettle(d.difference, d.sdDifference, FAMILY_ALPHA / family),
  };
}
