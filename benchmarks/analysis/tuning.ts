import { APPROACHES, type Approach, type TrialRecord } from '../domain.js';
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
  /** How often each value was chosen, in grid order. */
  chosen: { learningRate: number; count: number }[];
  /** Trials whose chosen value is the smallest or the largest of the grid (grids of two or more). */
  atEdge: { low: number; high: number };
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
    const low = Math.min(...grid);
    const high = Math.max(...grid);
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
        chosen: grid.map((learningRate) => ({
          learningRate,
          count: own.filter((t) => t.learningRate === learningRate).length,
        })),
        atEdge: {
          low: grid.length > 1 ? own.filter((t) => t.learningRate === low).length : 0,
          high: grid.length > 1 ? own.filter((t) => t.learningRate === high).length : 0,
        },
        prunedCandidates: pruned,
        candidates,
        candidateSteps,
        chosenSteps,
        unprunedSteps,
      },
    ];
  });
}

/** A warning per approach whose chosen learning rate sat at an edge of its grid: the best value may lie outside. */
export function tuningCaveats(tuning: readonly ApproachTuning[], trials: readonly TrialRecord[]): string[] {
  const caveats: string[] = [];
  for (const t of tuning) {
    if (t.grid.length < 2 || t.trials === 0) continue;
    const edges: string[] = [];
    for (const [side, count, value] of [
      ['smallest', t.atEdge.low, Math.min(...t.grid)],
      ['largest', t.atEdge.high, Math.max(...t.grid)],
    ] as const) {
      if (count === 0) continue;
      const sizes = [
        ...new Set(
          doneTrials(trials)
            .filter((r) => r.approach === t.approach && r.learningRate === value)
            .map((r) => r.trainSize),
        ),
      ].sort((a, b) => a - b);
      edges.push(
        `the ${side} value (${value}) in ${count} of ${t.trials} trials (at ${joinList(sizes.map(formatSize))} examples)`,
      );
    }
    if (edges.length > 0)
      caveats.push(
        `${capitalised(APPROACH_LABELS[t.approach])} chose the learning rate at the edge of its list: ${joinList(edges)}. The best value may lie outside the list; widen it on that side.`,
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
