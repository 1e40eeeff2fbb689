import type { TrialKey } from '../domain.js';
import { DEFAULT_TOLERANCE } from '../analysis/crossover.js';
import { FAMILY_ALPHA } from '../analysis/multiple-testing.js';
import { approachLabel, formatP, formatPercent, formatPoints, formatSeconds, formatSize } from '../analysis/format.js';
import {
  armKey,
  trialKeyText,
  gatherEvidence,
  type Bracket,
  type DesignArm,
  type DesignTrial,
  type VariantEvidence,
  FITTED_INTERVAL_SHARE,
} from './design-evidence.js';
import type { FittedCrossover } from './fitted-crossover.js';

/** One step of ×1.6 between sizes: the resolution the design locates a crossover to. */
export const SIZE_STEP = 1.6;
/** The ratio between the sizes of round 0 (a coarse geometric set over the range). */
export const COARSE_STEP = 4;
/** Seeds of round 0, and of every size added later. */
export const INITIAL_SEEDS = 2;
/** A verdict is settled when it comes out the same in at least this share of the bootstrap resamples. */
export const STABLE_SHARE = 0.9;
/** Bootstrap resamples of the seeds per round. */
export const DESIGN_REPLICATES = 200;
/** Fixed seed of the bootstrap: the same stored trials always give the same additions. */
export const DESIGN_BOOTSTRAP_SEED = 20261206;
/** A significant difference whose corrected p-value is at least this is still near the boundary (one more seed may flip it). */
export const FRAGILE_P = 0.01;

/** What the user gives an adaptive suite. */
export interface AdaptiveSettings {
  /** Smallest and largest training-set size the design may run. */
  minSize: number;
  maxSize: number;
  /** The arms to compare; scratch is the baseline every other arm is compared with. */
  arms: readonly DesignArm[];
  /** The seeds the design may use, in the order it takes them: their count is the most seeds any size gets. */
  seeds: readonly number[];
  /** Stop once the trials cost this many seconds; null or absent: no budget. */
  budgetSeconds?: number | null;
  /** Within this much accuracy an approach counts as caught up (the report's crossover tolerance). */
  tolerance?: number;
  /**
   * The sizes the design may run, when it may not run any size in the range (a replay over a stored grid,
   * scripts/replay-adaptive.js): round 0 takes the listed size nearest each coarse size, a later round the listed size
   * nearest the geometric middle of a gap, and a gap with no listed size inside is as fine as the list allows.
   */
  candidateSizes?: readonly number[];
}

/** A trial the design adds, with why. */
export interface PlannedTrial extends TrialKey {
  reason: string;
}

export type StopKind = 'settled' | 'seed-cap' | 'budget';

export type DesignStep =
  | { kind: 'add'; trials: PlannedTrial[]; reasons: string[]; spentSeconds: number }
  | { kind: 'stop'; stop: StopKind; reason: string; spentSeconds: number };

/** Round 0's sizes: geometric, about ×4 apart, from minSize to maxSize (both included). */
export function coarseSizes(minSize: number, maxSize: number): number[] {
  if (maxSize <= minSize) return [minSize];
  const steps = Math.max(1, Math.round(Math.log(maxSize / minSize) / Math.log(COARSE_STEP)));
  const sizes = Array.from({ length: steps + 1 }, (_, i) =>
    Math.round(minSize * Math.pow(maxSize / minSize, i / steps)),
  );
  return [...new Set(sizes)];
}

/** Sizes of a full grid at ×1.6 steps over the range: what a fixed grid at the design's resolution would run. */
export function fullGridSizes(minSize: number, maxSize: number): number[] {
  if (maxSize <= minSize) return [minSize];
  const steps = Math.max(1, Math.ceil(Math.log(maxSize / minSize) / Math.log(SIZE_STEP) - 1e-9));
  return [
    ...new Set(
      Array.from({ length: steps + 1 }, (_, i) => Math.round(minSize * Math.pow(maxSize / minSize, i / steps))),
    ),
  ];
}

