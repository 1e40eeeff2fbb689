import type { Approach } from '../domain.js';
import type { SizeComparison, VariantComparison } from './comparison.js';
import type { DataMultiplier } from './data-multiplier.js';
import { sampleVariance } from './descriptive.js';
import { FAMILY_ALPHA, holmAdjust } from './multiple-testing.js';
import { MAX_SEEDS_ESTIMATE, pairBySeed, pairedDifference, seedsToSettle } from './paired.js';
import { wilcoxonSignedRank, type SignedRankTest } from './wilcoxon.js';
import type { GroupCost, PretrainCost, TargetAccuracy, TimeToTarget } from './cost.js';
import {
  APPROACH_LABELS,
  capitalised,
  formatFlops,
  formatMultiplier,
  formatP,
  formatPercent,
  formatPoints,
  formatPointsPhrase,
  formatSeconds,
  formatSize,
  joinList,
  plural,
} from './format.js';
import type { SizeMultipliers, VariantMultipliers } from './learning-curves.js';
import type { OverfittingGap } from './overfitting.js';
import type { GroupSummary } from './summary-stats.js';

/** The claims articles on this choice repeat, in the order the report lists them. */
export const CLAIM_IDS = [
  'less-data',
  'trains-faster',
  'less-compute',
  'overfits-small-data',
  'source-relevance',
  'partial-balances',
] as const;
export type ClaimId = (typeof CLAIM_IDS)[number];

export type Verdict =
  | { kind: 'holds' }
  /** Holds at the sizes run from `from` (the smallest when it holds there) up to `upTo`, not at the next size run. */
  | { kind: 'holds-up-to'; from: number; upTo: number }
  /** Does not hold at the smaller sizes, holds from `from` up to the largest size run. */
  | { kind: 'holds-from'; from: number }
  /**
   * Holds at some sizes with sizes where it does not in between (more than one run of holding sizes): no single range
   * describes it, so the label says so instead of keeping one run and hiding the others.
   */
  | { kind: 'mixed'; holdsAt: number[]; checked: number }
  | { kind: 'does-not-hold' }
  /**
   * Ahead by more than the tolerance somewhere, but no lead survives the corrected test: not shown with `seeds`
   * seeds; `seedsNeeded` would settle it if the observed differences are the truth (null: no estimate).
   */
  | { kind: 'not-shown'; seeds: number; seedsNeeded: number | null }
  | { kind: 'not-measured'; reason: string };

/** The claim checked at one training-set size, with the numbers that decided it. */
export interface SizeCheck {
  trainSize: number;
  holds: boolean;
  detail: string;
}

export interface ClaimResult {
  id: ClaimId;
  /** In a suite with several sources, the source a claim about fine-tuning was checked for (the relevance claim has none). */
  source?: string;
  claim: string;
  /** What on this suite's data tests the claim. */
  measurement: string;
  verdict: Verdict;
  /** The verdict in words ("holds up to 100 examples"), as the report and the app show it. */
  verdictLabel: string;
  /** One or two sentences with the numbers behind the verdict. */
  evidence: string;
  checks: SizeCheck[];
}

export interface ClaimsInput {
  tolerance: number;
  accuracy: readonly GroupSummary[];
  comparisons: readonly VariantComparison[];
  /** Data multipliers from the fitted curves and from interpolation (learning-curves.ts); empty without fits. */
  multipliers: readonly VariantMultipliers[];
  target: TargetAccuracy | null;
  timeToTarget: readonly TimeToTarget[];
  costPerGroup: readonly GroupCost[];
  pretrain: PretrainCost | null;
  overfitting: readonly OverfittingGap[];
  /**
   * In a suite with several sources: each source's transfer results (test accuracies of done trials per approach
   * and size); empty for a single-source suite (the relevance claim is then not measured).
   */
  sources: readonly SourceResults[];
}

/** One source's transfer results, for the relevance claim. */
export interface SourceResults {
  source: string;
  /** Test accuracies of done trials per approach and size; `seeds[i]` is the seed `values[i]` came from. */
  accuracies: { approach: Exclude<Approach, 'scratch'>; trainSize: number; values: number[]; seeds: number[] }[];
}

const EPSILON = 1e-9;

/**
 * Reads a verdict off checks in increasing size (see Verdict for the shapes): one run of holding sizes starting at the
 * smallest gives "holds up to" its end; one run ending at the largest gives "holds from"; one run in between gives
 * "holds from … up to …"; several runs give "mixed". The checks list every size, so the evidence can name them.
 */
