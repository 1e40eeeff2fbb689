import { nextRound, type AdaptiveSettings, type DesignStep, type PlannedTrial } from './adaptive-design.js';
import { trialKeyText, type DesignTrial } from './design-evidence.js';

/** One round of a design as it happened: what it added and why, and what the suite had cost before it. */
export interface DesignRound {
  round: number;
  step: DesignStep;
  /** Of the trials this round added, how many are stored (finished or failed); the rest are still to run. */
  stored: number;
}

/**
 * The rounds that led to the stored trials, replayed: round r is nextRound of the trials of rounds 0..r−1 (the design
 * is a function of stored results, so replaying it gives the same additions). The replay ends at a stop, or at the
 * first round whose trials are not all stored yet: that round is the one to run next (a resumed run continues it).
 * Stored trials no round asked for (a suite whose design changed) are ignored.
 */
export function replayDesign(
  settings: AdaptiveSettings,
  stored: readonly DesignTrial[],
  maxRounds = 100,
): DesignRound[] {
  const byKey = new Map(stored.map((t) => [trialKeyText(t), t]));
  const known: DesignTrial[] = [];
  const rounds: DesignRound[] = [];
  for (let round = 0; round < maxRounds; round++) {
    const step = nextRound(settings, known);
    if (step.kind === 'stop') {
      rounds.push({ round, step, stored: 0 });
      break;
    }
    const found = step.trials.map((t: PlannedTrial) => byKey.get(trialKeyText(t))).filter((t) => t !== undefined);
    rounds.push({ round, step, stored: found.length });
    if (found.length < step.trials.length) break;
    known.push(...found);
  }
  return rounds;
}

/** The trials still to run: those of the last replayed round that are not stored. Empty when the design stopped. */
export function pendingTrials(settings: AdaptiveSettings, stored: readonly DesignTrial[]): PlannedTrial[] {
  const last = replayDesign(settings, stored).at(-1);
  if (!last || last.step.kind === 'stop') return [];
  const have = new Set(stored.map(trialKeyText));
  return last.step.trials.filter((t) => !have.has(trialKeyText(t)));
}
