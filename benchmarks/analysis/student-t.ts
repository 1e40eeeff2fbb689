import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import normalCdfOf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

/**
 * The p-quantile of Student's t with `df` degrees of freedom (0 < p < 1); `df` may be fractional (Welch–Satterthwaite).
 * stdlib computes it; this wrapper turns its NaN for bad input into an error that says what was wrong.
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be positive, got ${df}`);
  return tQuantile(p, df);
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom (stdlib); `t` may be ±Infinity. */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be positive, got ${df}`);
  if (Number.isNaN(t)) throw new RangeError('t must be a number, got NaN');
  return tCdf(t, df);
}

/** The p-quantile of the standard normal distribution (stdlib). */
export function normalQuantileOf(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability must be in (0, 1), got ${p}`);
  return normalQuantile(p, 0, 1);
}

/** P(Z ≤ z) for the standard normal distribution (stdlib). */
export function normalCdf(z: number): number {
  return normalCdfOf(z, 0, 1);
}