export function verdictFromChecks(checks: readonly SizeCheck[]): Verdict {
  const sorted = [...checks].sort((a, b) => a.trainSize - b.trainSize);
  if (sorted.length === 0) return { kind: 'not-measured', reason: 'no size has the measurements this claim needs' };
  if (sorted.every((c) => c.holds)) return { kind: 'holds' };
  if (!sorted.some((c) => c.holds)) return { kind: 'does-not-hold' };
  const runs = sorted.filter((c, i) => c.holds && (i === 0 || !sorted[i - 1]!.holds)).length;
  if (runs > 1)
    return { kind: 'mixed', holdsAt: sorted.filter((c) => c.holds).map((c) => c.trainSize), checked: sorted.length };
  const last = sorted[sorted.length - 1]!;
  if (!sorted[0]!.holds && last.holds) {
    let i = sorted.length - 1;
    while (i > 0 && sorted[i - 1]!.holds) i--;
    return { kind: 'holds-from', from: sorted[i]!.trainSize };
  }
  const firstHolding = sorted.findIndex((c) => c.holds);
  let end = firstHolding;
  while (end + 1 < sorted.length && sorted[end + 1]!.holds) end++;
  return { kind: 'holds-up-to', from: sorted[firstHolding]!.trainSize, upTo: sorted[end]!.trainSize };
}

/** "holds", "holds up to 100 examples", "holds from 25 up to 100 examples", … */
export function verdictText(verdict: Verdict, smallestSize?: number): string {
  switch (verdict.kind) {
    case 'holds':
      return 'holds';
    case 'holds-up-to':
      if (verdict.from === verdict.upTo && smallestSize !== undefined && verdict.from !== smallestSize)
        return `holds at ${formatSize(verdict.from)} examples only`;
      return smallestSize === undefined || verdict.from === smallestSize
        ? `holds up to ${formatSize(verdict.upTo)} examples`
        : `holds from ${formatSize(verdict.from)} up to ${formatSize(verdict.upTo)} examples`;
    case 'holds-from':
      return `holds from ${formatSize(verdict.from)} examples on`;
    case 'mixed':
      return `mixed: holds at ${verdict.holdsAt.length} of ${verdict.checked} sizes, not in one range`;
    case 'does-not-hold':
      return 'does not hold';
    case 'not-shown':
      return `not shown with ${plural(verdict.seeds, 'seed')}${verdict.seedsNeeded !== null ? ` (${seedsText(verdict.seedsNeeded)} would settle it)` : ''}`;
    case 'not-measured':
      return 'not measured';
  }
}

function result(
  id: ClaimId,
  claim: string,
  measurement: string,
  checks: SizeCheck[],
  evidence: (verdict: Verdict) => string,
  notMeasured?: string,
  override?: Verdict,
): ClaimResult {
  const verdict: Verdict =
    notMeasured !== undefined ? { kind: 'not-measured', reason: notMeasured } : (override ?? verdictFromChecks(checks));
  const smallest = checks.length > 0 ? Math.min(...checks.map((c) => c.trainSize)) : undefined;
  return {
    id,
    claim,
    measurement,
    verdict,
    verdictLabel: verdictText(verdict, smallest),
    evidence: verdict.kind === 'not-measured' ? capitalised(`${verdict.reason}.`) : evidence(verdict),
    checks,
  };
}

/** Full fine-tuning when the suite has it, otherwise the first variant that has results. */
function mainVariant(comparisons: readonly VariantComparison[]): VariantComparison | undefined {
  return comparisons.find((c) => c.approach === 'finetune') ?? comparisons[0];
}

function sizesWhere(checks: readonly SizeCheck[], holds: boolean): string {
  return joinList(checks.filter((c) => c.holds === holds).map((c) => formatSize(c.trainSize)));
}

/** "Holds at 10 and 25 examples, not at 50." (or "At every size checked." / "At no size checked.") */
function holdsWhere(checks: readonly SizeCheck[]): string {
  if (checks.every((c) => c.holds)) return 'Holds at every size checked.';
  if (!checks.some((c) => c.holds)) return 'Holds at no size checked.';
  return `Holds at ${sizesWhere(checks, true)} examples, not at ${sizesWhere(checks, false)}.`;
}

function fitMultiplierText(m: SizeMultipliers | undefined): string {
  const fit = m?.fromFit;
  if (!fit) return '';
  if (fit.multiplier === null) return '; from the fitted curves scratch never gets there';
  const extrapolated = fit.extrapolation === 'none' ? '' : ', extrapolated';
  return `; from the fitted curves ${formatMultiplier(fit.multiplier)}× (effective data transferred ${formatSize(Math.max(0, fit.effectiveData ?? 0))} examples${extrapolated})`;
}

/** How one size stands in a claim decided by a corrected test. */
export type SizeEvidence = 'shown' | 'shown-pooled' | 'not-shown' | 'no-lead';

/** A run of adjacent sizes whose pooled paired differences were tested together (Wilcoxon signed-rank). */
export interface PooledRun {
  from: number;
  upTo: number;
  test: SignedRankTest;
  adjustedP: number;
}

