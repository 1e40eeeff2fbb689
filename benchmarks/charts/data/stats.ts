/**
 * Descriptive statistics for chart bands. Pure; no DOM, no engine imports.
 * The 95% interval is Student's t, as in the engine's summary.csv, so the band drawn is the interval reported.
 */

/** How a band around a mean is drawn: a 95% Student-t interval for the mean, or the range of the values. */
export type BandKind = 'ci95' | 'minmax';

export interface Summary {
  /** Number of values summarised. n = 1 means no spread: the band collapses onto the mean. */
  n: number;
  mean: number;
  /** Lower edge of the band (interval or min, depending on the band kind). */
  low: number;
  /** Upper edge of the band. */
  high: number;
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('mean of no values');
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Sample standard deviation (divisor n − 1); 0 for a single value. */
export function sampleStd(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  let sum = 0;
  for (const v of values) sum += (v - m) ** 2;
  return Math.sqrt(sum / (values.length - 1));
}

/** t(0.975, df) for df = 1…30; beyond, the Cornish–Fisher expansion below is accurate to better than 1e-6. */
const T975 = [
  12.706204736, 4.30265273, 3.182446305, 2.776445105, 2.570581836, 2.446911851, 2.364624252, 2.306004135, 2.262157163,
  2.228138852, 2.20098516, 2.17881283, 2.160368656, 2.144786688, 2.131449546, 2.119905299, 2.109815578, 2.10092204,
  2.093024054, 2.085963447, 2.079613845, 2.073873068, 2.06865761, 2.063898562, 2.059538553, 2.055529439, 2.051830516,
  2.048407142, 2.045229642, 2.042272456,
];
const Z975 = 1.959963984540054;

/** Two-sided 95% critical value of Student's t with `df` (a positive integer) degrees of freedom. */
export function tCritical95(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`degrees of freedom must be a positive integer, got ${df}`);
  const tabled = T975[df - 1];
  if (tabled !== undefined) return tabled;
  const z = Z975;
  const g1 = (z ** 3 + z) / 4;
  const g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96;
  const g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384;
  const g4 = (79 * z ** 9 + 776 * z ** 7 + 1482 * z ** 5 - 1920 * z ** 3 - 945 * z) / 92160;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4;
}

/** Where a metric's values can lie; bands are clipped to it (a 95% interval on 2 seeds can exceed 100% accuracy). */
export interface ValueRange {
  min: number;
  max: number;
}

export const UNBOUNDED: ValueRange = { min: -Infinity, max: Infinity };

function clip(value: number, range: ValueRange): number {
  return Math.min(range.max, Math.max(range.min, value));
}

/** Mean of at least one value, with a band of the given kind, clipped to `range`. */
export function summarize(values: readonly number[], band: BandKind, range: ValueRange = UNBOUNDED): Summary {
  const m = mean(values);
  let low = m;
  let high = m;
  if (band === 'minmax') {
    for (const v of values) {
      if (v < low) low = v;
      if (v > high) high = v;
    }
  } else if (values.length >= 2) {
    const half = (tCritical95(values.length - 1) * sampleStd(values)) / Math.sqrt(values.length);
    low = m - half;
    high = m + half;
  }
  return { n: values.length, mean: m, low: clip(low, range), high: clip(high, range) };
}
