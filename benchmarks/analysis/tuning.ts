import { APPROACHES, type Approach, type EpochRow, type TrialRecord } from '../domain.js';
import type { SuiteSpec } from '../spec/suite-schema.js';
import { APPROACH_LABELS, capitalised, formatSize, joinList, plural } from './format.js';
import { doneTrials } from './summary-stats.js';

/** How an approach's learning rate was tuned, over its done trials. */
export interface ApproachTuning {
  approach: Approach;
  /** The source this approach starts from, in a suite with several sources (absent for scratch and otherwise). */
  source?: string;
  /** The learning rates the suite gives the approach (one value: no tuning). */
  grid: number[];
  /** Done trials that recorded their candidates. */
  trials: number;
  /** How often each value was chosen: the grid's values in grid order, then values added by edge extension, ascending. */
  chosen: { learningRate: number; count: number }[];
  /**
   * Trials whose chosen value is the smallest or the largest of the values that trial tried (the grid and any values
   * edge extension added; two or more values).
   */
  atEdge: { low: number; high: number };
  /** Candidates added by edge extension, over all trials. */
  extendedCandidates: number;
  /** Candidates stopped early because they trailed, of all candidates trained. */
  prunedCandidates: number;
  candidates: number;
  /** Optimiser updates over every candidate, and over the candidates kept: their ratio is what tuning cost. */
  candidateSteps: number;
  chosenSteps: number;
  /** What the updates would have been without pruning: each pruned candidate counted at the kept one's length. */
  unprunedSteps: number;
}

const gridOf = (lr: number | readonly number[]): number[] => (typeof lr === 'number' ? [lr] : [...lr]);

/** Learning-rate tuning per approach, from the spec's grids and the trials' recorded candidates. */
export function tuningSummary(spec: SuiteSpec, trials: readonly TrialRecord[]): ApproachTuning[] {
  return APPROACHES.flatMap((approach): ApproachTuning[] => {
    const settings = spec.approaches[approach];
    if (!settings) return [];
    const grid = gridOf(settings.learningRate);
    const own = doneTrials(trials).filter((t) => t.approach === approach && t.lrCandidates.length > 0);
    const edgeOf = (t: TrialRecord, side: 'low' | 'high') => {
      const tried = t.lrCandidates.map((c) => c.learningRate);
      if (tried.length < 2 || t.learningRate === null) return false;
      return t.learningRate === (side === 'low' ? Math.min(...tried) : Math.max(...tried));
    };
    const added = [
      ...new Set(
        own.flatMap((t) => t.lrCandidates.filter((c) => !grid.includes(c.learningRate)).map((c) => c.learningRate)),
      ),
    ].sort((a, b) => a - b);
    let candidateSteps = 0;
    let chosenSteps = 0;
    let unprunedSteps = 0;
    let pruned = 0;
    let candidates = 0;
    for (const t of own) {
      const kept = t.lrCandidates.find((c) => c.learningRate === t.learningRate);
      for (const c of t.lrCandidates) {
        candidates++;
        candidateSteps += c.steps;
        if (c.pruned) pruned++;
        unprunedSteps += c.pruned && kept ? Math.max(c.steps, kept.steps) : c.steps;
      }
      chosenSteps += kept?.steps ?? 0;
    }
    return [
      {
        approach,
        grid,
        trials: own.length,
        chosen: [...grid, ...added].map((learningRate) => ({
          learningRate,
          count: own.filter((t) => t.learningRate === learningRate).length,
        })),
        atEdge: {
          low: own.filter((t) => edgeOf(t, 'low')).length,
          high: own.filter((t) => edgeOf(t, 'high')).length,
        },
        extendedCandidates: own.reduce((n, t) => n + t.lrCandidates.filter((c) => c.extended === true).length, 0),
        prunedCandidates: pruned,
        candidates,
        candidateSteps,
        chosenSteps,
        unprunedSteps,
      },
    ];
  });
}

/**
 * A warning per approach whose chosen learning rate sat at an edge of the values its trials tried (the best may lie
 * outside), naming the fix; one per approach whose k-fold trials chose the last evaluation of the cross-validation
 * budget (more steps may do better) or the first one past the warm-up floor; and unequal tuning across approaches.
 */