/** The statistics a claim decided by corrected paired tests states: which test, which correction, the seeds needed. */
export interface ClaimStatistics {
  /** Tests in the Holm family of this claim (each size, and each pooled run). */
  family: number;
  pooled: PooledRun[];
  /** Per size: the raw and Holm-adjusted p-values and whether the lead is shown. */
  sizes: {
    trainSize: number;
    pValue: number | null;
    adjustedP: number | null;
    evidence: SizeEvidence;
    seedsNeeded: number | null;
  }[];
  /** The smallest seed count that would settle every size whose lead is not shown (null: none, or no estimate). */
  seedsNeeded: number | null;
  seeds: number;
}

/** "about 7 seeds", "more than 1,000 seeds". */
export function seedsText(n: number): string {
  return n > MAX_SEEDS_ESTIMATE ? `more than ${formatSize(MAX_SEEDS_ESTIMATE)} seeds` : `about ${formatSize(n)} seeds`;
}

/**
 * Decides a lead claim size by size from paired differences: a size shows the lead when the variant is ahead by more
 * than the tolerance and its paired t-test is significant after Holm's correction; a run of two or more adjacent sizes
 * that are all ahead by more than the tolerance is also tested pooled (Wilcoxon signed-rank over all their paired
 * differences) and, when that is significant, shows the lead over the whole run. Every size's test and every pooled
 * test form one Holm family (family-wise error 5%). A size ahead by more than the tolerance without either is "not
 * shown" with the seeds that would settle it.
 */
export function leadEvidence(
  sizes: readonly Pick<SizeComparison, 'trainSize' | 'difference'>[],
  tolerance: number,
): ClaimStatistics {
  const tested = sizes.filter((s) => s.difference !== null);
  const lead = tested.map((s) => s.difference!.difference > tolerance + EPSILON);
  const runs: { start: number; end: number }[] = [];
  for (let i = 0; i < tested.length; i++) {
    if (!lead[i] || (i > 0 && lead[i - 1])) continue;
    let end = i;
    while (end + 1 < tested.length && lead[end + 1]) end++;
    if (end > i) runs.push({ start: i, end });
  }
  const pooledTests = runs.map((r) =>
    wilcoxonSignedRank(tested.slice(r.start, r.end + 1).flatMap((s) => s.difference!.differences)),
  );
  const pValues = [...tested.map((s) => s.difference!.pValue), ...pooledTests.map((t) => t.pValue)];
  const adjusted = holmAdjust(pValues);
  const family = pValues.filter((p) => p !== null).length;
  const pooled: PooledRun[] = runs.map((r, k) => ({
    from: tested[r.start]!.trainSize,
    upTo: tested[r.end]!.trainSize,
    test: pooledTests[k]!,
    adjustedP: adjusted[tested.length + k]!,
  }));
  const alpha = FAMILY_ALPHA / Math.max(1, family);
  const perSize = tested.map((s, i) => {
    const d = s.difference!;
    const adjustedP = adjusted[i] ?? null;
    const inShownRun = runs.some((r, k) => i >= r.start && i <= r.end && pooled[k]!.adjustedP < FAMILY_ALPHA);
    const evidence: SizeEvidence = !lead[i]
      ? 'no-lead'
      : adjustedP !== null && adjustedP < FAMILY_ALPHA
        ? 'shown'
        : inShownRun
          ? 'shown-pooled'
          : 'not-shown';
    return {
      trainSize: s.trainSize,
      pValue: d.pValue,
      adjustedP,
      evidence,
      seedsNeeded: evidence === 'not-shown' ? seedsToSettle(d.difference, d.sdDifference, alpha) : null,
    };
  });
  const needed = perSize.filter((s) => s.evidence === 'not-shown').map((s) => s.seedsNeeded);
  return {
    family,
    pooled,
    sizes: perSize,
    seedsNeeded: needed.length > 0 && needed.every((n) => n !== null) ? Math.max(...(needed as number[])) : null,
    seeds: Math.max(0, ...tested.map((s) => s.difference!.pairs)),
  };
}

/** "paired t p = 0.048, after Holm 0.43" for one size. */
function pText(s: ClaimStatistics['sizes'][number]): string {
  if (s.pValue === null) return 'one seed: no test';
  return `paired t p = ${formatP(s.pValue)}, after Holm ${formatP(s.adjustedP!)}`;
}

/**
 * "Fine-tuning needs less data": holds at size N when the variant is ahead of scratch by more than the tolerance
 * (scratch needs more than N examples to match it) and the lead is shown by the corrected paired tests of leadEvidence;
 * a lead that is not shown makes the claim "not shown with this many seeds", never a range.
 */
