import { leadEvidence } from '../analysis/claims.js';
import { DEFAULT_TOLERANCE } from '../analysis/crossover.js';
import { formatP, formatPoints, formatSize } from '../analysis/format.js';
import { FAMILY_ALPHA } from '../analysis/multiple-testing.js';
import {
  checkSettings,
  FRAGILE_P,
  nextRound,
  SIZE_STEP,
  withinBudget,
  type AdaptiveSettings,
  type DesignStep,
  type PlannedTrial,
} from './adaptive-design.js';
import {
  armKey,
  gatherEvidence,
  SCRATCH,
  trialKeyText,
  type Bracket,
  type DesignArm,
  type DesignTrial,
} from './design-evidence.js';

/**
 * A design that targets the claims' verdicts instead of the fitted crossover (tried in replays over stored grids,
 * scripts/replay-adaptive.js; not the product's design). Each round, per approach against scratch, with the claims'
 * own test (leadEvidence: paired t per size and a Wilcoxon signed-rank test pooled over each run of adjacent sizes ahead
 * by more than the tolerance, Holm over the claim's family):
 * - a size whose lead is open (ahead by more than the tolerance but not shown, or shown with a corrected p of at least
 *   0.01, alone or by its pooled run) gets one more seed, for that approach and scratch only;
 * - a size whose comparison is decided (shown clearly, or no lead beyond the tolerance) gets nothing more;
 * - a size is added in the middle of a gap where the verdict (holds / does not) changes between decided neighbours, or
 *   where the report's crossover (on the mean curves) lies, while the gap can be split (every approach, two seeds).
 * Round 0 and the budget are as in nextRound.
 */
