import { accuracyInterval } from '../../analysis/accuracy-interval.js';
import { mean, tInterval } from '../../analysis/descriptive.js';

/**
 * The bands the charts draw around a mean. The 95% interval is the analysis' own: for an accuracy the interval of
 * accuracyInterval (seeds and, when the test set's size is known, its own binomial noise, on the logit scale, so it
 * never leaves 0–100% and needs no clipping), for other metrics Student's t. The band drawn is the interval
 * summary.csv, the tables and the report give.
 */

/** How a band around a mean is drawn: the analysis' 95% interval for the mean, or the range of the values. */
export type BandKind = 'ci95' | 'minmax';

export interface Summary {
  /** Number of values summarised. n = 1 means no spread: the band collapses onto the mean (but see testExamples). */
  n: number;
  mean: number;
  /** Lower edge of the band (interval or min, depending on the band kind). */
  low: number;
  /** Upper edge of the band. */
  high: number;
}

/** Where a metric's values can lie (a loss is never negative). */
export interface ValueRange {
  min: number;
  max: number;
}

export const UNBOUNDED: ValueRange = { min: -Infinity, max: Infinity };

/** How the values are summarised: a rate in [0, 1] (an accuracy) takes the analysis' accuracy interval. */
export interface SummaryKind {
  accuracy: boolean;
  /** For an accuracy: the examples each value was measured on (the test set), null when unknown. */
  testExamples?: number | null;
}

function clip(value: number, range: ValueRange): number {
  return Math.min(range.max, Math.max(range.min, value));
}

/**
 * Mean of at least one value, with a band of the given kind. An accuracy's 95% band is accuracyInterval's (inside
 * (0, 1) by construction); any other metric's is the t-interval, cut at the metric's possible values (a loss at 0).
 */
export function summarize(
  values: readonly number[],
  band: BandKind,
  range: ValueRange = UNBOUNDED,
  kind: SummaryKind = { accuracy: false },
): Summary {
  const m = mean(values);
  let low = m;
  let high = m;
  if (band === 'minmax') {
    for (const v of values) {
      if (v < low) low = v;
      if (v > high) high = v;
    }
  } else if (kind.accuracy) {
    ({ low, high } = accuracyInterval(values, kind.testExamples ?? null));
  } else {
    ({ low, high } = tInterval(values));
  }
  return { n: values.length, mean: m, low: clip(low, range), high: clip(high, range) };
}