export function checkSettings(settings: AdaptiveSettings): void {
  const { minSize, maxSize, seeds, arms } = settings;
  if (!(Number.isInteger(minSize) && minSize > 0 && Number.isInteger(maxSize) && maxSize >= minSize))
    throw new RangeError(`the size range must be whole numbers with 0 < min ≤ max, got ${minSize}..${maxSize}`);
  if (seeds.length < INITIAL_SEEDS || new Set(seeds).size !== seeds.length)
    throw new RangeError(
      `an adaptive design needs at least ${INITIAL_SEEDS} different seeds to pair and test, got ${seeds.length}`,
    );
  if (!arms.some((a) => a.approach === 'scratch') || arms.length < 2)
    throw new RangeError('an adaptive design compares approaches with scratch: give scratch and at least one other');
}

function label(arm: DesignArm): string {
  // "the linear probe" → "linear probe": the reasons put their own article before it
  return `${approachLabel(arm).replace(/^the /, '')}/scratch`;
}

function describeBracket(b: Bracket): string {
  return `between ${formatSize(b.low!)} and ${formatSize(b.high!)}`;
}

/** How the design picks sizes: any whole size in the range, or only the listed candidate sizes. */
interface Sizing {
  /** Whether a bracket can still be narrowed: both ends run, more than one ×1.6 step apart, a size allowed inside. */
  splittable(b: Bracket): b is { low: number; high: number };
  /** The size to add inside a splittable bracket: its geometric middle (the allowed size nearest it). */
  middle(b: { low: number; high: number }): number;
}

/** The allowed size nearest `x` on a log scale (the smaller on a tie), from a non-empty list. */
function nearestOnLog(x: number, sizes: readonly number[]): number {
  let best = sizes[0]!;
  for (const s of sizes) {
    const d = Math.abs(Math.log(s / x)) - Math.abs(Math.log(best / x));
    if (d < -1e-12 || (Math.abs(d) <= 1e-12 && s < best)) best = s;
  }
  return best;
}

function sizing(candidates: readonly number[] | undefined): Sizing {
  const wide = (b: Bracket): b is { low: number; high: number } =>
    b.low !== null && b.high !== null && b.high / b.low > SIZE_STEP * (1 + 1e-9);
  if (candidates === undefined)
    return {
      splittable: wide,
      middle: (b) => Math.min(b.high - 1, Math.max(b.low + 1, Math.round(Math.sqrt(b.low * b.high)))),
    };
  const inside = (b: { low: number; high: number }) => candidates.filter((s) => s > b.low && s < b.high);
  return {
    splittable: (b): b is { low: number; high: number } => wide(b) && inside(b).length > 0,
    middle: (b) => nearestOnLog(Math.sqrt(b.low * b.high), inside(b)),
  };
}

/** "ahead", "behind" or "tie": the verdict of one difference as the Claims table states it (corrected test, tolerance). */
function verdictOf(
  d: VariantEvidence['differences'][number]['difference'],
  tolerance: number,
): 'ahead' | 'behind' | 'tie' {
  if (d.significant && d.difference > tolerance) return 'ahead';
  if (d.significant && d.difference < -tolerance) return 'behind';
  return 'tie';
}

/**
 * The next round of an adaptive suite, from its stored trials alone (finished ones with their accuracy, failed ones
 * with null): the trials to add with a reason each, or a stop with why. A pure function: the same trials, in any
 * order, give the same answer (the bootstrap draws from a fixed seed).
 *
 * Round 0 (no trials): the coarse sizes (×4 apart) with two seeds. Later rounds, from the same analysis the report
 * states (paired differences, Holm over every variant × size, the crossover of the mean curves, a bootstrap of the
 * seeds): a size in the middle of every bracket the crossover falls in (observed, or in ≥ 10% of the resamples) or a
 * verdict changes in, while it spans more than one ×1.6 step; a seed where a difference is near the significance
 * boundary (not significant but larger than the tolerance with a seed estimate within the cap, or significant with a
 * corrected p of at least 0.01), up to the seed cap; nothing where a difference is clear or within the tolerance with a
 * tight interval. Stops when there is nothing to add, or when the budget is spent.
 */