export function lessDataClaim(input: ClaimsInput): ClaimResult {
  const claim = 'Fine-tuning needs less data than training from scratch.';
  const measurement =
    'At each size, fine-tuning minus scratch test accuracy on the same seeds (same training subsets): holds where the lead exceeds the tolerance and is significant by a paired t-test after Holm’s correction over the claim’s tests (every size, plus a Wilcoxon signed-rank test pooled over each run of adjacent sizes ahead by more than the tolerance, which shows the lead over that run); with the data multiplier.';
  const variant = mainVariant(input.comparisons);
  if (!variant)
    return result('less-data', claim, measurement, [], () => '', 'no fine-tuning variant and scratch to compare');
  const label = APPROACH_LABELS[variant.approach];
  const fits = input.multipliers.find((m) => m.approach === variant.approach);
  const stats = leadEvidence(variant.sizes, input.tolerance);
  const checks = variant.sizes
    .filter((s) => s.difference !== null)
    .map((s): SizeCheck => {
      const d = s.difference!.difference;
      const evidence = stats.sizes.find((e) => e.trainSize === s.trainSize)!;
      const interval = fits?.sizes.find((m) => m.trainSize === s.trainSize)?.fromInterpolation.interval;
      const multiplier = `${multiplierPhraseShort(s.multiplier)}${s.multiplier.kind === 'not-defined' || !interval ? '' : ` (95% bootstrap interval ${openEnd(interval.low)} to ${openEnd(interval.high)})`}`;
      const status =
        evidence.evidence === 'shown'
          ? 'shown'
          : evidence.evidence === 'shown-pooled'
            ? 'shown by the pooled test'
            : evidence.evidence === 'not-shown'
              ? `not shown with ${plural(s.difference!.pairs, 'seed')}${evidence.seedsNeeded !== null ? `; ${seedsText(evidence.seedsNeeded)} would settle it` : ''}`
              : 'no lead beyond the tolerance';
      return {
        trainSize: s.trainSize,
        holds: evidence.evidence === 'shown' || evidence.evidence === 'shown-pooled',
        detail: `${formatSize(s.trainSize)}: ${label} ${d >= 0 ? '+' : '−'}${formatPoints(Math.abs(d))} points (${pText(evidence)}; ${status})${multiplier ? `; ${multiplier}` : ''}${fitMultiplierText(fits?.sizes.find((m) => m.trainSize === s.trainSize))}`,
      };
    });
  const notShown = stats.sizes.filter((s) => s.evidence === 'not-shown');
  const anyHolds = checks.some((c) => c.holds);
  const verdict: Verdict | undefined =
    !anyHolds && notShown.length > 0
      ? { kind: 'not-shown', seeds: stats.seeds, seedsNeeded: stats.seedsNeeded }
      : undefined;
  return result(
    'less-data',
    claim,
    measurement,
    checks,
    (v) => {
      const tol = formatPointsPhrase(input.tolerance);
      const method =
        stats.family === 0
          ? 'There is no paired test (one seed)'
          : `Paired t-tests on ${plural(stats.seeds, 'seed')}, Holm-corrected over ${plural(stats.family, 'test')}`;
      const pooled = stats.pooled.map(
        (r) =>
          `pooled over ${formatSize(r.from)}–${formatSize(r.upTo)} examples: Wilcoxon signed-rank p = ${formatP(r.test.pValue)} (${r.test.n} non-zero differences, ${r.test.method}), after Holm ${formatP(r.adjustedP)}`,
      );
      const where =
        v.kind === 'does-not-hold'
          ? `${capitalised(label)} is never ahead of scratch by more than ${tol}.`
          : v.kind === 'not-shown'
            ? `${capitalised(label)} is ahead by more than ${tol} at ${joinList(notShown.map((s) => formatSize(s.trainSize)))} examples, but no lead is shown with ${plural(stats.seeds, 'seed')}${stats.seedsNeeded !== null ? ` (${seedsText(stats.seedsNeeded)} would settle it, if the observed differences are the truth)` : ''}.`
            : `Shown at ${joinList(checks.filter((c) => c.holds).map((c) => formatSize(c.trainSize)))} examples${notShown.length > 0 ? `; ahead but not shown at ${joinList(notShown.map((s) => formatSize(s.trainSize)))}` : ''}.`;
      return `${where} ${method}${pooled.length > 0 ? `; ${pooled.join('; ')}` : ''}. ${checks.map((c) => c.detail).join('. ')}.`;
    },
    undefined,
    verdict,
  );
}

function multiplierPhraseShort(m: DataMultiplier): string {
  return m.kind === 'interpolated'
    ? `scratch needs ${formatMultiplier(m.multiplier)}× the data`
    : m.kind === 'more-than-largest'
      ? `scratch needs more than ${formatMultiplier(m.multiplierAbove)}× the data`
      : m.kind === 'at-most'
        ? `scratch needs at most ${formatMultiplier(m.multiplierAtMost)}× the data`
        : m.kind === 'not-defined'
          ? 'data multiplier not defined (flat within the noise)'
          : '';
}

