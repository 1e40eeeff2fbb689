import type { Approach, TrialRecord, TrialStatus } from '../domain.js';
import type { VariantComparison } from './comparison.js';
import type { GroupSummary } from './summary-stats.js';
import { APPROACH_LABELS, formatPoints, formatPointsPhrase, formatSize, joinList, plural } from './format.js';

/** Fewer completed seeds than this per approach and size makes intervals unreliable. */
export const MIN_SEEDS = 3;
/** Default: 95% intervals wider than this (from low to high, in accuracy) are flagged; 0.10 = 10 points. */
export const DEFAULT_WIDE_INTERVAL = 0.1;

/** An approach and size of the suite's grid with fewer done trials than seeds. */
export interface IncompleteGroup {
  approach: Approach;
  /** The source this approach starts from, in a suite with several sources (absent for scratch and otherwise). */
  source?: string;
  trainSize: number;
  expected: number;
  done: number;
  /** Trials by status other than done (a trial never recorded counts as missing). */
  failed: number;
  diverged: number;
  cancelled: number;
  missing: number;
}

/** Every approach × size of the grid whose done trials are fewer than the suite's seeds. */
export function incompleteGroups(
  approaches: readonly Approach[],
  sizes: readonly number[],
  seeds: number,
  trials: readonly TrialRecord[],
): IncompleteGroup[] {
  const result: IncompleteGroup[] = [];
  for (const approach of approaches) {
    for (const trainSize of sizes) {
      const group = trials.filter((t) => t.approach === approach && t.trainSize === trainSize);
      const count = (status: TrialStatus) => group.filter((t) => t.status === status).length;
      const done = count('done');
      if (done >= seeds) continue;
      const failed = count('failed');
      const diverged = count('diverged');
      const cancelled = count('cancelled');
      result.push({
        approach,
        trainSize,
        expected: seeds,
        done,
        failed,
        diverged,
        cancelled,
        missing: Math.max(0, seeds - done - failed - diverged - cancelled),
      });
    }
  }
  return result;
}

export interface CaveatInput {
  seeds: number;
  accuracy: readonly GroupSummary[];
  comparisons: readonly VariantComparison[];
  incomplete: readonly IncompleteGroup[];
  trials: readonly TrialRecord[];
  wideInterval: number;
}

const at = (approach: Approach, trainSize: number) => `${APPROACH_LABELS[approach]} at ${formatSize(trainSize)}`;

function seedCaveat(input: CaveatInput): string | null {
  if (input.seeds < MIN_SEEDS) {
    return input.seeds === 1
      ? 'The suite ran one seed per approach and size: there is no spread to estimate, so no interval and no significance test.'
      : `The suite ran ${plural(input.seeds, 'seed')} per approach and size; with fewer than ${MIN_SEEDS} the intervals are rough.`;
  }
  const few = input.accuracy.filter((g) => g.n < MIN_SEEDS);
  if (few.length === 0) return null;
  const list = few.map((g) => `${at(g.approach, g.trainSize)} (${plural(g.n, 'seed')})`);
  return `Fewer than ${MIN_SEEDS} completed seeds for ${joinList(list)}: those intervals are rough or missing.`;
}

interface WideCount {
  /** How many have a 95% interval, and how many of those are wider than the threshold. */
  total: number;
  wide: number;
  /** The widest of the wide ones, named ("the linear probe at 50"), with its half-width in accuracy. */
  widest: { name: string; halfWidth: number } | null;
}

/** Absorbs floating-point noise in interval widths: a width equal to the threshold is not wider, equal widths tie. */
const WIDTH_EPSILON = 1e-9;

function countWide(items: readonly { name: string; width: number }[], threshold: number): WideCount {
  const wide = items.filter((i) => i.width > threshold + WIDTH_EPSILON);
  const widest = wide.reduce<(typeof wide)[number] | null>(
    (w, i) => (w === null || i.width > w.width + WIDTH_EPSILON ? i : w),
    null,
  );
  return {
    total: items.length,
    wide: wide.length,
    widest: widest ? { name: widest.name, halfWidth: widest.width / 2 } : null,
  };
}

const widestText = (c: WideCount) =>
  c.widest ? ` (widest: ${c.widest.name}, ±${formatPoints(c.widest.halfWidth)})` : '';

/**
 * One short sentence however large the grid: how many approach × size groups and how many differences against
 * scratch have a 95% interval wider (low to high) than the threshold, out of those with an interval, and the widest of each.
 */
