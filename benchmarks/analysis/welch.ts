import { CONFIDENCE, mean, sampleVariance, tCritical } from './descriptive.js';

export interface DifferenceInterval {
  low: number;
  high: number;
  /** Welch–Satterthwaite degrees of freedom (may be fractional). */
  df: number;
}

export interface MeanDifference {
  /** mean(a) − mean(b). */
  difference: number;
  nA: number;
  nB: number;
  /** 95% Welch t-interval for the difference; null when either side has fewer than two values. */
  interval: DifferenceInterval | null;
  /** True when the interval excludes 0; null when there is no interval. */
  significant: boolean | null;
}

/**
 * Difference of means of two independent samples with a Welch t-interval (unequal variances):
 * d ± t(1−α/2, ν) · √(s²a/na + s²b/nb), with ν from the Welch–Satterthwaite equation.
 * Each side needs at least two values to estimate its variance; otherwise there is no interval.
 * When both samples have zero spread the interval collapses to [d, d].
 */
export function welchDifference(
  a: readonly number[],
  b: readonly number[],
  confidence: number = CONFIDENCE,
): MeanDifference {
  const difference = mean(a) - mean(b);
  const base = { difference, nA: a.length, nB: b.length };
  if (a.length < 2 || b.length < 2) return { ...base, interval: null, significant: null };
  const va = sampleVariance(a) / a.length;
  const vb = sampleVariance(b) / b.length;
  const se = Math.sqrt(va + vb);
  if (se === 0) {
    const df = a.length + b.length - 2;
    return { ...base, interval: { low: difference, high: difference, df }, significant: difference !== 0 };
  }
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const half = tCritical(df, confidence) * se;
  const interval = { low: difference - half, high: difference + half, df };
  return { ...base, interval, significant: interval.low > 0 || interval.high < 0 };
}
