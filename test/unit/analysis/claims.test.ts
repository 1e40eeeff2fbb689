import { describe, expect, it } from 'vitest';
import {
  checkClaims,
  lessComputeClaim,
  lessDataClaim,
  overfittingClaim,
  partialBalancesClaim,
  sourceRelevanceClaim,
  trainsFasterClaim,
  verdictFromChecks,
  verdictText,
  type ClaimsInput,
  type SizeCheck,
  type SourceResults,
} from '../../../benchmarks/analysis/claims.js';
import { compareToScratch } from '../../../benchmarks/analysis/comparison.js';
import { welchDifference } from '../../../benchmarks/analysis/welch.js';
import type { GroupCost, TimeToTarget } from '../../../benchmarks/analysis/cost.js';
import type { OverfittingGap } from '../../../benchmarks/analysis/overfitting.js';
import { describe as summary, summarize } from '../../../benchmarks/analysis/summary-stats.js';
import type { Approach, TrialRecord } from '../../../benchmarks/domain.js';
import { createRng } from '../../../benchmarks/datasets/seeded-random.js';
import { trials } from '../../support/records.js';

const checks = (pattern: string, sizes = [10, 25, 50, 100]): SizeCheck[] =>
  [...pattern].map((c, i) => ({ trainSize: sizes[i]!, holds: c === 'y', detail: '' }));

describe('verdictFromChecks', () => {
  it('holds everywhere, nowhere, up to a size, from a size, or in the middle', () => {
    expect(verdictFromChecks(checks('yyyy'))).toEqual({ kind: 'holds' });
    expect(verdictFromChecks(checks('nnnn'))).toEqual({ kind: 'does-not-hold' });
    expect(verdictFromChecks(checks('yynn'))).toEqual({ kind: 'holds-up-to', from: 10, upTo: 25 });
    expect(verdictFromChecks(checks('nnyy'))).toEqual({ kind: 'holds-from', from: 50 });
    expect(verdictFromChecks(checks('nyyn'))).toEqual({ kind: 'holds-up-to', from: 25, upTo: 50 });
    // Holding in two separate runs of sizes is no range: "mixed", not the first or the last run alone.
    expect(verdictFromChecks(checks('ynyn'))).toEqual({ kind: 'mixed', holdsAt: [10, 50], checked: 4 });
    expect(verdictFromChecks(checks('nyny'))).toEqual({ kind: 'mixed', holdsAt: [25, 100], checked: 4 });
    expect(verdictFromChecks([]).kind).toBe('not-measured');
  });

  it('words the verdict', () => {
    expect(verdictText({ kind: 'holds-up-to', from: 10, upTo: 100 }, 10)).toBe('holds up to 100 examples');
    expect(verdictText({ kind: 'holds-up-to', from: 25, upTo: 1000 }, 10)).toBe('holds from 25 up to 1,000 examples');
    expect(verdictText({ kind: 'holds-up-to', from: 50, upTo: 50 }, 10)).toBe('holds at 50 examples only');
    expect(verdictText({ kind: 'holds-up-to', from: 10, upTo: 10 }, 10)).toBe('holds up to 10 examples');
    expect(verdictText({ kind: 'holds-from', from: 500 })).toBe('holds from 500 examples on');
    expect(verdictText({ kind: 'mixed', holdsAt: [50, 4000], checked: 8 })).toBe(
      'mixed: holds at 2 of 8 sizes, not in one range',
    );
    expect(verdictText({ kind: 'does-not-hold' })).toBe('does not hold');
  });
});

function curveTrials(curves: Partial<Record<Approach, Record<number, number[]>>>): TrialRecord[] {
  return Object.entries(curves).flatMap(([approach, bySize]) =>
    Object.entries(bySize).flatMap(([size, values]) => trials(approach as Approach, Number(size), values)),
  );
}

function input(all: TrialRecord[], overrides: Partial<ClaimsInput> = {}): ClaimsInput {
  return {
    tolerance: 0.01,
    accuracy: summarize(all, 'testAccuracy'),
    comparisons: compareToScratch(all, 0.01),
    multipliers: [],
    target: { value: 0.8, source: 'user', approach: null, trainSize: null },
    timeToTarget: [],
    costPerGroup: [],
    pretrain: null,
    overfitting: [],
    sources: [],
    ...overrides,
  };
}