function pretrainNote(p: PretrainCost | null, what: 'time' | 'flops'): string {
  if (!p) return '';
  if (what === 'time' && p.wallSeconds !== null)
    return ` Pretraining, not counted above, took ${formatSeconds(p.wallSeconds)}${p.amortisedWallSeconds !== null ? ` (${formatSeconds(p.amortisedWallSeconds)} per fine-tuning trial when spread over the suite)` : ''}${p.reused ? ', paid once in an earlier run' : ''}.`;
  if (what === 'flops' && p.trainFlops !== null)
    return ` Pretraining, not counted above, cost ${formatFlops(p.trainFlops)}${p.amortisedTrainFlops !== null ? ` (${formatFlops(p.amortisedTrainFlops)} per fine-tuning trial when spread over the suite)` : ''}.`;
  return '';
}

/** One size's paired cost comparison: variant over scratch, per seed, on the log scale. */
interface CostTest {
  /** Geometric mean of variant ÷ scratch over the seeds both reached the target, with its 95% interval. */
  ratio: number;
  low: number;
  high: number;
  pairs: number;
  pValue: number | null;
  logs: number[];
}

function costTest(variant: TimeToTarget, scratch: TimeToTarget, what: 'time' | 'flops'): CostTest | null {
  const pick = (x: TimeToTarget['perSeed'][number]) =>
    what === 'time' ? x.secondsWithSelection : x.flopsWithSelection;
  const bySeed = new Map(scratch.perSeed.map((x) => [x.seed, pick(x)]));
  const pairs = variant.perSeed.flatMap((x) => {
    const v = pick(x);
    const sv = bySeed.get(x.seed);
    return v !== null && v > 0 && sv != null && sv > 0
      ? [{ seed: x.seed, variant: Math.log(v), scratch: Math.log(sv) }]
      : [];
  });
  if (pairs.length === 0) return null;
  const d = pairedDifference(pairs);
  const interval = d.interval ?? { low: d.difference, high: d.difference };
  return {
    ratio: Math.exp(d.difference),
    low: Math.exp(interval.low),
    high: Math.exp(interval.high),
    pairs: d.pairs,
    pValue: d.pValue,
    logs: d.differences,
  };
}

/**
 * Time or FLOPs to the target validation accuracy at each size, model selection included: holds at N when the variant
 * gets there in every seed and scratch does not, or when both do and the variant's cost is lower, paired by seed: the
 * per-seed ratio variant ÷ scratch on the log scale, a paired t-test, Holm-corrected over the sizes compared (no
 * fixed margin: the seeds' own spread decides what is noise). Wall time on a shared machine is this run's timing:
 * the claim says so. Sizes where neither reaches the target in every seed are left out.
 */