export function nextRound(settings: AdaptiveSettings, stored: readonly DesignTrial[]): DesignStep {
  checkSettings(settings);
  const tolerance = settings.tolerance ?? DEFAULT_TOLERANCE;
  const seedCap = settings.seeds.length;
  // summed in increasing order, so that the same trials in another order give the same total to the last bit
  const spentSeconds = stored
    .map((t) => t.costSeconds ?? 0)
    .sort((a, b) => a - b)
    .reduce((s, c) => s + c, 0);
  const budget = settings.budgetSeconds ?? null;
  if (budget !== null && spentSeconds >= budget)
    return {
      kind: 'stop',
      stop: 'budget',
      reason: `budget spent: ${formatSeconds(spentSeconds)} of ${formatSeconds(budget)}`,
      spentSeconds,
    };
  const have = new Set(stored.map(trialKeyText));
  const planned = new Map<string, PlannedTrial>();
  const reasons: string[] = [];
  const add = (trainSize: number, seed: number, reason: string) => {
    let added = false;
    for (const arm of settings.arms) {
      const key = { ...arm, trainSize, seed };
      if (have.has(trialKeyText(key)) || planned.has(trialKeyText(key))) continue;
      planned.set(trialKeyText(key), { ...key, reason });
      added = true;
    }
    if (added && !reasons.includes(reason)) reasons.push(reason);
  };
  const seeds = (n: number) => settings.seeds.slice(0, n);

  const { splittable, middle } = sizing(settings.candidateSizes);
  if (stored.length === 0) {
    const coarse = coarseSizes(settings.minSize, settings.maxSize);
    const listed = settings.candidateSizes;
    const sizes = listed ? [...new Set(coarse.map((s) => nearestOnLog(s, listed)))].sort((a, b) => a - b) : coarse;
    for (const size of sizes)
      for (const seed of seeds(INITIAL_SEEDS))
        add(
          size,
          seed,
          `round 0: coarse sizes ${sizes.map(formatSize).join(', ')} (×${COARSE_STEP} apart), ${INITIAL_SEEDS} seeds`,
        );
    return withinBudget(planned, reasons, stored, budget, spentSeconds);
  }

  const variants = settings.arms.filter((a) => a.approach !== 'scratch');
  const evidence = gatherEvidence(stored, variants, tolerance, DESIGN_REPLICATES, DESIGN_BOOTSTRAP_SEED);
  const newSize = (size: number, reason: string) => {
    for (const seed of seeds(INITIAL_SEEDS)) add(size, seed, reason);
  };
  const seedsAt = (size: number) => new Set(stored.filter((t) => t.trainSize === size).map((t) => t.seed));
  const nextSeed = (size: number): number | null => {
    const used = seedsAt(size);
    return settings.seeds.find((s) => !used.has(s)) ?? null;
  };
  const unsettled: string[] = [];
  const settled: string[] = [];

  for (const e of evidence) {
    if (!e.crossover) continue;
    let refining = false;
    if (e.fitted) {
      // the crossover of the fitted learning curves: sizes where it is uncertain, seeds where the sizes are fine enough
      const plan = fittedPlan(
        e.fitted,
        e.differences.map((d) => d.trainSize),
        label(e.arm),
        { splittable, middle },
      );
      if (plan.kind === 'settled') settled.push(plan.text);
      else {
        refining = true;
        for (const { size, reason } of plan.sizes) newSize(size, reason);
        let any = plan.sizes.length > 0;
        if (!any)
          for (const size of plan.seedSizes) {
            const seed = nextSeed(size);
            if (seed === null) continue;
            any = true;
            add(size, seed, `seed ${seed} at ${formatSize(size)}: ${plan.text}`);
          }
        if (!any) unsettled.push(`${plan.text}, but the seed cap (${seedCap}) is reached`);
      }
    } else {
      // fewer than four sizes to fit: where the crossover of the observed means lies (or lies in ≥ 10% of the resamples)
      const brackets = [
        { bracket: e.crossover, observed: true, share: e.stability },
        ...e.bootstrap
          .filter((b) => b.share >= 1 - STABLE_SHARE - 1e-9)
          .map((b) => ({ bracket: b.bracket, observed: false, share: b.share })),
      ];
      for (const { bracket, observed, share } of brackets) {
        if (!splittable(bracket)) continue;
        refining = true;
        const where = describeBracket(bracket);
        newSize(
          middle(bracket),
          observed
            ? `size ${formatSize(middle(bracket))} added: the ${label(e.arm)} crossover lies ${where}`
            : `size ${formatSize(middle(bracket))} added: the ${label(e.arm)} crossover lies ${where} in ${formatPercent(share)} of bootstrap resamples`,
        );
      }
    }
    // sizes: where the claim's verdict (ahead / tie / behind, corrected) changes between neighbouring sizes
    for (let i = 1; i < e.differences.length; i++) {
      const a = e.differences[i - 1]!;
      const b = e.differences[i]!;
      const va = verdictOf(a.difference, tolerance);
      const vb = verdictOf(b.difference, tolerance);
      const bracket = { low: a.trainSize, high: b.trainSize };
      // a verdict still near the significance boundary gets seeds first (below); split only between settled verdicts
      const open = (d: typeof a.difference) => d.pValue !== null && nearBoundary(d, tolerance, seedCap) !== null;
      if (va === vb || !splittable(bracket) || open(a.difference) || open(b.difference)) continue;
      refining = true;
      newSize(
        middle(bracket),
        `size ${formatSize(middle(bracket))} added: the ${label(e.arm)} verdict changes from ${va} to ${vb} ${describeBracket(bracket)}`,
      );
    }
    // seeds: differences near the significance boundary
    for (const { trainSize, difference: d } of e.differences) {
      if (d.pValue === null || d.adjustedP === null) continue;
      const reason = nearBoundary(d, tolerance, seedCap);
      if (!reason) continue;
      const seed = nextSeed(trainSize);
      const what = `${label(e.arm)} at ${formatSize(trainSize)}: ${signedPoints(d.difference)} points, p=${formatP(d.adjustedP)} (Holm)`;
      if (seed === null) {
        unsettled.push(`${what} ${reason}, but the seed cap (${seedCap}) is reached`);
        continue;
      }
      add(trainSize, seed, `seed ${seed} at ${formatSize(trainSize)}: ${what} ${reason}`);
    }
    if (e.fitted) continue;
    // seeds: a crossover whose bracket cannot be split but that moves between resamples
    if (!refining && e.stability < STABLE_SHARE) {
      const ends = [e.crossover.low, e.crossover.high].filter((s): s is number => s !== null);
      let any = false;
      for (const size of ends) {
        const seed = nextSeed(size);
        if (seed === null) continue;
        any = true;
        add(
          size,
          seed,
          `seed ${seed} at ${formatSize(size)}: the ${label(e.arm)} crossover is where it is in only ${formatPercent(e.stability)} of bootstrap resamples`,
        );
      }
      if (!any)
        unsettled.push(
          `the ${label(e.arm)} crossover is stable in only ${formatPercent(e.stability)} of resamples, but the seed cap (${seedCap}) is reached`,
        );
    } else if (!refining) {
      settled.push(
        `${label(e.arm)} crossover ${crossoverPhrase(e.crossover)}, stable in ${formatPercent(e.stability)} of bootstrap resamples`,
      );
    }
  }

  if (planned.size > 0) return withinBudget(planned, reasons, stored, budget, spentSeconds);
  if (unsettled.length > 0)
    return { kind: 'stop', stop: 'seed-cap', reason: `stopped at the seed cap: ${unsettled.join('; ')}`, spentSeconds };
  return {
    kind: 'stop',
    stop: 'settled',
    reason: `settled: ${settled.join('; ')}; every verdict clear of the significance boundary`,
    spentSeconds,
  };
}

