import { studentTQuantile } from './student-t.js';

/** Confidence level used for every interval in the analysis. */
export const CONFIDENCE = 0.95;

export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('mean of no values');
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Sample variance (divisor n − 1); 0 for a single value. */
export function sampleVariance(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  let sum = 0;
  for (const v of values) sum += (v - m) ** 2;
  return sum / (values.length - 1);
}

/** Sample standard deviation (divisor n − 1); 0 for a single value. */
export function sampleStd(values: readonly number[]): number {
  return Math.sqrt(sampleVariance(values));
}

/** Two-sided critical value of Student's t for the given confidence and degrees of freedom. */
export function tCritical(df: number, confidence: number = CONFIDENCE): number {
  return studentTQuantile(1 - (1 - confidence) / 2, df);
}

export interface Interval {
  low: number;
  high: number;
}

/**
 * Student-t confidence interval for the mean: mean ± t(1−α/2, n−1) · s/√n.
 * With one value there is no spread to estimate: the interval collapses to [mean, mean].
 */
export function tInterval(values: readonly number[], confidence: number = CONFIDENCE): Interval {
  const m = mean(values);
  if (values.length < 2) return { low: m, high: m };
  const half = (tCritical(values.length - 1, confidence) * sampleStd(values)) / Math.sqrt(values.length);
  return { low: m - half, high: m + half };
}
