import { mean, tInterval } from '../../analysis/descriptive.js';

/**
 * The bands the charts draw around a mean. The 95% interval is the analysis' own (tInterval: Student's t), so the band
 * drawn is the interval summary.csv and the report give.
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
  } else {
    ({ low, high } = tInterval(values));
  }
  return { n: values.length, mean: m, low: clip(low, range), high: clip(high, range) };
}