/** What the fitted crossover of one arm asks for: nothing (settled), sizes to add, or seeds at sizes already run. */
type FittedPlan =
  | { kind: 'settled'; text: string }
  | { kind: 'refine'; text: string; sizes: { size: number; reason: string }[]; seedSizes: number[] };

/** The sizes run just below and at or above `x` (a < x ≤ b), or null when x is outside the sizes run or not finite. */
function gapAround(x: number, sizes: readonly number[]): { low: number; high: number } | null {
  if (!Number.isFinite(x)) return null;
  for (let i = 1; i < sizes.length; i++)
    if (sizes[i - 1]! < x && x <= sizes[i]!) return { low: sizes[i - 1]!, high: sizes[i]! };
  return null;
}

/**
 * From the crossover of the fitted learning curves and its bootstrap: settled when at least STABLE_SHARE of the
 * resamples put it at or below the smallest size or beyond the largest, or when the central 90% of the resamples lie
 * within one ×1.6 step and the sizes run around it are within one step too (the report states the crossover at a size
 * run). Otherwise: the middle of every gap between sizes run, wider than one step, that holds the fitted crossover or an
 * end of its interval; when no such gap is left, seeds at the sizes run around it (the interval is wide from seed noise).
 */
function fittedPlan(
  f: FittedCrossover,
  sizes: readonly number[],
  what: string,
  { splittable, middle }: Sizing,
): FittedPlan {
  if (f.notReachedShare >= STABLE_SHARE - 1e-9)
    return {
      kind: 'settled',
      text: `${what} fitted crossover not reached by ${formatSize(f.largest)} in ${formatPercent(f.notReachedShare)} of bootstrap resamples`,
    };
  if (f.atOrBelowShare >= STABLE_SHARE - 1e-9)
    return {
      kind: 'settled',
      text: `${what} fitted crossover at or below ${formatSize(f.smallest)} in ${formatPercent(f.atOrBelowShare)} of bootstrap resamples`,
    };
  const at =
    f.crossing.kind === 'at'
      ? `at about ${formatSize(Math.round(f.size))}`
      : f.crossing.kind === 'at-or-below'
        ? `at or below ${formatSize(f.smallest)}`
        : `beyond ${formatSize(f.largest)}`;
  const interval = Number.isFinite(f.high)
    ? `between ${formatSize(Math.round(f.low))} and ${formatSize(Math.round(f.high))}`
    : Number.isFinite(f.low)
      ? `between ${formatSize(Math.round(f.low))} and beyond ${formatSize(f.largest)}`
      : `beyond ${formatSize(f.largest)}`;
  const around = gapAround(f.size, sizes);
  const narrow = Number.isFinite(f.high) && f.high / f.low <= SIZE_STEP * (1 + 1e-9);
  const text = `the ${what} fitted crossover is ${at}, and lies ${interval} in ${formatPercent(FITTED_INTERVAL_SHARE)} of bootstrap resamples`;
  if (narrow && (around === null || !splittable({ ...around })))
    return {
      kind: 'settled',
      text: `${what} fitted crossover ${at} (${formatPercent(FITTED_INTERVAL_SHARE)} of bootstrap resamples ${interval}, within one ×${SIZE_STEP} step${around ? `; sizes run around it ${formatSize(around.low)} and ${formatSize(around.high)}` : ''})`,
    };
  const gaps = new Map<number, { size: number; reason: string }>();
  const consider = (x: number, where: (gap: string) => string) => {
    const gap = gapAround(Math.min(x, f.largest), sizes);
    if (!gap || !splittable(gap) || gaps.has(gap.low)) return;
    const size = middle(gap);
    gaps.set(gap.low, { size, reason: `size ${formatSize(size)} added: ${where(describeBracket(gap))}` });
  };
  const spread = `${formatPercent(FITTED_INTERVAL_SHARE)} of bootstrap resamples ${interval}`;
  consider(f.size, (gap) => `the ${what} crossover lies ${gap} on the fitted curves (${at}; ${spread})`);
  if (!narrow)
    for (const end of [f.low, f.high])
      consider(
        end,
        (gap) =>
          `the ${what} crossover lies ${gap} in some bootstrap resamples of the fitted curves (${spread}: wider than one ×${SIZE_STEP} step)`,
      );
  const seedSizes = around ? [around.low, around.high] : f.crossing.kind === 'not-reached' ? [f.largest] : [f.smallest];
  return {
    kind: 'refine',
    text: `${text}, wider than one ×${SIZE_STEP} step`,
    sizes: [...gaps.values()].sort((a, b) => a.size - b.size),
    seedSizes,
  };
}