function toTargetClaim(input: ClaimsInput, what: 'time' | 'flops'): ClaimResult {
  const id: ClaimId = what === 'time' ? 'trains-faster' : 'less-compute';
  const claim =
    what === 'time'
      ? 'Fine-tuning trains faster than training from scratch.'
      : 'Fine-tuning needs less compute than training from scratch.';
  const target = input.target;
  const measurement = `${what === 'time' ? 'Wall time (this run’s timing: on a shared machine it moves with the load; CPU time is not recorded)' : 'Estimated training FLOPs'} to reach ${target ? formatPercent(target.value) : 'the target'} validation accuracy at each size, model selection included (every learning-rate candidate and k-fold fold the trial trained; the final run alone in brackets; pretraining reported separately). Holds where fine-tuning gets there in every seed and scratch does not, or where its cost is lower by a paired t-test on the per-seed log ratio, Holm-corrected over the sizes compared.`;
  const variant = mainVariant(input.comparisons);
  if (!variant || !target)
    return result(id, claim, measurement, [], () => '', 'no target accuracy or no fine-tuning variant to compare');
  const label = APPROACH_LABELS[variant.approach];
  const everySeed = (t: TimeToTarget | undefined) => t !== undefined && t.trials > 0 && t.reached === t.trials;
  // The verdict uses the cost with model selection: equal tuning effort, and a user pays for the selection.
  const value = (t: TimeToTarget | undefined) =>
    everySeed(t) ? (what === 'time' ? t!.meanSecondsWithSelection : t!.meanFlopsWithSelection) : null;
  const finalRun = (t: TimeToTarget | undefined) =>
    everySeed(t) ? (what === 'time' ? t!.meanSeconds : t!.meanFlops) : null;
  const format = what === 'time' ? formatSeconds : formatFlops;
  const rows = input.timeToTarget
    .filter((t) => t.approach === variant.approach)
    .flatMap((v) => {
      const s = input.timeToTarget.find((t) => t.approach === 'scratch' && t.trainSize === v.trainSize);
      const vv = value(v);
      const sv = value(s);
      if (vv === null && sv === null) return [];
      const test = vv !== null && sv !== null && s ? costTest(v, s, what) : null;
      return [{ v, s, vv, sv, test }];
    });
  const adjusted = holmAdjust(rows.map((r) => r.test?.pValue ?? null));
  const family = adjusted.filter((p) => p !== null).length;
  const checks: SizeCheck[] = [];
  let notShown = 0;
  let seedsNeeded: number | null = null;
  rows.forEach(({ v, s, vv, sv, test }, i) => {
    const p = adjusted[i] ?? null;
    const cheaper = test !== null && test.ratio < 1;
    const shown = cheaper && p !== null && p < FAMILY_ALPHA;
    const holds = vv !== null && (sv === null || shown);
    const show = (x: number | null, t: TimeToTarget | undefined) => {
      if (x === null) {
        return everySeed(t)
          ? `no ${what === 'time' ? 'wall time' : 'FLOPs'} recorded`
          : `not reached in every seed (${t?.reached ?? 0}/${t?.trials ?? 0})`;
      }
      const alone = finalRun(t);
      return `${format(x)}${alone !== null ? ` (final run alone ${format(alone)})` : ''}`;
    };
    let stats = '';
    if (test) {
      const range = test.pairs > 1 ? `, 95% interval ${formatRatio(test.low)} to ${formatRatio(test.high)}` : '';
      const tested =
        test.pValue === null
          ? 'one seed: no test'
          : `paired t on log ratio p = ${formatP(test.pValue)}, after Holm ${formatP(p!)}`;
      stats = `; ratio ${formatRatio(test.ratio)}${range} (${tested})`;
      if (cheaper && !shown) {
        notShown++;
        const sd = Math.sqrt(sampleVariance(test.logs));
        const n = seedsToSettle(Math.log(test.ratio), sd, FAMILY_ALPHA / Math.max(1, family));
        if (n !== null) seedsNeeded = Math.max(seedsNeeded ?? 0, n);
      }
    }
    checks.push({
      trainSize: v.trainSize,
      holds,
      detail: `${formatSize(v.trainSize)}: ${label} ${show(vv, v)}, scratch ${show(sv, s)}${stats}`,
    });
  });
  if (checks.length === 0) {
    const reachedSomewhere = input.timeToTarget.some(
      (t) => (t.approach === variant.approach || t.approach === 'scratch') && everySeed(t),
    );
    return result(
      id,
      claim,
      measurement,
      [],
      () => '',
      reachedSomewhere
        ? `the trials that reached ${formatPercent(target.value)} validation accuracy did not record their ${what === 'time' ? 'wall time' : 'FLOPs and steps'}, so their cost with model selection is unknown`
        : `neither ${label} nor scratch reached ${formatPercent(target.value)} validation accuracy in every seed at any size`,
    );
  }
  const seeds = Math.max(0, ...rows.map((r) => r.test?.pairs ?? 0));
  const override: Verdict | undefined =
    !checks.some((c) => c.holds) && notShown > 0 ? { kind: 'not-shown', seeds, seedsNeeded } : undefined;
  return result(
    id,
    claim,
    measurement,
    checks,
    () => {
      const shown = checks.slice(0, 3).map((c) => c.detail);
      const timing = what === 'time' ? ' Wall times are this run’s, on a machine other work shared.' : '';
      return `${holdsWhere(checks)} ${shown.join('; ')}${checks.length > 3 ? '; …' : '.'}${timing}${pretrainNote(input.pretrain, what)}`;
    },
    undefined,
    override,
  );
}

/** "3.2×", or "never" for an open end of a multiplier interval. */
function openEnd(v: number | null): string {
  return v === null ? 'never' : `${formatMultiplier(v)}×`;
}

/** "×0.82" for a cost ratio. */
function formatRatio(r: number): string {
  return `×${r >= 10 ? r.toFixed(0) : r.toFixed(2)}`;
}

export function trainsFasterClaim(input: ClaimsInput): ClaimResult {
  return toTargetClaim(input, 'time');
}

export function lessComputeClaim(input: ClaimsInput): ClaimResult {
  return toTargetClaim(input, 'flops');
}

/**
 * "Fine-tuning overfits on small data": holds at N when the variant's gap between train and validation accuracy at
 * its best epoch exceeds scratch's by more than the tolerance.
 */
export function overfittingClaim(input: ClaimsInput): ClaimResult {
  const claim = 'Fine-tuning overfits on small data (more than training from scratch).';
  const measurement =
    'Train minus validation accuracy at the best epoch, mean over seeds, against scratch at the same size.';
  const variant = mainVariant(input.comparisons);
  const gaps = (approach: Approach) => input.overfitting.filter((g) => g.approach === approach);
  if (!variant || gaps('scratch').length === 0 || gaps(variant.approach).length === 0)
    return result('overfits-small-data', claim, measurement, [], () => '', 'no training curves to compare');
  const label = APPROACH_LABELS[variant.approach];
  const checks = gaps(variant.approach).flatMap((v): SizeCheck[] => {
    const s = gaps('scratch').find((g) => g.trainSize === v.trainSize);
    if (!s) return [];
    return [
      {
        trainSize: v.trainSize,
        holds: v.meanGap - s.meanGap > input.tolerance + EPSILON,
        detail: `${formatSize(v.trainSize)}: gap ${formatPoints(v.meanGap)} points for ${label}, ${formatPoints(s.meanGap)} for scratch`,
      },
    ];
  });
  return result('overfits-small-data', claim, measurement, checks, () => {
    const first = checks[0];
    const widest = input.overfitting.reduce((a, b) => (b.meanGap > a.meanGap ? b : a));
    return `${holdsWhere(checks)} At ${first?.detail ?? ''}. The largest gap is ${formatPoints(widest.meanGap)} points (${APPROACH_LABELS[widest.approach]} at ${formatSize(widest.trainSize)}).`;
  });
}