export function verdictRound(settings: AdaptiveSettings, stored: readonly DesignTrial[]): DesignStep {
  checkSettings(settings);
  if (stored.length === 0) return nextRound(settings, stored);
  const tolerance = settings.tolerance ?? DEFAULT_TOLERANCE;
  const spentSeconds = stored
    .map((t) => t.costSeconds ?? 0)
    .sort((a, b) => a - b)
    .reduce((s, c) => s + c, 0);
  const budget = settings.budgetSeconds ?? null;
  if (budget !== null && spentSeconds >= budget)
    return { kind: 'stop', stop: 'budget', reason: `budget spent`, spentSeconds };
  const have = new Set(stored.map(trialKeyText));
  const planned = new Map<string, PlannedTrial>();
  const reasons: string[] = [];
  const add = (arms: readonly DesignArm[], trainSize: number, seed: number, reason: string) => {
    let added = false;
    for (const arm of arms) {
      const key = { ...arm, trainSize, seed };
      if (have.has(trialKeyText(key)) || planned.has(trialKeyText(key))) continue;
      planned.set(trialKeyText(key), { ...key, reason });
      added = true;
    }
    if (added && !reasons.includes(reason)) reasons.push(reason);
  };
  const candidates = settings.candidateSizes;
  const inside = (b: { low: number; high: number }) =>
    candidates
      ? candidates.filter((s) => s > b.low && s < b.high)
      : b.high - b.low > 1
        ? [Math.round(Math.sqrt(b.low * b.high))]
        : [];
  const split = (b: Bracket): number | null => {
    if (b.low === null || b.high === null || b.high / b.low <= SIZE_STEP * (1 + 1e-9)) return null;
    const within = inside({ low: b.low, high: b.high });
    if (within.length === 0) return null;
    const mid = Math.sqrt(b.low * b.high);
    return within.reduce((best, s) => (Math.abs(Math.log(s / mid)) < Math.abs(Math.log(best / mid)) ? s : best));
  };
  const seedsAt = (arm: DesignArm, size: number) =>
    new Set(stored.filter((t) => t.trainSize === size && armKey(t) === armKey(arm)).map((t) => t.seed));
  const nextSeed = (arm: DesignArm, size: number) => {
    const used = seedsAt(arm, size);
    return settings.seeds.find((s) => !used.has(s)) ?? null;
  };
  const firstSeeds = settings.seeds.slice(0, 2);
  const variants = settings.arms.filter((a) => a.approach !== 'scratch');
  const evidence = gatherEvidence(stored, variants, tolerance, 0, 0);
  const unsettled: string[] = [];
  for (const e of evidence) {
    const label = `${armKey(e.arm)}/scratch`;
    const stats = leadEvidence(e.differences, tolerance);
    const open = new Set<number>();
    const holds = (evidence: string) => evidence === 'shown' || evidence === 'shown-pooled';
    for (const [i, s] of stats.sizes.entries()) {
      const run = stats.pooled.find((r) => s.trainSize >= r.from && s.trainSize <= r.upTo);
      const fragile =
        (s.evidence === 'shown' && s.adjustedP !== null && s.adjustedP >= FRAGILE_P) ||
        (s.evidence === 'shown-pooled' && run !== undefined && run.adjustedP >= FRAGILE_P);
      // no lead beyond the tolerance next to a size where the lead holds, but its interval reaches beyond the tolerance:
      // the end of the range where the claim holds is not located yet
      const interval = e.differences[i]!.difference.interval;
      const edge =
        s.evidence === 'no-lead' &&
        [stats.sizes[i - 1], stats.sizes[i + 1]].some((n) => n !== undefined && holds(n.evidence)) &&
        interval !== null &&
        interval.high > tolerance;
      if (s.evidence !== 'not-shown' && !fragile && !edge) continue;
      open.add(s.trainSize);
      const seed = nextSeed(e.arm, s.trainSize);
      const why =
        s.evidence === 'not-shown'
          ? `its lead is not shown (p=${s.adjustedP === null ? 'n/a' : formatP(s.adjustedP)} after Holm${run ? `, pooled ${formatP(run.adjustedP)}` : ''})`
          : edge
            ? `is within the tolerance next to a size where the lead holds, but its interval reaches ${formatPoints(interval.high)} points`
            : 'its lead is shown only just';
      if (seed === null) unsettled.push(`${label} at ${formatSize(s.trainSize)}: ${why}`);
      else add([SCRATCH, e.arm], s.trainSize, seed, `seed ${seed} at ${formatSize(s.trainSize)}: ${label} ${why}`);
    }
    // sizes where the verdict changes between decided neighbours, and where the report's crossover lies
    for (let i = 1; i < stats.sizes.length; i++) {
      const a = stats.sizes[i - 1]!;
      const b = stats.sizes[i]!;
      if (open.has(a.trainSize) || open.has(b.trainSize) || holds(a.evidence) === holds(b.evidence)) continue;
      const size = split({ low: a.trainSize, high: b.trainSize });
      if (size === null) continue;
      for (const seed of firstSeeds)
        add(
          [SCRATCH, e.arm],
          size,
          seed,
          `size ${formatSize(size)} added: the ${label} verdict changes between ${formatSize(a.trainSize)} and ${formatSize(b.trainSize)}`,
        );
    }
    // a lead (or the end of the range where it holds) still open at sizes whose seeds are used up: more sizes in
    // between give the pooled test more pairs and locate the end
    for (let i = 1; i < stats.sizes.length; i++) {
      const a = stats.sizes[i - 1]!;
      const b = stats.sizes[i]!;
      if (a.evidence === 'no-lead' && b.evidence === 'no-lead') continue;
      const capped = [a, b].some((s) => open.has(s.trainSize) && nextSeed(e.arm, s.trainSize) === null);
      if (!capped) continue;
      const size = split({ low: a.trainSize, high: b.trainSize });
      if (size === null) continue;
      for (const seed of firstSeeds)
        add(
          [SCRATCH, e.arm],
          size,
          seed,
          `size ${formatSize(size)} added: the ${label} verdict between ${formatSize(a.trainSize)} and ${formatSize(b.trainSize)} is open and their seeds are used up`,
        );
    }
    const size = e.crossover ? split(e.crossover) : null;
    if (size !== null)
      for (const seed of firstSeeds)
        add([SCRATCH, e.arm], size, seed, `size ${formatSize(size)} added: the ${label} crossover lies in between`);
  }
  if (planned.size > 0) return withinBudget(planned, reasons, stored, budget, spentSeconds);
  if (unsettled.length > 0)
    return {
      kind: 'stop',
      stop: 'seed-cap',
      reason: `stopped at the seed cap: ${unsettled.join('; ')}`,
      spentSeconds,
    };
  return {
    kind: 'stop',
    stop: 'settled',
    reason: `settled: every lead shown clearly (corrected p < ${FRAGILE_P}) or within the tolerance; crossover and verdict changes located (family α ${FAMILY_ALPHA})`,
    spentSeconds,
  };
}