function wideCaveat(input: CaveatInput): string | null {
  const groups = countWide(
    input.accuracy
      .filter((g) => g.n > 1)
      .map((g) => ({ name: at(g.approach, g.trainSize), width: g.ciHigh - g.ciLow })),
    input.wideInterval,
  );
  const differences = countWide(
    input.comparisons.flatMap((c) =>
      c.sizes.flatMap((s) => {
        const i = s.difference?.interval;
        return i ? [{ name: at(c.approach, s.trainSize), width: i.high - i.low }] : [];
      }),
    ),
    input.wideInterval,
  );
  if (groups.wide === 0 && differences.wide === 0) return null;
  const threshold = `wider than ${formatPointsPhrase(input.wideInterval)} end to end`;
  const groupPart = `${groups.wide} of ${plural(groups.total, 'approach-and-size group')}`;
  const differencePart = `${differences.wide} of ${plural(differences.total, 'difference')} against scratch`;
  const have = (c: WideCount) => (c.wide === 1 ? 'has a 95% interval' : 'have 95% intervals');
  const sentence =
    groups.wide > 0 && differences.wide > 0
      ? `${groupPart} ${have(groups)} ${threshold}${widestText(groups)}, and so ${differences.wide === 1 ? 'does' : 'do'} ${differencePart}${widestText(differences)}.`
      : groups.wide > 0
        ? `${groupPart} ${have(groups)} ${threshold}${widestText(groups)}.`
        : `${differencePart} ${have(differences)} ${threshold}${widestText(differences)}.`;
  return `${sentence} More seeds would narrow them.`;
}

function crossoverCaveats(comparisons: readonly VariantComparison[]): string[] {
  return comparisons.flatMap((c) =>
    c.crossover.kind === 'not-reached'
      ? [
          `Scratch does not catch up with ${APPROACH_LABELS[c.approach]} within the sizes run (still ${formatPoints(c.crossover.gap)} points behind at ${formatSize(c.crossover.largestSize)}): the crossover, if any, lies beyond; run larger sizes to find it.`,
        ]
      : c.crossover.kind === 'no-data'
        ? [`No size has results for both ${APPROACH_LABELS[c.approach]} and scratch: no crossover can be computed.`]
        : [],
  );
}

function failureCaveat(trials: readonly TrialRecord[]): string | null {
  const failed = trials.filter((t) => t.status === 'failed');
  const diverged = trials.filter((t) => t.status === 'diverged');
  if (failed.length === 0 && diverged.length === 0) return null;
  const describe = (t: TrialRecord) => `${at(t.approach, t.trainSize)}, seed ${t.seed}${t.error ? `: ${t.error}` : ''}`;
  const parts = [
    failed.length > 0 ? `${plural(failed.length, 'trial')} failed (${failed.map(describe).join('; ')})` : null,
    diverged.length > 0 ? `${plural(diverged.length, 'trial')} diverged (${diverged.map(describe).join('; ')})` : null,
  ].filter((p): p is string => p !== null);
  return `${joinList(parts)}; they are left out of every statistic.`;
}

function incompleteCaveat(incomplete: readonly IncompleteGroup[]): string | null {
  if (incomplete.length === 0) return null;
  const list = incomplete.map((g) => `${at(g.approach, g.trainSize)} (${g.done} of ${g.expected} done)`);
  return `Missing trials: ${joinList(list)}. Statistics at those sizes use the trials that finished; \`resume\` runs the rest.`;
}

/**
 * Done trials that were still improving when their budget ran out: the best validation loss came at the last
 * evaluation, which early stopping (needing `patience` evaluations without improvement after the best) never allows.
 * Only trials that selected on a held-out split: a k-fold trial's final run trains exactly the step count
 * cross-validation chose, so its last epoch is its best by construction (whether the folds' choice sat at the end of
 * their budget is a tuning caveat, see tuning.ts).
 */
export function stillImprovingTrials(trials: readonly TrialRecord[]): TrialRecord[] {
  return trials.filter(
    (t) => t.status === 'done' && t.protocol?.kind !== 'kfold' && t.bestEpoch !== null && t.bestEpoch === t.epochs,
  );
}

function budgetCaveat(trials: readonly TrialRecord[]): string | null {
  const improving = stillImprovingTrials(trials);
  if (improving.length === 0) return null;
  const byApproach = new Map<Approach, number>();
  for (const t of improving) byApproach.set(t.approach, (byApproach.get(t.approach) ?? 0) + 1);
  const list = [...byApproach].map(([approach, n]) => {
    const total = trials.filter(
      (t) => t.approach === approach && t.status === 'done' && t.protocol?.kind !== 'kfold',
    ).length;
    return `${APPROACH_LABELS[approach]} in ${n} of ${total} done trials with a held-out split`;
  });
  return `Still improving when the budget ran out (best validation loss at the last evaluation): ${joinList(list)}. Those accuracies are lower bounds; give those approaches more epochs or a higher learning rate.`;
}

/** What a reader should keep in mind: few seeds, wide intervals, no crossover, unconverged, failed, diverged or missing trials. */
export function buildCaveats(input: CaveatInput): string[] {
  return [
    seedCaveat(input),
    wideCaveat(input),
    budgetCaveat(input.trials),
    ...crossoverCaveats(input.comparisons),
    failureCaveat(input.trials),
    incompleteCaveat(input.incomplete),
  ].filter((c): c is string => c !== null);
}
