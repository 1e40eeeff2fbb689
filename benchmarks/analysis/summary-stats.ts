import { APPROACHES, type Approach, type TrialRecord } from '../domain.js';
import { accuracyInterval } from './accuracy-interval.js';
import { mean, sampleStd, tInterval } from './descriptive.js';

export type TrialMetric = 'testAccuracy' | 'testLoss' | 'wallSeconds' | 'trainFlops';
export const TRIAL_METRICS: readonly TrialMetric[] = ['testAccuracy', 'testLoss', 'wallSeconds', 'trainFlops'];

export interface GroupSummary {
  approach: Approach;
  /** The source this approach starts from, in a suite with several sources (absent for scratch and otherwise). */
  source?: string;
  trainSize: number;
  /** Number of values summarised (done trials with a non-null value). n = 1 means no spread estimate. */
  n: number;
  mean: number;
  /** Sample standard deviation (divisor n − 1); 0 when n = 1. */
  std: number;
  /**
   * 95% interval for the mean. Test accuracy: over seeds and the test set's own noise, on the logit scale (see
   * accuracyInterval), so never outside (0, 1). Other metrics: Student-t, clipped to the metric's range
   * (METRIC_RANGE); [mean, mean] when n = 1.
   */
  ciLow: number;
  ciHigh: number;
  min: number;
  max: number;
}

/** Only trials with status `done` enter the analysis; failed, diverged, cancelled and unfinished ones do not. */
export function doneTrials(trials: readonly TrialRecord[]): TrialRecord[] {
  return trials.filter((t) => t.status === 'done');
}

/** Compares approach (in the order of APPROACHES), then source (none first, then by name), then training-set size. */
export function compareApproachSize(
  a: { approach: Approach; source?: string; trainSize: number },
  b: { approach: Approach; source?: string; trainSize: number },
): number {
  return (
    APPROACHES.indexOf(a.approach) - APPROACHES.indexOf(b.approach) ||
    (a.source ?? '').localeCompare(b.source ?? '') ||
    a.trainSize - b.trainSize
  );
}

/** A grouping key of approach, source and size. */
export function armSizeKey(t: { approach: Approach; source?: string; trainSize: number }): string {
  return `${t.approach}\u0000${t.source ?? ''}\u0000${t.trainSize}`;
}

/** `{ source }` when there is one, nothing otherwise (so records of single-source suites keep their shape). */
export function sourceField(source: string | undefined): { source?: string } {
  return source === undefined ? {} : { source };
}

/**
 * Where each metric's values can lie. A t-interval is symmetric around the mean and knows nothing of bounds: with
 * few seeds and a spread-out accuracy (e.g. 45% ± 71 points on 2 seeds) it reaches below 0% or above 100%, values no
 * trial can have. Every reader (tables, CSV, charts, report) takes the interval from here, so it is clipped here,
 * once: the reported interval is the t-interval intersected with the possible values. Losses, times and FLOPs
 * cannot be negative.
 */
export const METRIC_RANGE: Record<TrialMetric, { min: number; max: number }> = {
  testAccuracy: { min: 0, max: 1 },
  testLoss: { min: 0, max: Infinity },
  wallSeconds: { min: 0, max: Infinity },
  trainFlops: { min: 0, max: Infinity },
};

const clip = (value: number, range: { min: number; max: number }): number =>
  Math.min(range.max, Math.max(range.min, value));

/** Summary statistics of one sample of values (at least one); the interval is clipped to `range`. */
export function describe(
  values: readonly number[],
  range: { min: number; max: number } = { min: -Infinity, max: Infinity },
): Omit<GroupSummary, 'approach' | 'trainSize'> {
  const interval = tInterval(values);
  return {
    n: values.length,
    mean: mean(values),
    std: sampleStd(values),
    ciLow: clip(interval.low, range),
    ciHigh: clip(interval.high, range),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

/**
 * Groups `done` trials by approach (and source, in a suite with several) and size and summarises `metric` (ignoring null values):
 * sample std (n − 1), 95% interval (test accuracy: accuracyInterval; otherwise Student-t clipped to the metric's range,
 * n = 1: std 0 and interval = [mean, mean], flagged by n).
 * Groups with no value are left out. Sorted by approach order of APPROACHES, then size.
 */
export function summarize(
  trials: readonly TrialRecord[],
  metric: TrialMetric,
  /** For test accuracy: the examples each trial was tested on (testSetSize), null when unknown. */
  testExamples: number | null = null,
): GroupSummary[] {
  const groups = new Map<string, { approach: Approach; source?: string; trainSize: number; values: number[] }>();
  for (const trial of doneTrials(trials)) {
    const value = trial[metric];
    if (value === null || !Number.isFinite(value)) continue;
    const key = armSizeKey(trial);
    let group = groups.get(key);
    if (!group) {
      group = { approach: trial.approach, ...sourceField(trial.source), trainSize: trial.trainSize, values: [] };
      groups.set(key, group);
    }
    group.values.push(value);
  }
  return [...groups.values()]
    .map(({ values, ...g }) => {
      const summary = { ...g, ...describe(values, METRIC_RANGE[metric]) };
      if (metric !== 'testAccuracy') return summary;
      const interval = accuracyInterval(values, testExamples);
      return { ...summary, ciLow: interval.low, ciHigh: interval.high };
    })
    .sort(compareApproachSize);
}
