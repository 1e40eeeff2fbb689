import type { SuiteAnalysis } from '../analysis/analyze-suite.js';
import type { Crossover } from '../analysis/crossover.js';
import { nextRound, SIZE_STEP, type AdaptiveSettings, type DesignStep } from './adaptive-design.js';
import { armKey, trialKeyText, type DesignTrial } from './design-evidence.js';

/** The design's next step from the trials so far: `nextRound`, or a variant of it to try in a replay. */
export type DesignRule = (settings: AdaptiveSettings, stored: readonly DesignTrial[]) => DesignStep;

export interface GridReplay {
  /** Every step the design took, the last one its stop. */
  steps: DesignStep[];
  /** The grid's trials the design asked for, in the order it asked. */
  chosen: DesignTrial[];
}

/**
 * An adaptive design replayed over a stored fixed grid: each round's trials are looked up in the grid instead of
 * trained (a trial is deterministic given its approach, size and seed, so the stored result is what training it again
 * would give). `settings.candidateSizes` should be the grid's sizes and `settings.seeds` its seeds; a round that asks
 * for a trial the grid does not hold is refused, naming it.
 */
export function replayOverGrid(
  settings: AdaptiveSettings,
  grid: readonly DesignTrial[],
  rule: DesignRule = nextRound,
  maxRounds = 100,
): GridReplay {
  const byKey = new Map(grid.map((t) => [trialKeyText(t), t]));
  const chosen: DesignTrial[] = [];
  const steps: DesignStep[] = [];
  for (let round = 0; round < maxRounds; round++) {
    const step = rule(settings, chosen);
    steps.push(step);
    if (step.kind === 'stop') return { steps, chosen };
    const missing = step.trials.filter((t) => !byKey.has(trialKeyText(t)));
    if (missing.length > 0)
      throw new RangeError(
        `round ${round} asks for trials the stored grid does not hold (${missing.map(trialKeyText).join(', ')}): give the design the grid's sizes as candidateSizes and its seeds`,
      );
    chosen.push(...step.trials.map((t) => byKey.get(trialKeyText(t))!));
  }
  throw new RangeError(`the design did not stop within ${maxRounds} rounds`);
}

/** One claim's verdict in the full grid's analysis and in the replayed design's. */
export interface ClaimMatch {
  id: string;
  source?: string;
  grid: string;
  replayed: string;
  /** The same verdict kind (holds, holds up to, not shown, …). */
  sameKind: boolean;
  /** The same words in the Claims table. */
  sameLabel: boolean;
}

/** One variant's crossover (the report's, on the mean curves) in both analyses. */
export interface CrossoverMatch {
  arm: string;
  grid: Crossover;
  replayed: Crossover;
  /** Both reached at sizes within one ×1.6 step of each other (or the same size), or both not reached. */
  withinStep: boolean;
}

/** The Claims table and the crossovers of the replayed design's trials against the full grid's. */
export function compareAnswers(
  grid: SuiteAnalysis,
  replayed: SuiteAnalysis,
): { claims: ClaimMatch[]; crossovers: CrossoverMatch[] } {
  const claimKey = (c: { id: string; source?: string }) => `${c.id}@${c.source ?? ''}`;
  const theirs = new Map(replayed.claims.map((c) => [claimKey(c), c]));
  const claims = grid.claims.map((c) => {
    const r = theirs.get(claimKey(c));
    return {
      id: c.id,
      ...(c.source === undefined ? {} : { source: c.source }),
      grid: c.verdictLabel,
      replayed: r?.verdictLabel ?? '(no verdict)',
      sameKind: r?.verdict.kind === c.verdict.kind,
      sameLabel: r?.verdictLabel === c.verdictLabel,
    };
  });
  const crossovers = grid.comparisons.map((c) => {
    const r = replayed.comparisons.find((x) => x.approach === c.approach && x.source === c.source);
    const theirsCrossover: Crossover = r?.crossover ?? { kind: 'no-data' };
    return {
      arm: armKey({ approach: c.approach, ...(c.source === undefined ? {} : { source: c.source }) }),
      grid: c.crossover,
      replayed: theirsCrossover,
      withinStep: sameCrossover(c.crossover, theirsCrossover),
    };
  });
  return { claims, crossovers };
}

function sameCrossover(a: Crossover, b: Crossover): boolean {
  if (a.kind === 'not-reached' || b.kind === 'not-reached') return a.kind === b.kind;
  if (a.kind !== 'reached' || b.kind !== 'reached') return false;
  if (a.atSmallestSize || b.atSmallestSize) return a.atSmallestSize === b.atSmallestSize;
  return Math.abs(Math.log(a.trainSize / b.trainSize)) <= Math.log(SIZE_STEP) + 1e-9;
}
