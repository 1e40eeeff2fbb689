import type { Approach, EpochRow, PretrainRecord, TrialRecord } from '../domain.js';
import { mean } from './descriptive.js';
import { compareApproachSize, doneTrials, summarize, type GroupSummary } from './summary-stats.js';

export interface GroupCost {
  approach: Approach;
  /** The source this approach starts from, in a suite with several sources (absent for scratch and otherwise). */
  source?: string;
  trainSize: number;
  /** Wall time per trial (seconds) over done trials; null when none recorded it. */
  wallSeconds: GroupSummary | null;
  /** Estimated training FLOPs per trial over done trials; null when none recorded it. */
  trainFlops: GroupSummary | null;
}

/** Wall time and estimated training FLOPs per trial, per approach and size (done trials only). */
export function costPerGroup(trials: readonly TrialRecord[]): GroupCost[] {
  const wall = summarize(trials, 'wallSeconds');
  const flops = summarize(trials, 'trainFlops');
  const keys = new Map<string, { approach: Approach; trainSize: number }>();
  for (const g of [...wall, ...flops]) keys.set(`${g.approach}\u0000${g.trainSize}`, g);
  const find = (list: GroupSummary[], k: { approach: Approach; trainSize: number }) =>
    list.find((g) => g.approach === k.approach && g.trainSize === k.trainSize) ?? null;
  return [...keys.values()].sort(compareApproachSize).map((k) => ({
    approach: k.approach,
    trainSize: k.trainSize,
    wallSeconds: find(wall, k),
    trainFlops: find(flops, k),
  }));
}

export interface TargetAccuracy {
  value: number;
  /** `user`: given as an option; `default`: the best fine-tuning variant's mean test accuracy at the smallest size. */
  source: 'user' | 'default';
  /** For the default: which approach and size it came from. */
  approach: Approach | null;
  trainSize: number | null;
}

/**
 * The default target accuracy: the best fine-tuning variant's mean test accuracy at the smallest size at which
 * any variant has done trials. null when no variant has results.
 */
export function defaultTargetAccuracy(accuracy: readonly GroupSummary[]): TargetAccuracy | null {
  const variants = accuracy.filter((g) => g.approach !== 'scratch');
  if (variants.length === 0) return null;
  const smallest = Math.min(...variants.map((g) => g.trainSize));
  const best = variants.filter((g) => g.trainSize === smallest).reduce((a, b) => (b.mean > a.mean ? b : a));
  return { value: best.mean, source: 'default', approach: best.approach, trainSize: smallest };
}

export interface TimeToTarget {
  approach: Approach;
  /** The source this approach starts from, in a suite with several sources (absent for scratch and otherwise). */
  source?: string;
  trainSize: number;
  /** Done trials with a recorded training curve. */
  trials: number;
  /** Of those, how many reached the target validation accuracy. */
  reached: number;
  /** Mean over the trials that reached it of the first elapsedSeconds with valAccuracy ≥ target. */
  meanSeconds: number | null;
  /**
   * Mean estimated FLOPs to reach it: trainFlops × (step at target / steps), i.e. the trial's FLOPs spread evenly
   * over its optimiser updates. Over the trials that reached it and have both figures; null when none has.
   */
  meanFlops: number | null;
}

/** Time (and estimated FLOPs) until validation accuracy first reaches `target`, per approach and size, over done trials. */
export function timeToTarget(
  trials: readonly TrialRecord[],
  epochs: readonly EpochRow[],
  target: number,
): TimeToTarget[] {
  const rowsByTrial = new Map<number, EpochRow[]>();
  for (const row of epochs) {
    const list = rowsByTrial.get(row.trialId) ?? [];
    list.push(row);
    rowsByTrial.set(row.trialId, list);
  }
  const groups = new Map<
    string,
    { approach: Approach; trainSize: number; trials: number; seconds: number[]; flops: number[] }
  >();
  for (const t of doneTrials(trials)) {
    const rows = rowsByTrial.get(t.id);
    if (!rows || rows.length === 0) continue;
    const key = `${t.approach}\u0000${t.trainSize}`;
    const group = groups.get(key) ?? {
      approach: t.approach,
      trainSize: t.trainSize,
      trials: 0,
      seconds: [],
      flops: [],
    };
    groups.set(key, group);
    group.trials += 1;
    const hit = [...rows]
      .sort((a, b) => a.step - b.step || a.elapsedSeconds - b.elapsedSeconds)
      .find((r) => r.valAccuracy >= target);
    if (!hit) continue;
    group.seconds.push(hit.elapsedSeconds);
    if (t.trainFlops !== null && t.steps !== null && t.steps > 0) group.flops.push((t.trainFlops * hit.step) / t.steps);
  }
  return [...groups.values()].sort(compareApproachSize).map((g) => ({
    approach: g.approach,
    trainSize: g.trainSize,
    trials: g.trials,
    reached: g.seconds.length,
    meanSeconds: g.seconds.length > 0 ? mean(g.seconds) : null,
    meanFlops: g.flops.length > 0 ? mean(g.flops) : null,
  }));
}

export interface PretrainCost {
  sourceDescription: string;
  cacheKey: string;
  /** True when this suite reused a model pretrained earlier: the cost below was paid then, once. */
  reused: boolean;
  wallSeconds: number | null;
  trainFlops: number | null;
  sourceTestAccuracy: number | null;
  /** Done trials of the fine-tuning variants, which all start from this pretrained model. */
  fineTuningTrials: number;
  /** Pretraining cost spread evenly over those trials; null without a cost or without trials. */
  amortisedWallSeconds: number | null;
  amortisedTrainFlops: number | null;
}

/** Pretraining cost, reported separately and amortised over the suite's done fine-tuning trials. */
export function pretrainCost(pretrain: PretrainRecord | null, trials: readonly TrialRecord[]): PretrainCost | null {
  if (!pretrain) return null;
  const fineTuningTrials = doneTrials(trials).filter((t) => t.approach !== 'scratch').length;
  const spread = (total: number | null) => (total !== null && fineTuningTrials > 0 ? total / fineTuningTrials : null);
  return {
    sourceDescription: pretrain.sourceDescription,
    cacheKey: pretrain.cacheKey,
    reused: pretrain.reused,
    wallSeconds: pretrain.wallSeconds,
    trainFlops: pretrain.trainFlops,
    sourceTestAccuracy: pretrain.sourceTestAccuracy,
    fineTuningTrials,
    amortisedWallSeconds: spread(pretrain.wallSeconds),
    amortisedTrainFlops: spread(pretrain.trainFlops),
  };
}