function signedPoints(fraction: number): string {
  return `${fraction >= 0 ? '+' : ''}${formatPoints(fraction)}`;
}

function crossoverPhrase(b: Bracket): string {
  if (b.high === null) return `not reached by ${formatSize(b.low!)}`;
  if (b.low === null) return `at or below ${formatSize(b.high)}`;
  return `located ${describeBracket(b)} (within one ×${SIZE_STEP} step)`;
}

/**
 * Why one more seed could change this difference's verdict, or null when it is clear: not significant but larger than
 * the tolerance, with a seed estimate within the cap; or significant with a corrected p of at least FRAGILE_P.
 */
function nearBoundary(
  d: VariantEvidence['differences'][number]['difference'],
  tolerance: number,
  seedCap: number,
): string | null {
  const p = d.adjustedP!;
  if (!d.significant && Math.abs(d.difference) > tolerance && d.seedsNeeded !== null && d.seedsNeeded <= seedCap)
    return `is near the significance boundary (about ${d.seedsNeeded} seeds would settle it)`;
  if (d.significant && p >= FRAGILE_P && p < FAMILY_ALPHA) return 'is significant only just';
  return null;
}

/**
 * The planned trials, cut to what the budget left is expected to pay for: a trial is expected to cost its size times
 * the seconds per example of the trials so far (training time grows with the examples), and only whole (size, seed)
 * groups are kept, so that every kept trial has its pair.
 */