/** A standard normal draw (Box–Muller) from a seeded uniform stream. */
function gaussian(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/**
 * A synthetic suite with known truth: at each size and seed scratch's accuracy is base(size) plus a seed effect
 * shared with fine-tuning (the seed's training subset: sd `subsetSd`), and fine-tuning adds `lead(size)` plus its own
 * noise (sd `ownSd`). Returns the trials of both approaches.
 */
function pairedSuite(
  rng: () => number,
  sizes: readonly number[],
  seeds: number,
  lead: (size: number) => number,
  subsetSd: number,
  ownSd: number,
): TrialRecord[] {
  return sizes.flatMap((size, i) => {
    const base = 0.6 + 0.035 * i;
    const shared = Array.from({ length: seeds }, () => subsetSd * gaussian(rng));
    const scratch = shared.map((e) => base + e + ownSd * gaussian(rng));
    const finetune = shared.map((e) => base + lead(size) + e + ownSd * gaussian(rng));
    return [...trials('scratch', size, scratch), ...trials('finetune', size, finetune)];
  });
}

describe('lessDataClaim', () => {
  it('holds up to the last size where fine-tuning leads by more than the tolerance, shown by the paired tests', () => {
    // Fine-tuning +10, +5 points at 10, 100 on every seed (no spread: p = 0); +0.5 at 1,000 (within the tolerance).
    const all = curveTrials({
      scratch: { 10: [0.5, 0.52, 0.48], 100: [0.8, 0.81, 0.79], 1000: [0.95, 0.95, 0.95] },
      finetune: { 10: [0.6, 0.62, 0.58], 100: [0.85, 0.86, 0.84], 1000: [0.955, 0.955, 0.955] },
    });
    const claim = lessDataClaim(input(all));
    expect(claim.verdict).toEqual({ kind: 'holds-up-to', from: 10, upTo: 100 });
    expect(claim.checks.map((c) => c.holds)).toEqual([true, true, false]);
    expect(claim.checks[0]!.detail).toMatch(
      /^10: fine-tuning \+10\.0 points \(paired t p = 0, after Holm 0; shown\); scratch needs .*× the data/,
    );
    expect(claim.evidence).toContain('Paired t-tests on 3 seeds, Holm-corrected over 4 tests');
    expect(claim.evidence).toContain('pooled over 10–100 examples: Wilcoxon signed-rank');
  });

  it('finds a real 2-point lead with paired seeds that an unpaired comparison would call noise', () => {
    // 6 seeds; the training subset moves both approaches by ±4 points together; fine-tuning's own noise is 0.5 points
    const all = pairedSuite(createRng(3), [25, 50, 100], 6, () => 0.02, 0.04, 0.005);
    const claim = lessDataClaim(input(all));
    expect(claim.verdict).toEqual({ kind: 'holds' });
    // the unpaired view: each side's spread over seeds is about 4 points, so the means' difference is within noise
    const comparisons = compareToScratch(all, 0.01);
    const at25 = comparisons[0]!.sizes[0]!;
    expect(at25.difference!.interval!.high - at25.difference!.interval!.low).toBeLessThan(0.02);
  });

  it('does not turn a noise-level lead at one size into a range: not shown, with the seeds that would settle it', () => {
    // 3 seeds: +1.5 points at 250 with paired differences +5, −2, +1.5; level elsewhere
    const all = curveTrials({
      scratch: { 100: [0.9, 0.91, 0.92], 250: [0.93, 0.95, 0.94], 500: [0.96, 0.96, 0.97] },
      finetune: { 100: [0.9, 0.91, 0.92], 250: [0.98, 0.93, 0.955], 500: [0.96, 0.96, 0.97] },
    });
    const claim = lessDataClaim(input(all));
    expect(claim.verdict.kind).toBe('not-shown');
    expect(claim.checks.every((c) => !c.holds)).toBe(true);
    expect(claim.verdictLabel).toMatch(/^not shown with 3 seeds \(about \d+ seeds would settle it\)$/);
    expect(claim.checks[1]!.detail).toContain('not shown with 3 seeds');
  });

  it('states no range in at most about 5% of suites where fine-tuning has no lead anywhere (200 null suites)', () => {
    const rng = createRng(11);
    let ranges = 0;
    for (let suite = 0; suite < 200; suite++) {
      const all = pairedSuite(rng, [10, 25, 50, 100, 250, 500, 1000, 2000, 4000], 3, () => 0, 0.03, 0.015);
      const kind = lessDataClaim(input(all)).verdict.kind;
      if (kind !== 'does-not-hold' && kind !== 'not-shown') ranges++;
    }
    expect(ranges / 200).toBeLessThanOrEqual(0.06);
  });

  it('does not hold when scratch is level or ahead everywhere', () => {
    const all = curveTrials({
      scratch: { 10: [0.6], 100: [0.9] },
      finetune: { 10: [0.595], 100: [0.85] },
    });
    const claim = lessDataClaim(input(all));
    expect(claim.verdict).toEqual({ kind: 'does-not-hold' });
    expect(claim.evidence).toContain('never ahead of scratch by more than 1 point');
    expect(claim.evidence).toContain('no paired test (one seed)');
  });

  it('is not measured without a variant', () => {
    const claim = lessDataClaim(input(curveTrials({ scratch: { 10: [0.5] } })));
    expect(claim.verdict.kind).toBe('not-measured');
    expect(claim.evidence).toBe('No fine-tuning variant and scratch to compare.');
  });
});

/** Per-seed factors of the cost around its mean: the same for both approaches, so the per-seed ratio is constant. */
const SPREAD = [0.9, 1, 1.1];

const tt = (
  approach: Approach,
  trainSize: number,
  seconds: number | null,
  flops: number | null,
  reached = 3,
  withSelection: { seconds: number | null; flops: number | null } = { seconds, flops },
  perSeed: number[] = SPREAD,
) =>
  ({
    approach,
    trainSize,
    trials: 3,
    reached,
    meanSeconds: seconds,
    meanFlops: flops,
    meanSecondsWithSelection: withSelection.seconds,
    meanFlopsWithSelection: withSelection.flops,
    perSeed: perSeed.slice(0, reached).map((f, seed) => ({
      seed,
      secondsWithSelection: withSelection.seconds === null ? null : withSelection.seconds * f,
      flopsWithSelection: withSelection.flops === null ? null : withSelection.flops * f,
    })),
  }) satisfies TimeToTarget;

describe('time and FLOPs to the target', () => {
  const all = curveTrials({ scratch: { 10: [0.5], 100: [0.8] }, finetune: { 10: [0.6], 100: [0.85] } });

  it('holds at a size where fine-tuning gets there and scratch does not in every seed, and where it is faster', () => {
    const times = [
      tt('scratch', 10, 5, 1e9, 1),
      tt('finetune', 10, 2, 4e8),
      tt('scratch', 100, 3, 2e9),
      tt('finetune', 100, 4, 1e9),
    ];
    const faster = trainsFasterClaim(input(all, { timeToTarget: times }));
    // Faster at 10 (scratch did not get there in every seed), slower at 100: holds up to 10.
    expect(faster.verdict).toEqual({ kind: 'holds-up-to', from: 10, upTo: 10 });
    expect(faster.checks[0]!.detail).toBe(
      '10: fine-tuning 2.0 s (final run alone 2.0 s), scratch not reached in every seed (1/3)',
    );
    const compute = lessComputeClaim(input(all, { timeToTarget: times }));
    // Fewer FLOPs at both sizes: holds.
    expect(compute.verdict).toEqual({ kind: 'holds' });
    expect(compute.evidence).toContain('100: fine-tuning 1 GFLOP (final run alone 1 GFLOP), scratch 2 GFLOP');
  });

  it('decides on the cost with model selection included, and shows the final run alone beside it', () => {
    // The final runs alone say fine-tuning is faster and cheaper at both sizes; with its learning-rate candidates
    // and folds counted, it is slower and costlier at 100.
    const times = [
      tt('scratch', 10, 5, 5e9, 3, { seconds: 40, flops: 4e10 }),
      tt('finetune', 10, 2, 2e9, 3, { seconds: 20, flops: 2e10 }),
      tt('scratch', 100, 6, 6e9, 3, { seconds: 30, flops: 3e10 }),
      tt('finetune', 100, 3, 3e9, 3, { seconds: 60, flops: 6e10 }),
    ];
    const faster = trainsFasterClaim(input(all, { timeToTarget: times }));
    expect(faster.verdict).toEqual({ kind: 'holds-up-to', from: 10, upTo: 10 });
    expect(faster.checks[1]!.detail).toMatch(
      /^100: fine-tuning 60\.0 s \(final run alone 3\.0 s\), scratch 30\.0 s \(final run alone 6\.0 s\); ratio ×2\.00/,
    );
    expect(faster.measurement).toContain('model selection included');
    const compute = lessComputeClaim(input(all, { timeToTarget: times }));
    expect(compute.verdict).toEqual({ kind: 'holds-up-to', from: 10, upTo: 10 });
  });

  it('decides by the paired seeds’ spread, not a fixed margin: 5% less on every seed holds, 11% less in noise does not', () => {
    const times = [
      tt('scratch', 10, 5, 5e9, 3, { seconds: 100, flops: 1e11 }),
      tt('finetune', 10, 2, 2e9, 3, { seconds: 95, flops: 9.5e10 }),
      tt('scratch', 100, 6, 6e9, 3, { seconds: 100, flops: 1e11 }, [1, 1, 1]),
      // mean 89, per seed 60, 120, 87 against 100: ratios 0.6, 1.2, 0.87
      tt('finetune', 100, 3, 3e9, 3, { seconds: 89, flops: 8.9e10 }, [60 / 89, 120 / 89, 87 / 89]),
    ];
    const faster = trainsFasterClaim(input(all, { timeToTarget: times }));
    expect(faster.verdict).toEqual({ kind: 'holds-up-to', from: 10, upTo: 10 });
    expect(faster.checks[0]!.detail).toContain('ratio ×0.95');
    expect(faster.checks[1]!.detail).toMatch(
      /ratio ×0\.\d\d, 95% interval ×0\.\d\d to ×[12]\.\d\d \(paired t on log ratio p = /,
    );
    expect(faster.measurement).toContain('this run’s timing');
    expect(faster.evidence).toContain('Wall times are this run’s');
    expect(lessComputeClaim(input(all, { timeToTarget: times })).verdict).toEqual({
      kind: 'holds-up-to',
      from: 10,
      upTo: 10,
    });
  });

  it('is "not shown" when fine-tuning is cheaper on average but not beyond the seeds’ noise anywhere', () => {
    const times = [
      tt('scratch', 100, 6, 6e9, 3, { seconds: 100, flops: 1e11 }, [1, 1, 1]),
      tt('finetune', 100, 3, 3e9, 3, { seconds: 89, flops: 8.9e10 }, [60 / 89, 120 / 89, 87 / 89]),
    ];
    const faster = trainsFasterClaim(input(all, { timeToTarget: times }));
    expect(faster.verdict.kind).toBe('not-shown');
    expect(faster.verdictLabel).toMatch(/^not shown with 3 seeds/);
  });

  it('does not decide on the final run when the trials recorded no whole-trial cost', () => {
    const times = [
      tt('scratch', 10, 5, 5e9, 3, { seconds: 40, flops: null }),
      tt('finetune', 10, 2, 2e9, 3, { seconds: null, flops: null }),
    ];
    const faster = trainsFasterClaim(input(all, { timeToTarget: times }));
    expect(faster.verdict).toEqual({ kind: 'does-not-hold' });
    expect(faster.checks[0]!.detail).toBe(
      '10: fine-tuning no wall time recorded, scratch 40.0 s (final run alone 5.0 s)',
    );
    const compute = lessComputeClaim(input(all, { timeToTarget: times }));
    expect(compute.verdict.kind).toBe('not-measured');
    expect(compute.evidence).toBe(
      'The trials that reached 80.0% validation accuracy did not record their FLOPs and steps, so their cost with model selection is unknown.',
    );
  });

  it('reports pretraining separately, amortised', () => {
    const times = [tt('scratch', 10, 5, 1e9), tt('finetune', 10, 2, 4e8)];
    const pretrain = {
      sourceDescription: 'digits',
      cacheKey: 'k',
      reused: false,
      wallSeconds: 30,
      trainFlops: 6e12,
      sourceTestAccuracy: 0.97,
      fineTuningTrials: 6,
      amortisedWallSeconds: 5,
      amortisedTrainFlops: 1e12,
    };
    const claim = trainsFasterClaim(input(all, { timeToTarget: times, pretrain }));
    expect(claim.evidence).toContain('Pretraining, not counted above, took 30.0 s (5.0 s per fine-tuning trial');
  });

  it('is not measured when nobody reaches the target', () => {
    const claim = trainsFasterClaim(
      input(all, { timeToTarget: [tt('scratch', 10, null, null, 0), tt('finetune', 10, null, null, 0)] }),
    );
    expect(claim.verdict.kind).toBe('not-measured');
    expect(claim.evidence).toContain('reached 80.0% validation accuracy in every seed at any size');
  });
});

const gap = (approach: Approach, trainSize: number, meanGap: number): OverfittingGap => ({
  approach,
  trainSize,
  n: 3,
  meanTrainAccuracy: 1,
  meanValAccuracy: 1 - meanGap,
  meanGap,
});

describe('overfittingClaim', () => {
  const all = curveTrials({
    scratch: { 10: [0.5], 100: [0.8], 1000: [0.9] },
    finetune: { 10: [0.6], 100: [0.85], 1000: [0.9] },
  });

  it('holds where fine-tuning’s train–validation gap exceeds scratch’s by more than the tolerance', () => {
    const overfitting = [
      gap('scratch', 10, 0.2),
      gap('finetune', 10, 0.3),
      gap('scratch', 100, 0.1),
      gap('finetune', 100, 0.105),
      gap('scratch', 1000, 0.02),
      gap('finetune', 1000, 0.05),
    ];
    const claim = overfittingClaim(input(all, { overfitting }));
    expect(claim.checks.map((c) => c.holds)).toEqual([true, false, true]);
    expect(claim.verdict).toEqual({ kind: 'mixed', holdsAt: [10, 1000], checked: 3 });
    expect(claim.evidence).toContain('At 10: gap 30.0 points for fine-tuning, 20.0 for scratch.');
  });

  it('does not hold when fine-tuning overfits less', () => {
    const overfitting = [gap('scratch', 10, 0.3), gap('finetune', 10, 0.1)];
    expect(overfittingClaim(input(all, { overfitting })).verdict).toEqual({ kind: 'does-not-hold' });
  });
});

describe('sourceRelevanceClaim', () => {
  it('is not measured with one source, and says what would measure it', () => {
    const claim = sourceRelevanceClaim(input([]));
    expect(claim.verdict.kind).toBe('not-measured');
    expect(claim.evidence).toMatch(/^This suite has one source; a suite naming several sources/);
  });

  const results = (
    source: string,
    bySize: Record<number, Partial<Record<'finetune' | 'linear-probe', number[]>>>,
  ): SourceResults => ({
    source,
    accuracies: Object.entries(bySize).flatMap(([size, byApproach]) =>
      Object.entries(byApproach).map(([approach, values]) => ({
        approach: approach as 'finetune' | 'linear-probe',
        trainSize: Number(size),
        values: values!,
        seeds: values!.map((_, seed) => seed),
      })),
    ),
  });

  it('holds up to the last size where the best source is clearly ahead of the worst (each at its best approach)', () => {
    const near = results('near', {
      20: { finetune: [0.8, 0.82, 0.78], 'linear-probe': [0.6, 0.6, 0.6] },
      100: { finetune: [0.9, 0.91, 0.89] },
      1000: { finetune: [0.97, 0.97, 0.971] },
    });
    // far's best approach at 20 is the linear probe (0.7): the claim compares each source at its best.
    const far = results('far', {
      20: { finetune: [0.5, 0.52, 0.48], 'linear-probe': [0.7, 0.71, 0.69] },
      100: { finetune: [0.85, 0.86, 0.84] },
      1000: { finetune: [0.968, 0.97, 0.969] },
    });
    const scratch = curveTrials({ scratch: { 20: [0.4, 0.4, 0.4], 100: [0.8, 0.8, 0.8], 1000: [0.96, 0.96, 0.96] } });
    const claim = sourceRelevanceClaim(input(scratch, { sources: [near, far] }));
    expect(claim.checks.map((c) => c.holds)).toEqual([true, true, false]);
    expect(claim.verdict).toEqual({ kind: 'holds-up-to', from: 20, upTo: 100 });
    expect(claim.verdictLabel).toBe('holds up to 100 examples');
    expect(claim.checks[0]!.detail).toMatch(
      /^20: near \(finetune\) 80\.0%, far \(linear-probe\) 70\.0%, 10\.0 points apart/,
    );
    expect(claim.checks[0]!.detail).toMatch(/scratch 40\.0%$/);
  });

  it('is not shown when the sources differ by more than the tolerance but seed noise could explain it', () => {
    const a = results('a', { 20: { finetune: [0.9, 0.6, 0.75] } });
    const b = results('b', { 20: { finetune: [0.7, 0.65, 0.68] } });
    const claim = sourceRelevanceClaim(input([], { sources: [a, b] }));
    expect(claim.checks[0]!.holds).toBe(false);
    expect(claim.verdict).toMatchObject({ kind: 'not-shown', seeds: 3 });
    expect(claim.checks[0]!.detail).toMatch(/paired t p = 0\.\d{3}, after Holm 0\.\d{3}, 3 seeds/);
  });

  it('is not shown with one seed (no interval, no test), and says so', () => {
    const a = results('a', { 20: { finetune: [0.9] } });
    const b = results('b', { 20: { finetune: [0.5] } });
    const claim = sourceRelevanceClaim(input([], { sources: [a, b] }));
    expect(claim.verdict).toEqual({ kind: 'not-shown', seeds: 1, seedsNeeded: null });
    expect(claim.checks[0]!.detail).toMatch(/no interval: fewer than two seeds; one seed: no test/);
  });

  it('compares the best source with the worst among three, and only at sizes every source has', () => {
    const a = results('a', { 20: { finetune: [0.9, 0.91, 0.89] }, 100: { finetune: [0.95, 0.95, 0.951] } });
    const b = results('b', { 20: { finetune: [0.85, 0.86, 0.84] }, 100: { finetune: [0.95, 0.951, 0.95] } });
    const c = results('c', { 20: { finetune: [0.6, 0.61, 0.59] } });
    const claim = sourceRelevanceClaim(input([], { sources: [a, b, c] }));
    expect(claim.checks.map((x) => x.trainSize)).toEqual([20]);
    expect(claim.checks[0]!.detail).toMatch(/^20: a \(finetune\) 90\.0%, c \(finetune\) 60\.0%/);
    expect(claim.verdict).toEqual({ kind: 'holds' });
  });

  /** Sources with a known effect on accuracy: a seed's subset shifts every source alike (shared), plus own noise. */
  const simulatedSources = (
    rng: () => number,
    effects: Record<string, number>,
    sizes: number[],
    seeds: number,
    shared: number,
    own: number,
  ): SourceResults[] => {
    const subset = sizes.map(() => Array.from({ length: seeds }, () => gaussian(rng) * shared));
    return Object.entries(effects).map(([source, effect]) => ({
      source,
      accuracies: sizes.map((trainSize, k) => {
        const values = subset[k]!.map((s) => 0.8 + effect + s + gaussian(rng) * own);
        return { approach: 'finetune' as const, trainSize, values, seeds: values.map((_, seed) => seed) };
      }),
    }));
  };

  it('finds a real 2-point difference between sources with paired seeds, which an unpaired test misses', () => {
    const rng = createRng(11);
    const sources = simulatedSources(rng, { near: 0.02, far: 0 }, [20, 50, 100], 5, 0.03, 0.003);
    const claim = sourceRelevanceClaim(input([], { sources }));
    expect(claim.verdict).toEqual({ kind: 'holds' });
    expect(claim.evidence).toMatch(/Paired t-tests on 5 seeds, Holm-corrected over 3 sizes/);
    // the seeds' shared spread (3 points) hides the 2-point difference from a test that does not pair them
    const unpaired = [20, 50, 100].map((size) => {
      const at = (i: number) => sources[i]!.accuracies.find((a) => a.trainSize === size)!.values;
      return welchDifference(at(0), at(1)).significant;
    });
    expect(unpaired).toContain(false);
  });

  it('holds at some size in at most 5% (plus simulation error) of suites where three sources are equally good', () => {
    const rng = createRng(12);
    const suites = 200;
    let holding = 0;
    let ahead = 0;
    for (let i = 0; i < suites; i++) {
      const sources = simulatedSources(rng, { a: 0, b: 0, c: 0 }, [20, 50, 100, 200], 3, 0.03, 0.01);
      const claim = sourceRelevanceClaim(input([], { sources }));
      if (claim.checks.some((c) => c.holds)) holding++;
      if (claim.verdict.kind === 'not-shown') ahead++;
    }
    // the best and the worst of three sources are more than a point apart in most suites: noise, never a range
    expect(ahead).toBeGreaterThan(suites / 2);
    expect(holding / suites).toBeLessThanOrEqual(0.05 + 2 * Math.sqrt((0.05 * 0.95) / suites));
  });

  it('is not measured while no size has transfer trials from every source', () => {
    const a = results('a', { 20: { finetune: [0.9, 0.91] } });
    const b = results('b', {});
    expect(sourceRelevanceClaim(input([], { sources: [a, b] })).verdict.kind).toBe('not-measured');
  });
});

const cost = (approach: Approach, trainSize: number, flops: number): GroupCost => ({
  approach,
  trainSize,
  wallSeconds: { approach, trainSize, ...summary([flops / 1e9]) },
  trainFlops: { approach, trainSize, ...summary([flops]) },
  trainFlopsWithSelection: { approach, trainSize, ...summary([flops]) },
});

describe('partialBalancesClaim', () => {
  it('holds where partial is within the tolerance of full fine-tuning at a lower cost', () => {
    const all = curveTrials({
      finetune: { 10: [0.6], 100: [0.85], 1000: [0.95] },
      partial: { 10: [0.595], 100: [0.8], 1000: [0.96] },
    });
    const costPerGroup = [
      cost('finetune', 10, 2e9),
      cost('partial', 10, 1e9),
      cost('finetune', 100, 2e10),
      cost('partial', 100, 1e10),
      cost('finetune', 1000, 2e11),
      cost('partial', 1000, 1e11),
    ];
    const claim = partialBalancesClaim(input(all, { costPerGroup }));
    // −0.5 (within 1 point) and cheaper at 10; −5 points at 100; ahead and cheaper at 1,000.
    expect(claim.checks.map((c) => c.holds)).toEqual([true, false, true]);
    expect(claim.checks[0]!.detail).toBe('10: partial −0.5 points against full, at 50% of its FLOPs');
    expect(claim.verdict).toEqual({ kind: 'mixed', holdsAt: [10, 1000], checked: 3 });
  });

  it('does not hold when partial costs as much', () => {
    const all = curveTrials({ finetune: { 10: [0.6] }, partial: { 10: [0.6] } });
    const claim = partialBalancesClaim(
      input(all, { costPerGroup: [cost('finetune', 10, 1e9), cost('partial', 10, 1e9)] }),
    );
    expect(claim.verdict).toEqual({ kind: 'does-not-hold' });
  });

  it('is not measured without both approaches', () => {
    expect(partialBalancesClaim(input(curveTrials({ finetune: { 10: [0.6] } }))).verdict.kind).toBe('not-measured');
  });
});

describe('checkClaims', () => {
  it('checks the six claims in order', () => {
    expect(checkClaims(input([])).map((c) => c.id)).toEqual([
      'less-data',
      'trains-faster',
      'less-compute',
      'overfits-small-data',
      'source-relevance',
      'partial-balances',
    ]);
  });
});
