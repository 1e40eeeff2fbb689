import type { Approach, EpochRow, TrialRecord } from '../domain.js';
import { mean } from './descriptive.js';
import { compareApproachSize, doneTrials } from './summary-stats.js';

export interface OverfittingGap {
  approach: Approach;
  /** The source this approach starts from, in a suite with several sources (absent for scratch and otherwise). */
  source?: string;
  trainSize: number;
  /** Done trials with a training curve. */
  n: number;
  meanTrainAccuracy: number;
  meanValAccuracy: number;
  /** Mean over seeds of (train accuracy − validation accuracy) at each trial's best epoch. */
  meanGap: number;
}

/**
 * The evaluation at a trial's best epoch: the row whose epoch equals `bestEpoch` (lowest validation loss among
 * several at that epoch); without a recorded best epoch, the row with the lowest validation loss, which is how
 * trials select their model.
 */
export function bestEpochRow(rows: readonly EpochRow[], bestEpoch: number | null): EpochRow | undefined {
  const atBest = bestEpoch === null ? [] : rows.filter((r) => r.epoch === bestEpoch);
  const candidates = atBest.length > 0 ? atBest : rows;
  return candidates.reduce<EpochRow | undefined>(
    (best, r) => (best === undefined || r.valLoss < best.valLoss ? r : best),
    undefined,
  );
}

/** Train minus validation accuracy at the best epoch, mean over seeds, per approach and size (done trials only). */
export function overfittingGaps(trials: readonly TrialRecord[], epochs: readonly EpochRow[]): OverfittingGap[] {
  const rowsByTrial = new Map<number, EpochRow[]>();
  for (const row of epochs) {
    const list = rowsByTrial.get(row.trialId) ?? [];
    list.push(row);
    rowsByTrial.set(row.trialId, list);
  }
  const groups = new Map<string, { approach: Approach; trainSize: number; train: number[]; val: number[] }>();
  for (const t of doneTrials(trials)) {
    const row = bestEpochRow(rowsByTrial.get(t.id) ?? [], t.bestEpoch);
    if (!row) continue;
    const key = `${t.approach}\u0000${t.trainSize}`;
    const group = groups.get(key) ?? { approach: t.approach, trainSize: t.trainSize, train: [], val: [] };
    groups.set(key, group);
    group.train.push(row.trainAccuracy);
    group.val.push(row.valAccuracy);
  }
  return [...groups.values()].sort(compareApproachSize).map((g) => ({
    approach: g.approach,
    trainSize: g.trainSize,
    n: g.train.length,
    meanTrainAccuracy: mean(g.train),
    meanValAccuracy: mean(g.val),
    meanGap: mean(g.train.map((v, i) => v - g.val[i]!)),
  }));
}