/**
 * "The benefit depends on how relevant the pretrained model is": measured on a suite with several sources, each
 * against the one scratch baseline. At each size every source is represented by its best transfer approach there
 * (highest mean test accuracy), and the best source is compared with the worst, paired by seed (a seed fixes the
 * target's training subset, whatever the source): a paired t-test on the per-seed differences, its p-value multiplied
 * by the number of source pairs (Bonferroni: the best and the worst are the most extreme of the k(k − 1)/2 pairs, so
 * choosing them after the fact is paid for), then Holm's correction over the sizes compared. The claim holds at N when
 * the best source is ahead by more than the tolerance and that corrected p-value is below 0.05; where a lead beyond the
 * tolerance is not shown at any size the claim is "not shown" with the seeds that would settle it. Where it stops
 * holding, the choice of source no longer matters on this task.
 */
export function sourceRelevanceClaim(input: ClaimsInput): ClaimResult {
  const claim = 'The benefit depends on how relevant the pretrained model is to the task.';
  const measurement =
    "The same target with transfer approaches from several sources, each against the one scratch baseline: at each size, the best source's best approach against the worst source's best approach on the same seeds (same training subsets): holds where the lead exceeds the tolerance and a paired t-test is significant after a Bonferroni factor for picking the best and worst of the sources and Holm's correction over the sizes.";
  if (input.sources.length < 2) {
    return result(
      'source-relevance',
      claim,
      measurement,
      [],
      () => '',
      'this suite has one source; a suite naming several sources ("sources") measures it',
    );
  }
  const scratch = new Map(
    input.accuracy.filter((g) => g.approach === 'scratch' && g.source === undefined).map((g) => [g.trainSize, g.mean]),
  );
  const sourcePairs = (input.sources.length * (input.sources.length - 1)) / 2;
  const sizes = [...new Set(input.sources.flatMap((s) => s.accuracies.map((a) => a.trainSize)))].sort((a, b) => a - b);
  const rows = sizes.flatMap((size) => {
    const best = input.sources.map((s) => {
      const here = s.accuracies.filter((a) => a.trainSize === size && a.values.length > 0);
      if (here.length === 0) return null;
      const top = here.reduce((a, b) => (meanOf(b.values) > meanOf(a.values) ? b : a));
      const bySeed = new Map(top.seeds.map((seed, i) => [seed, top.values[i]!]));
      return { source: s.source, approach: top.approach, bySeed, mean: meanOf(top.values) };
    });
    if (best.some((b) => b === null)) return [];
    const ranked = (best as NonNullable<(typeof best)[number]>[]).sort((a, b) => b.mean - a.mean);
    const first = ranked[0]!;
    const last = ranked[ranked.length - 1]!;
    const pairs = pairBySeed(first.bySeed, last.bySeed);
    if (pairs.length === 0) return [];
    const difference = pairedDifference(pairs);
    const pSelected = difference.pValue === null ? null : Math.min(1, difference.pValue * sourcePairs);
    return [{ size, first, last, difference, pSelected }];
  });
  const adjusted = holmAdjust(rows.map((r) => r.pSelected));
  const family = adjusted.filter((p) => p !== null).length;
  const alpha = FAMILY_ALPHA / Math.max(1, family) / sourcePairs;
  let notShown = 0;
  let seedsNeeded: number | null = null;
  let anyWithoutEstimate = false;
  const checks = rows.map(({ size, first, last, difference, pSelected }, i): SizeCheck => {
    const p = adjusted[i] ?? null;
    const ahead = difference.difference > input.tolerance + EPSILON;
    const holds = ahead && p !== null && p < FAMILY_ALPHA;
    if (ahead && !holds) {
      notShown++;
      const n = seedsToSettle(difference.difference, difference.sdDifference, alpha);
      if (n === null) anyWithoutEstimate = true;
      else seedsNeeded = Math.max(seedsNeeded ?? 0, n);
    }
    const interval = difference.interval
      ? `95% interval ${formatPoints(difference.interval.low)} to ${formatPoints(difference.interval.high)}`
      : 'no interval: fewer than two seeds';
    const test =
      difference.pValue === null
        ? 'one seed: no test'
        : `paired t p = ${formatP(difference.pValue)}${sourcePairs > 1 ? `, ×${sourcePairs} source pairs ${formatP(pSelected!)}` : ''}, after Holm ${formatP(p!)}, ${plural(difference.pairs, 'seed')}`;
    const base = scratch.get(size);
    return {
      trainSize: size,
      holds,
      detail:
        `${formatSize(size)}: ${first.source} (${first.approach}) ${formatPercent(first.mean)}, ${last.source} (${last.approach}) ${formatPercent(last.mean)}, ` +
        `${formatPoints(difference.difference)} points apart (${interval}; ${test})${base !== undefined ? `; scratch ${formatPercent(base)}` : ''}`,
    };
  });
  if (checks.length === 0) {
    return result(
      'source-relevance',
      claim,
      measurement,
      [],
      () => '',
      'no size has done transfer trials from every source on a common seed yet',
    );
  }
  const seeds = Math.max(0, ...rows.map((r) => r.difference.pairs));
  const override: Verdict | undefined =
    !checks.some((c) => c.holds) && notShown > 0
      ? { kind: 'not-shown', seeds, seedsNeeded: anyWithoutEstimate ? null : seedsNeeded }
      : undefined;
  return result(
    'source-relevance',
    claim,
    measurement,
    checks,
    () => {
      const method =
        family === 0
          ? 'There is no paired test (one seed)'
          : `Paired t-tests on ${plural(seeds, 'seed')}${sourcePairs > 1 ? `, each p-value ×${sourcePairs} for picking the best and worst of ${input.sources.length} sources` : ''}, Holm-corrected over ${plural(family, 'size')}`;
      return `${holdsWhere(checks)} ${method}. ${checks.map((c) => c.detail).join('; ')}.`;
    },
    undefined,
    override,
  );
}

