import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/**
 * The p-quantile of Student's t with `df` degrees of freedom (0 < p < 1); `df` may be fractional (Welch–Satterthwaite).
 * stdlib computes it; this wrapper turns its NaN for bad input into an error that says what was wrong.
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be positive, got ${df}`);
  return tQuantile(p, df);
}
