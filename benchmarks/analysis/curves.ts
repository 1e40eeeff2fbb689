import { APPROACHES, type Approach, type EpochRow, type TrialRecord } from '../domain.js';
import { doneTrials } from './summary-stats.js';

export type CurveField = 'valLoss' | 'valAccuracy' | 'trainLoss' | 'trainAccuracy';

export interface MeanCurvePoint {
  epoch: number;
  mean: number;
  /** Trials that reached this epoch: trials stop early at different epochs, so later points average fewer. */
  n: number;
}

export interface ApproachCurve {
  approach: Approach;
  /** The source this approach starts from, in a suite with several sources (absent for scratch and otherwise). */
  source?: string;
  points: MeanCurvePoint[];
}

/**
 * Mean training curve per approach at one size, over done trials: at each epoch, the mean of `field` over the
 * trials that recorded that epoch (if one trial has several evaluations in an epoch, its last one counts).
 */
export function meanCurves(
  trials: readonly TrialRecord[],
  epochs: readonly EpochRow[],
  trainSize: number,
  field: CurveField,
): ApproachCurve[] {
  const done = new Set(
    doneTrials(trials)
      .filter((t) => t.trainSize === trainSize)
      .map((t) => t.id),
  );
  const perTrial = new Map<number, { approach: Approach; byEpoch: Map<number, EpochRow> }>();
  for (const row of epochs) {
    if (!done.has(row.trialId) || !Number.isFinite(row[field])) continue;
    const entry = perTrial.get(row.trialId) ?? { approach: row.approach, byEpoch: new Map<number, EpochRow>() };
    perTrial.set(row.trialId, entry);
    const previous = entry.byEpoch.get(row.epoch);
    if (!previous || row.step >= previous.step) entry.byEpoch.set(row.epoch, row);
  }
  const sums = new Map<Approach, Map<number, { sum: number; n: number }>>();
  for (const { approach, byEpoch } of perTrial.values()) {
    const perEpoch = sums.get(approach) ?? new Map<number, { sum: number; n: number }>();
    sums.set(approach, perEpoch);
    for (const [epoch, row] of byEpoch) {
      const acc = perEpoch.get(epoch) ?? { sum: 0, n: 0 };
      acc.sum += row[field];
      acc.n += 1;
      perEpoch.set(epoch, acc);
    }
  }
  return APPROACHES.filter((a) => sums.has(a)).map((approach) => ({
    approach,
    points: [...sums.get(approach)!]
      .sort(([a], [b]) => a - b)
      .map(([epoch, { sum, n }]) => ({ epoch, mean: sum / n, n })),
  }));
}