const meanOf = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/**
 * "Partial fine-tuning balances cost and accuracy": holds at N when partial fine-tuning is within the tolerance of
 * full fine-tuning's accuracy (or ahead) and costs less per trial (estimated FLOPs, or wall time without FLOPs).
 */
export function partialBalancesClaim(input: ClaimsInput): ClaimResult {
  const claim = 'Partial fine-tuning balances cost and accuracy.';
  const measurement =
    'Partial against full fine-tuning at each size: accuracy within the tolerance (or ahead) at a lower cost per trial.';
  const acc = (approach: Approach, size: number) =>
    input.accuracy.find((g) => g.approach === approach && g.trainSize === size);
  const cost = (approach: Approach, size: number) =>
    input.costPerGroup.find((g) => g.approach === approach && g.trainSize === size);
  const sizes = input.accuracy.filter((g) => g.approach === 'partial').map((g) => g.trainSize);
  const checks = sizes.flatMap((size): SizeCheck[] => {
    const p = acc('partial', size);
    const f = acc('finetune', size);
    const pc = cost('partial', size);
    const fc = cost('finetune', size);
    if (!p || !f || !pc || !fc) return [];
    const useFlops = pc.trainFlops !== null && fc.trainFlops !== null;
    // per trial with model selection included (wall time always covers the whole trial)
    const pCost = useFlops ? (pc.trainFlopsWithSelection ?? pc.trainFlops!).mean : pc.wallSeconds?.mean;
    const fCost = useFlops ? (fc.trainFlopsWithSelection ?? fc.trainFlops!).mean : fc.wallSeconds?.mean;
    if (pCost === undefined || fCost === undefined || fCost <= 0) return [];
    const diff = p.mean - f.mean;
    const ratio = pCost / fCost;
    return [
      {
        trainSize: size,
        holds: diff >= -input.tolerance - EPSILON && ratio < 1,
        detail: `${formatSize(size)}: partial ${diff >= 0 ? '+' : '−'}${formatPoints(Math.abs(diff))} points against full, at ${Math.round(ratio * 100)}% of its ${useFlops ? 'FLOPs' : 'wall time'}`,
      },
    ];
  });
  if (checks.length === 0)
    return result(
      'partial-balances',
      claim,
      measurement,
      [],
      () => '',
      'the suite does not run both partial and full fine-tuning with cost figures at a common size',
    );
  return result('partial-balances', claim, measurement, checks, () => {
    const shown = [checks[0]!, checks[checks.length - 1]!].filter((c, i, all) => i === 0 || c !== all[0]);
    return `${holdsWhere(checks)} ${shown.map((c) => c.detail).join('; ')}.`;
  });
}

/** Every common claim checked on this suite's results, with a verdict and the numbers behind it. */
export function checkClaims(input: ClaimsInput): ClaimResult[] {
  return [
    lessDataClaim(input),
    trainsFasterClaim(input),
    lessComputeClaim(input),
    overfittingClaim(input),
    sourceRelevanceClaim(input),
    partialBalancesClaim(input),
  ];
}
