import { APPROACHES, type Approach, type TrainingRun, type TrialRecord, type TrialStatus } from '../../domain.js';
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
 * Which of a trial's trainings the chart draws. A trial may train several models (one per learning-rate candidate,
 * one per fold of each under cross-validation, then a final fit); live progress says which one each evaluation
 * belongs to (EpochRecord.run), stored curves are the chosen training's alone. `CURRENT_TRAINING` draws, per trial,
 * the stored curve when there is one and otherwise the training under way; a trainingKey draws that training of every
 * trial still training it or that trained it in this view (finished trials keep only their chosen curve).
 */
export const CURRENT_TRAINING = 'current';

/** Names one training of a trial across trials: the same candidate and fold of every seed. */
export function trainingKey(run: TrainingRun): string {
  return `${run.kind}:${run.learningRate ?? `#${run.index}`}:${run.fold ?? ''}`;
}

/** How the run picker names a training: "lr 0.001 · fold 2 of 3", "lr 0.003", "final fit, lr 0.001". */
export function trainingLabel(run: TrainingRun): string {
  const lr = run.learningRate === null ? `candidate ${run.index + 1} (grid extension)` : `lr ${run.learningRate}`;
  if (run.kind === 'final') return `final fit on the whole subset, ${lr}`;
  if (run.kind === 'fold') return `${lr} · fold ${run.fold} of ${run.folds}`;
  return lr;
}

/** The trainings seen in the live rows of one size, in the order trials train them. */
export function trainingsAt(epochs: readonly EpochRow[], trainSize: number): { key: string; label: string }[] {
  const found = new Map<string, TrainingRun>();
  for (const row of epochs) {
    if (row.trainSize !== trainSize || !row.run) continue;
    const key = trainingKey(row.run);
    if (!found.has(key)) found.set(key, row.run);
  }
  return [...found.entries()]
    .sort(([, a], [, b]) => a.index - b.index)
    .map(([key, run]) => ({ key, label: trainingLabel(run) }));
}

/**
 * One trial's rows reduced to one training (see CURRENT_TRAINING), with `epoch` and `elapsedSeconds` counted from
 * that training's start, so candidates and folds never join into one sawtooth.
 */
export function oneTraining(rows: readonly EpochRow[], training: string): EpochRow[] {
  const live = rows.filter((r) => r.run !== undefined);
  if (live.length === 0) return training === CURRENT_TRAINING ? [...rows] : [];
  let keep: (r: EpochRow) => boolean;
  if (training === CURRENT_TRAINING) {
    const stored = rows.filter((r) => r.run === undefined);
    if (stored.length > 0) return stored;
    const latest = Math.max(...live.map((r) => r.run!.index));
    keep = (r) => r.run!.index === latest;
  } else {
    keep = (r) => trainingKey(r.run!) === training;
  }
  const chosen = live.filter(keep);
  if (chosen.length === 0) return [];
  const index = chosen[0]!.run!.index;
  // the training started when the one before it last reported
  const before = live.filter((r) => r.run!.index < index).map((r) => r.elapsedSeconds);
  const start = before.length > 0 ? Math.max(...before) : 0;
  return chosen.map((r) => ({ ...r, epoch: r.run!.epoch, elapsedSeconds: Math.max(0, r.elapsedSeconds - start) }));
}

/**
 * The first, option-independent step of convergenceSeries: the rows of one size grouped by approach
 * and trial (left-out statuses removed, one training per trial, duplicates dropped). Kept apart so toggling the axis
 * or smoothing does not regroup thousands of rows.
 */
export function curveRuns(
  trials: readonly TrialRecord[],
  epochs: readonly EpochRow[],
  trainSize: number,
  training: string = CURRENT_TRAINING,
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
    .map((arm) => ({
      ...arm,
      runs: [...byArm.get(encodeArm(arm))!.values()]
        .map((rows) => dedupeByEpoch(oneTraining(rows, training)))
        .filter((rows) => rows.length > 0),
    }))
    .filter((arm) => arm.runs.length > 0);
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
        const points = columns.map((c) => ({
          x: c.x,
          ...summarize(c.values, options.band, range, { accuracy: metric === 'accuracy' }),
        }));
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