export function tuningCaveats(
  tuning: readonly ApproachTuning[],
  trials: readonly TrialRecord[],
  spec?: SuiteSpec,
  epochs: readonly EpochRow[] = [],
): string[] {
  const caveats: string[] = [];
  for (const t of tuning) {
    if (t.grid.length < 2 || t.trials === 0) continue;
    const done = doneTrials(trials).filter((r) => r.approach === t.approach && r.lrCandidates.length > 1);
    const edges: string[] = [];
    for (const side of ['smallest', 'largest'] as const) {
      const count = side === 'smallest' ? t.atEdge.low : t.atEdge.high;
      if (count === 0) continue;
      const at = done.filter((r) => {
        const tried = r.lrCandidates.map((c) => c.learningRate);
        return r.learningRate === (side === 'smallest' ? Math.min(...tried) : Math.max(...tried));
      });
      const sizes = [...new Set(at.map((r) => r.trainSize))].sort((a, b) => a - b);
      const values = [...new Set(at.map((r) => r.learningRate!))].sort((a, b) => a - b);
      edges.push(
        `the ${side} value tried (${joinList(values.map(String))}) in ${count} of ${t.trials} trials (at ${joinList(sizes.map(formatSize))} examples)`,
      );
    }
    if (edges.length > 0) {
      const extending = spec?.approaches[t.approach]?.extendGrid === true;
      const fix = extending
        ? 'Edge extension was on, so those trials reached the bound of 1e-6 … 1: the learning rate is not what limits them.'
        : 'The best value may lie outside the list: widen it on that side, or set "extendGrid": true for this approach so that each trial extends its list by ×3 steps until its best value is inside.';
      caveats.push(
        `${capitalised(APPROACH_LABELS[t.approach])} chose the learning rate at the edge of the values tried: ${joinList(edges)}. ${fix}`,
      );
    }
  }
  const rows = new Map<number, EpochRow[]>();
  for (const e of epochs) rows.set(e.trialId, [...(rows.get(e.trialId) ?? []), e]);
  for (const approach of APPROACHES) {
    const kfold = doneTrials(trials).filter((r) => r.approach === approach && r.protocol?.kind === 'kfold');
    const last: TrialRecord[] = [];
    const first: TrialRecord[] = [];
    for (const r of kfold) {
      const curve = (rows.get(r.id) ?? []).map((e) => e.step).sort((a, b) => a - b);
      const chosen = r.protocol?.kind === 'kfold' ? r.protocol.chosenSteps : null;
      if (curve.length < 2 || chosen === null) continue;
      if (chosen === curve[curve.length - 1]) last.push(r);
      else if (chosen <= curve[Math.min(1, curve.length - 1)]!) first.push(r);
    }
    const where = (list: TrialRecord[]) =>
      joinList([...new Set(list.map((r) => r.trainSize))].sort((a, b) => a - b).map(formatSize));
    if (last.length > 0)
      caveats.push(
        `Cross-validation chose the last evaluation of its budget for ${APPROACH_LABELS[approach]} in ${last.length} of ${kfold.length} k-fold trials (at ${where(last)} examples): more steps may do better; raise epochs or minSteps.`,
      );
    if (first.length > 0)
      caveats.push(
        `Cross-validation chose the earliest step it allows (the first evaluation past the warm-up floor) for ${APPROACH_LABELS[approach]} in ${first.length} of ${kfold.length} k-fold trials (at ${where(first)} examples): a lower learning rate or more frequent evaluations would show whether fewer steps are better.`,
      );
  }
  const untuned = tuning.filter((t) => t.grid.length < 2).map((t) => APPROACH_LABELS[t.approach]);
  const tuned = tuning.filter((t) => t.grid.length >= 2);
  if (untuned.length > 0 && tuned.length > 0)
    caveats.push(
      `Unequal tuning: ${joinList(tuned.map((t) => `${APPROACH_LABELS[t.approach]} tried ${plural(t.grid.length, 'learning rate')}`))}, but ${joinList(untuned)} only one.`,
    );
  return caveats;
}

/** Which sizes chose their model by k-fold cross-validation and which by a held-out split (done trials). */
export interface ProtocolSummary {
  kfoldSizes: number[];
  holdoutSizes: number[];
  /** Folds of the k-fold trials (the suite's setting); null when none used it. */
  folds: number | null;
}

export function protocolSummary(trials: readonly TrialRecord[]): ProtocolSummary {
  const done = doneTrials(trials);
  const sizes = (kind: 'kfold' | 'holdout') =>
    [...new Set(done.filter((t) => t.protocol?.kind === kind).map((t) => t.trainSize))].sort((a, b) => a - b);
  const kfold = done.find((t) => t.protocol?.kind === 'kfold')?.protocol;
  return {
    kfoldSizes: sizes('kfold'),
    holdoutSizes: sizes('holdout'),
    folds: kfold?.kind === 'kfold' ? kfold.folds : null,
  };
}
