import { APPROACHES, type Approach, type TrialRecord, type TrialStatus } from '../../domain.js';
import type { EpochRow } from '../../contract.js';
import { decodeArm, encodeArm } from '../../spec/sources.js';
import { alignByInterpolation, alignOnSharedX, type SeedCurve } from './align.js';
import { curveRange, type CurveMetric, type CurveSplit } from './metrics.js';
import { emaSmooth } from './smoothing.js';
import { summarize, type BandKind, type Summary } from './stats.js';

/** What the convergence chart's x axis measures: epochs completed, or seconds since the trial's training started. */
export type CurveAxis = 'epoch' | 'wall';

export interface CurvePoint extends Summary {
  x: number;
}

export interface ConvergenceSeries {
  approach: Approach;
  /** The source the approach starts from, in a suite with several. */
  source?: string;
  metric: CurveMetric;
  split: CurveSplit;
  points: CurvePoint[];
}

export interface ConvergenceOptions {
  trainSize: number;
  axis: CurveAxis;
  band: BandKind;
  /** EMA weight in [0, 1), applied to each seed's curve before averaging. */
  smoothing: number;
  metrics: readonly CurveMetric[];
  splits: readonly CurveSplit[];
}

/** Statuses whose curves are drawn: finished trials, and running ones so the chart moves while they train. */
const CURVE_STATUSES: ReadonlySet<TrialStatus> = new Set(['done', 'running']);

const FIELDS: Record<CurveMetric, Record<CurveSplit, 'trainLoss' | 'trainAccuracy' | 'valLoss' | 'valAccuracy'>> = {
  loss: { train: 'trainLoss', val: 'valLoss' },
  accuracy: { train: 'trainAccuracy', val: 'valAccuracy' },
};

/** Training-set sizes that have any epoch rows, in increasing order. */
export function sizesWithCurves(epochs: readonly EpochRow[]): number[] {
  return [...new Set(epochs.map((e) => e.trainSize))].sort((a, b) => a - b);
}

/**
 * Mean training curves over seeds for one training-set size: one series per approach, metric and split.
 * Rows of trials known to be failed, diverged, cancelled or pending are left out (rows of trials not in
 * `trials` are kept: they belong to a trial that just started). Each seed's curve is smoothed first;
 * then seeds are aligned on epochs (exact) or on wall time (linear interpolation on the union of their
 * time points), and summarised with the band asked for. Approaches come in the order of APPROACHES.
 */
export function convergenceSeries(
  trials: readonly TrialRecord[],
  epochs: readonly EpochRow[],
  options: ConvergenceOptions,
): ConvergenceSeries[] {
  return seriesFromRuns(curveRuns(trials, epochs, options.trainSize), options);
}

/** One approach's trials at one size, each trial's rows sorted by epoch. */
export interface ApproachRuns {
  approach: Approach;
  /** The source the approach starts from, in a suite with several. */
  source?: string;
  runs: EpochRow[][];
}

/**
 * The first, option-independent step of convergenceSeries: the rows of one size grouped by approach
 * and trial (left-out statuses removed, duplicates dropped). Kept apart so toggling the axis or
 * smoothing does not regroup thousands of rows.
 */
export function curveRuns(
  trials: readonly TrialRecord[],
  epochs: readonly EpochRow[],
  trainSize: number,
): ApproachRuns[] {
  const status = new Map(trials.map((t) => [t.id, t.status]));
  const byArm = new Map<string, Map<number, EpochRow[]>>();
  for (const row of epochs) {
    if (row.trainSize !== trainSize) continue;
    const s = status.get(row.trialId);
    if (s !== undefined && !CURVE_STATUSES.has(s)) continue;
    const key = encodeArm(row);
    let byTrial = byArm.get(key);
    if (!byTrial) byArm.set(key, (byTrial = new Map()));
    let rows = byTrial.get(row.trialId);
    if (!rows) byTrial.set(row.trialId, (rows = []));
    rows.push(row);
  }
  return [...byArm.keys()]
    .map(decodeArm)
    .sort(
      (a, b) =>
        APPROACHES.indexOf(a.approach) - APPROACHES.indexOf(b.approach) ||
        (a.source ?? '').localeCompare(b.source ?? ''),
    )
    .map((arm) => ({ ...arm, runs: [...byArm.get(encodeArm(arm))!.values()].map((rows) => dedupeByEpoch(rows)) }));
}

/** The second step of convergenceSeries: smoothing, alignment and summary for the options asked for. */
export function seriesFromRuns(
  runs: readonly ApproachRuns[],
  options: Omit<ConvergenceOptions, 'trainSize'>,
): ConvergenceSeries[] {
  const series: ConvergenceSeries[] = [];
  for (const { runs: trialsRows, ...arm } of runs) {
    for (const metric of options.metrics) {
      for (const split of options.splits) {
        const field = FIELDS[metric][split];
        const curves: SeedCurve[] = trialsRows.map((rows) => ({
          x: rows.map((r) => (options.axis === 'epoch' ? r.epoch : r.elapsedSeconds)),
          y: emaSmooth(
            rows.map((r) => r[field]),
            options.smoothing,
          ),
        }));
        const columns = options.axis === 'epoch' ? alignOnSharedX(curves) : alignByInterpolation(curves);
        const range = curveRange(metric);
        const points = columns.map((c) => ({ x: c.x, ...summarize(c.values, options.band, range) }));
        if (points.length > 0) series.push({ ...arm, metric, split, points });
      }
    }
  }
  return series;
}

/** Sorts one trial's rows by epoch, keeping the last row for an epoch seen twice (a live event and a reload). */
function dedupeByEpoch(rows: readonly EpochRow[]): EpochRow[] {
  const byEpoch = new Map<number, EpochRow>();
  for (const row of rows) byEpoch.set(row.epoch, row);
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}