export function withinBudget(
  planned: Map<string, PlannedTrial>,
  reasons: string[],
  stored: readonly DesignTrial[],
  budget: number | null,
  spentSeconds: number,
): DesignStep {
  let trials = [...planned.values()].sort(
    (a, b) => a.trainSize - b.trainSize || a.seed - b.seed || armKey(a).localeCompare(armKey(b)),
  );
  const costed = stored.filter((t) => t.costSeconds !== null && t.costSeconds > 0);
  if (budget !== null && costed.length > 0) {
    const perExample = costed.reduce((s, t) => s + t.costSeconds!, 0) / costed.reduce((s, t) => s + t.trainSize, 0);
    const groupOf = (t: TrialKey) => `${t.trainSize}|${t.seed}`;
    const kept = new Set<string>();
    let expected = 0;
    for (const group of [...new Set(trials.map(groupOf))]) {
      const cost = trials.filter((t) => groupOf(t) === group).reduce((s, t) => s + t.trainSize * perExample, 0);
      if (spentSeconds + expected + cost > budget) continue;
      kept.add(group);
      expected += cost;
    }
    if (kept.size === 0)
      return {
        kind: 'stop',
        stop: 'budget',
        reason: `budget spent: ${formatSeconds(spentSeconds)} of ${formatSeconds(budget)}, too little left for the trials the answer still needs`,
        spentSeconds,
      };
    trials = trials.filter((t) => kept.has(groupOf(t)));
  }
  const kept = reasons.filter((r) => trials.some((t) => t.reason === r));
  return { kind: 'add', trials, reasons: kept, spentSeconds };
}
