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
  /**
   * Estimated training FLOPs of the final training run per trial (the record's train_flops: model selection — other
   * learning-rate candidates, k-fold folds — excluded); null when none recorded it.
   */
  trainFlops: GroupSummary | null;
  /** Estimated training FLOPs per trial with the model selection included (see trialFlopsWithSelection). */
  trainFlopsWithSelection: GroupSummary | null;
}

/**
 * Every optimiser update a trial trained: all learning-rate candidates (held-out protocol: the kept one is among
 * them) or every fold of every candidate plus the final run on the whole subset (k-fold). A record without
 * candidates trained one run only.
 */
export function stepsWithSelection(t: TrialRecord): number | null {
  if (t.steps === null) return null;
  const selection = t.lrCandidates.reduce((sum, c) => sum + c.steps, 0);
  if (t.protocol?.kind === 'kfold') return selection + t.steps;
  return t.lrCandidates.length > 0 ? selection : t.steps;
}

/**
 * The record's train_flops counts the final training run only (the kept learning-rate candidate, or k-fold's run on
 * the whole subset). This estimates the trial's whole training cost: that run's FLOPs per update times every update
 * the trial trained, selection included. null without FLOPs or steps.
 */
export function trialFlopsWithSelection(t: TrialRecord): number | null {
  const all = stepsWithSelection(t);
  if (t.trainFlops === null || t.steps === null || t.steps <= 0 || all === null) return null;
  return (t.trainFlops * all) / t.steps;
}

/** Wall time and estimated training FLOPs per trial, per approach and size (done trials only). */
export function costPerGroup(trials: readonly TrialRecord[]): GroupCost[] {
  const wall = summarize(trials, 'wallSeconds');
  const flops = summarize(trials, 'trainFlops');
  const whole = summarize(
    trials.map((t) => ({ ...t, trainFlops: trialFlopsWithSelection(t) })),
    'trainFlops',
  );
  const keys = new Map<string, { approach: Approach; trainSize: number }>();
  for (const g of [...wall, ...flops]) keys.set(`${g.approach}\u0000${g.trainSize}`, g);
  const find = (list: GroupSummary[], k: { approach: Approach; trainSize: number }) =>
    list.find((g) => g.approach === k.approach && g.trainSize === k.trainSize) ?? null;
  return [...keys.values()].sort(compareApproachSize).map((k) => ({
    approach: k.approach,
    trainSize: k.trainSize,
    wallSeconds: find(wall, k),
    trainFlops: find(flops, k),
    trainFlopsWithSelection: find(whole, k),
  }));
}

export interface TargetAccuracy {
  value: number;
  /**
   * `user`: given as an option; `default`: the best fine-tuning variant's mean (over seeds) of its highest validation
   * accuracy at the smallest size, so the test set plays no part in choosing it.
   */
  source: 'user' | 'default';
  /** For the default: which approach and size it came from. */
  approach: Approach | null;
  trainSize: number | null;
}

/**
 * The default target accuracy, from validation accuracy only: per done trial of a fine-tuning variant, the highest
 * validation accuracy on its curve; at the smallest size at which any variant has curves, the variant with the highest
 * mean of those over seeds gives the target. null when no variant has curves.
 */
export function defaultTargetAccuracy(
  trials: readonly TrialRecord[],
  epochs: readonly EpochRow[],
): TargetAccuracy | null {
  const best = new Map<number, number>();
  for (const row of epochs) {
    if (!Number.isFinite(row.valAccuracy)) continue;
    best.set(row.trialId, Math.max(best.get(row.trialId) ?? -Infinity, row.valAccuracy));
  }
  const groups = new Map<string, { approach: Approach; trainSize: number; values: number[] }>();
  for (const t of doneTrials(trials)) {
    const value = best.get(t.id);
    if (t.approach === 'scratch' || value === undefined) continue;
    const key = `${t.approach}\u0000${t.trainSize}`;
    const group = groups.get(key) ?? { approach: t.approach, trainSize: t.trainSize, values: [] };
    group.values.push(value);
    groups.set(key, group);
  }
  const all = [...groups.values()];
  if (all.length === 0) return null;
  const smallest = Math.min(...all.map((g) => g.trainSize));
  const top = all
    .filter((g) => g.trainSize === smallest)
    .map((g) => ({ ...g, mean: mean(g.values) }))
    .reduce((a, b) => (b.mean > a.mean ? b : a));
  return { value: top.mean, source: 'default', approach: top.approach, trainSize: smallest };
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
  /**
   * What a user pays to get a model at the target, model selection included, mean over the trials that reached it:
   * held-out protocol, the whole trial's wall time less the kept run's time after it reached the target (the other
   * learning-rate candidates count in full); k-fold, the whole trial (the model exists only after the folds chose
   * the step count and the final run trained for it). null when no trial that reached it recorded its wall time.
   */
  meanSecondsWithSelection: number | null;
  /** The same in estimated FLOPs (updates counted as in trialFlopsWithSelection). */
  meanFlopsWithSelection: number | null;
  /** Per seed that reached the target: its cost with model selection (null where not recorded), in increasing seed. */
  perSeed: { seed: number; secondsWithSelection: number | null; flopsWithSelection: number | null }[];
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
    {
      approach: Approach;
      trainSize: number;
      trials: number;
      seconds: number[];
      flops: number[];
      wholeSeconds: number[];
      wholeFlops: number[];
      perSeed: TimeToTarget['perSeed'];
    }
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
      wholeSeconds: [],
      wholeFlops: [],
      perSeed: [],
    };
    groups.set(key, group);
    group.trials += 1;
    const sorted = [...rows].sort((a, b) => a.step - b.step || a.elapsedSeconds - b.elapsedSeconds);
    const hit = sorted.find((r) => r.valAccuracy >= target);
    if (!hit) continue;
    group.seconds.push(hit.elapsedSeconds);
    const kfold = t.protocol?.kind === 'kfold';
    const seed = {
      seed: t.seed,
      secondsWithSelection: null as number | null,
      flopsWithSelection: null as number | null,
    };
    if (t.wallSeconds !== null) {
      const afterHit = Math.max(0, sorted[sorted.length - 1]!.elapsedSeconds - hit.elapsedSeconds);
      seed.secondsWithSelection = kfold ? t.wallSeconds : Math.max(hit.elapsedSeconds, t.wallSeconds - afterHit);
      group.wholeSeconds.push(seed.secondsWithSelection);
    }
    if (t.trainFlops !== null && t.steps !== null && t.steps > 0) {
      const perStep = t.trainFlops / t.steps;
      group.flops.push(perStep * hit.step);
      const all = stepsWithSelection(t)!;
      seed.flopsWithSelection = perStep * (kfold ? all : all - t.steps + Math.min(hit.step, t.steps));
      group.wholeFlops.push(seed.flopsWithSelection);
    }
    group.perSeed.push(seed);
  }
  return [...groups.values()].sort(compareApproachSize).map((g) => ({
    approach: g.approach,
    trainSize: g.trainSize,
    trials: g.trials,
    reached: g.seconds.length,
    meanSeconds: g.seconds.length > 0 ? mean(g.seconds) : null,
    meanFlops: g.flops.length > 0 ? mean(g.flops) : null,
    meanSecondsWithSelection: g.wholeSeconds.length > 0 ? mean(g.wholeSeconds) : null,
    meanFlopsWithSelection: g.wholeFlops.length > 0 ? mean(g.wholeFlops) : null,
    perSeed: [...g.perSeed].sort((a, b) => a.seed - b.seed),
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
