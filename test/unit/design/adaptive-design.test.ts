import { describe, expect, it } from 'vitest';
import type { Approach } from '../../../benchmarks/domain.js';
import { createRng, deriveSeed } from '../../../benchmarks/datasets/seeded-random.js';
import {
  coarseSizes,
  fullGridSizes,
  nextRound,
  SIZE_STEP,
  type AdaptiveSettings,
  type DesignStep,
} from '../../../benchmarks/design/adaptive-design.js';
import { gatherEvidence, type DesignTrial } from '../../../benchmarks/design/design-evidence.js';
import { pendingTrials, replayDesign } from '../../../benchmarks/design/design-history.js';
import { fittedCrossing } from '../../../benchmarks/design/fitted-crossover.js';

/** A synthetic suite: power-law learning curves with a known crossover, and seeded noise. */
interface Truth {
  curves: Partial<Record<Approach, (n: number) => number>>;
  /** Spread of a seed's effect shared by every approach (the subset made it easy or hard). */
  sharedNoise: number;
  /** Spread of each trial's own noise. */
  trialNoise: number;
  /** Seconds a trial costs per example. */
  secondsPerExample: number;
}

const APPROACH_CODE: Record<Approach, number> = { scratch: 1, finetune: 2, 'linear-probe': 3, partial: 4 };

function gaussian(seed: number): number {
  const rng = createRng(seed);
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

function simulate(truth: Truth, key: { approach: Approach; trainSize: number; seed: number }): DesignTrial {
  const shared = gaussian(deriveSeed(key.seed * 100_003 + key.trainSize, 7)) * truth.sharedNoise;
  const own =
    gaussian(deriveSeed(key.seed * 100_003 + key.trainSize, 100 + APPROACH_CODE[key.approach])) * truth.trialNoise;
  const accuracy = Math.min(1, Math.max(0, truth.curves[key.approach]!(key.trainSize) + shared + own));
  return { ...key, testAccuracy: accuracy, costSeconds: key.trainSize * truth.secondsPerExample };
}

/** Runs the design to its stop, as the runner would: each round's trials are "trained" (simulated) and stored. */
function runDesign(settings: AdaptiveSettings, truth: Truth) {
  const stored: DesignTrial[] = [];
  const steps: DesignStep[] = [];
  for (let round = 0; round < 60; round++) {
    const step = nextRound(settings, stored);
    steps.push(step);
    if (step.kind === 'stop') return { stored, steps };
    expect(step.trials.length).toBeGreaterThan(0);
    stored.push(...step.trials.map((t) => simulate(truth, t)));
  }
  throw new Error('the design did not stop within 60 rounds');
}

// scratch catches up with fine-tuning where 0.3/√n = 0.01 (the tolerance): n = 900
const CROSSOVER_TRUTH: Truth = {
  curves: { scratch: (n) => 0.97 - 1.0 / Math.sqrt(n), finetune: (n) => 0.97 - 0.7 / Math.sqrt(n) },
  sharedNoise: 0.01,
  trialNoise: 0.002,
  secondsPerExample: 0.01,
};
const TRUE_CROSSOVER = 900;
const ARMS = [{ approach: 'scratch' as const }, { approach: 'finetune' as const }];
const SETTINGS: AdaptiveSettings = { minSize: 20, maxSize: 5000, arms: ARMS, seeds: [0, 1, 2, 3, 4, 5] };

function fullGridTrials(settings: AdaptiveSettings): number {
  return fullGridSizes(settings.minSize, settings.maxSize).length * settings.seeds.length * settings.arms.length;
}

describe('adaptive design', () => {
  it('starts with coarse sizes about ×4 apart and two seeds', () => {
    expect(coarseSizes(20, 5000)).toEqual([20, 80, 316, 1257, 5000]);
    const step = nextRound(SETTINGS, []);
    expect(step.kind).toBe('add');
    if (step.kind !== 'add') return;
    expect(step.trials).toHaveLength(5 * 2 * 2);
    expect(new Set(step.trials.map((t) => t.seed))).toEqual(new Set([0, 1]));
    expect(step.reasons[0]).toContain('round 0');
  });

  it('finds a known crossover within one ×1.6 step, stops as settled, on a fraction of the full grid', () => {
    const { stored, steps } = runDesign(SETTINGS, CROSSOVER_TRUTH);
    const last = steps.at(-1)!;
    expect(last.kind).toBe('stop');
    if (last.kind !== 'stop') return;
    expect(last.stop).toBe('settled');
    const [evidence] = gatherEvidence(stored, [{ approach: 'finetune' }], 0.01, 200, 1);
    const { low, high } = evidence!.crossover!;
    expect(low).not.toBeNull();
    expect(high).not.toBeNull();
    expect(high! / low!).toBeLessThanOrEqual(SIZE_STEP + 1e-9);
    // the true crossover lies in the bracket, or at most one ×1.6 step outside it
    expect(TRUE_CROSSOVER).toBeGreaterThan(low! / SIZE_STEP);
    expect(TRUE_CROSSOVER).toBeLessThanOrEqual(high! * SIZE_STEP);
    const added = steps.flatMap((s) => (s.kind === 'add' ? s.reasons : []));
    expect(added.some((r) => /crossover lies between/.test(r))).toBe(true);
    const fraction = stored.length / fullGridTrials(SETTINGS);
    console.log(
      `synthetic crossover at ${TRUE_CROSSOVER}: found between ${low} and ${high} in ${steps.length - 1} rounds, ` +
        `${stored.length} trials of a full grid of ${fullGridTrials(SETTINGS)} (${(fraction * 100).toFixed(0)}%); ${last.reason}`,
    );
    for (const r of added) console.log(`  ${r}`);
    expect(fraction).toBeLessThan(0.5);
  });

  it('reads the crossing of two power laws where the lead comes down to the tolerance', () => {
    const scratch = { a: 1, b: 0.5, c: 0.03 };
    const finetune = { a: 0.7, b: 0.5, c: 0.03 };
    const c = fittedCrossing(finetune, scratch, 20, 5000, 0.01);
    expect(c.kind).toBe('at');
    if (c.kind === 'at') expect(c.size).toBeCloseTo(TRUE_CROSSOVER, -1);
    expect(fittedCrossing(finetune, scratch, 1000, 5000, 0.01)).toEqual({ kind: 'at-or-below' });
    expect(fittedCrossing(finetune, scratch, 20, 500, 0.01)).toEqual({ kind: 'not-reached' });
  });

  it('locates the crossover on the fitted curves between the sizes run, and adds a size there', () => {
    // round 0 runs 20, 80, 316, 1,257 and 5,000: the observed means put the crossover at 1,257, the fits near 900
    const roundZero = nextRound(SETTINGS, []);
    if (roundZero.kind !== 'add') throw new Error('round 0 adds trials');
    const stored = roundZero.trials.map((t) => simulate(CROSSOVER_TRUTH, t));
    const [evidence] = gatherEvidence(stored, [{ approach: 'finetune' }], 0.01, 200, 1);
    expect(evidence!.crossover).toEqual({ low: 316, high: 1257 });
    const fitted = evidence!.fitted!;
    expect(fitted.crossing.kind).toBe('at');
    expect(fitted.size).toBeGreaterThan(316);
    expect(fitted.size).toBeLessThan(1257);
    // within one ×1.6 step of the truth, and inside its own 90% interval
    expect(fitted.size).toBeGreaterThan(TRUE_CROSSOVER / SIZE_STEP);
    expect(fitted.size).toBeLessThan(TRUE_CROSSOVER * SIZE_STEP);
    expect(fitted.low).toBeLessThanOrEqual(fitted.size);
    expect(fitted.high).toBeGreaterThanOrEqual(fitted.size);
    const next = nextRound(SETTINGS, stored);
    if (next.kind !== 'add') throw new Error('the crossover is not located yet');
    const sizes = new Set(next.trials.map((t) => t.trainSize));
    expect([...sizes].some((s) => s > 316 && s < 1257)).toBe(true);
    expect(next.reasons.some((r) => /crossover lies between 316 and 1,257 on the fitted curves/.test(r))).toBe(true);
  });

  it('adds a seed where a difference is near the significance boundary, none where differences are clear', () => {
    const near: Truth = {
      curves: { scratch: () => 0.8, finetune: () => 0.82 },
      sharedNoise: 0.01,
      trialNoise: 0.012,
      secondsPerExample: 0.01,
    };
    const clear: Truth = { ...near, curves: { scratch: () => 0.6, finetune: () => 0.9 }, trialNoise: 0.002 };
    const settings: AdaptiveSettings = { ...SETTINGS, minSize: 100, maxSize: 400, seeds: [0, 1, 2, 3, 4, 5, 6, 7] };
    const seedReasons = (truth: Truth) =>
      runDesign(settings, truth)
        .steps.flatMap((s) => (s.kind === 'add' ? s.reasons : []))
        .filter((r) => r.startsWith('seed'));
    const nearReasons = seedReasons(near);
    expect(nearReasons.length).toBeGreaterThan(0);
    expect(nearReasons[0]).toMatch(/near the significance boundary|significant only just/);
    expect(seedReasons(clear)).toEqual([]);
  });

  it('adds nothing where every approach is within the tolerance with a tight interval', () => {
    const same: Truth = {
      curves: { scratch: (n) => 0.9 - 0.3 / Math.sqrt(n), finetune: (n) => 0.9 - 0.3 / Math.sqrt(n) },
      sharedNoise: 0.01,
      trialNoise: 0.001,
      secondsPerExample: 0.01,
    };
    const { steps } = runDesign(SETTINGS, same);
    expect(steps).toHaveLength(2);
    expect(steps[1]).toMatchObject({ kind: 'stop', stop: 'settled' });
  });

  it('gives the same additions for the same stored trials, in any order', () => {
    const { stored } = runDesign({ ...SETTINGS, budgetSeconds: null }, CROSSOVER_TRUTH);
    const partial = stored.slice(0, 28);
    const a = nextRound(SETTINGS, partial);
    const shuffled = [...partial];
    const rng = createRng(3);
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    expect(nextRound(SETTINGS, shuffled)).toEqual(a);
    expect(a.kind).toBe('add');
  });

  it('stops when the budget is spent, and says so', () => {
    // a budget between what round 0 costs and what the whole design costs without one
    const cost = (trials: readonly DesignTrial[]) => trials.reduce((s, t) => s + t.costSeconds!, 0);
    const unbudgeted = runDesign(SETTINGS, CROSSOVER_TRUTH);
    const roundZeroCost = cost(
      unbudgeted.stored.slice(0, (unbudgeted.steps[0] as { trials: unknown[] }).trials.length),
    );
    const budget = (roundZeroCost + cost(unbudgeted.stored)) / 2;
    const settings = { ...SETTINGS, budgetSeconds: budget };
    const { stored, steps } = runDesign(settings, CROSSOVER_TRUTH);
    const last = steps.at(-1)!;
    expect(last).toMatchObject({ kind: 'stop', stop: 'budget' });
    const spent = stored.reduce((s, t) => s + t.costSeconds!, 0);
    // round 0 is run whole; later rounds only as far as the budget is expected to pay
    const roundZero = (steps[0] as Extract<DesignStep, { kind: 'add' }>).trials.length;
    expect(stored.length).toBeGreaterThan(roundZero);
    // later rounds are cut to what the budget is expected to pay for (cost ∝ size here, as the estimate assumes)
    expect(spent).toBeLessThanOrEqual(budget + 1e-9);
    expect(last.kind === 'stop' && last.reason).toMatch(/^budget/);
  });

  it('replays the rounds from the stored trials, and a run stopped mid-round resumes with the same design', () => {
    const { stored, steps } = runDesign(SETTINGS, CROSSOVER_TRUTH);
    const rounds = replayDesign(SETTINGS, stored);
    expect(rounds.map((r) => r.step)).toEqual(steps);
    // killed mid-round: round 2's trials half stored
    const upToRound1 = steps.slice(0, 2).flatMap((s) => (s.kind === 'add' ? s.trials : []));
    const round2 = steps[2]!;
    expect(round2.kind).toBe('add');
    if (round2.kind !== 'add') return;
    const half = round2.trials.slice(0, Math.floor(round2.trials.length / 2));
    const interrupted = [...upToRound1, ...half].map((t) => simulate(CROSSOVER_TRUTH, t));
    const pending = pendingTrials(SETTINGS, interrupted);
    expect(pending).toEqual(round2.trials.slice(half.length));
    // finishing those and continuing ends with the uninterrupted design
    const resumed = [...interrupted, ...pending.map((t) => simulate(CROSSOVER_TRUTH, t))];
    let next = nextRound(SETTINGS, resumed);
    while (next.kind === 'add') {
      resumed.push(...next.trials.map((t) => simulate(CROSSOVER_TRUTH, t)));
      next = nextRound(SETTINGS, resumed);
    }
    expect(next).toEqual(steps.at(-1));
    expect(resumed.length).toBe(stored.length);
  });

  it('refuses settings without scratch or with fewer than two seeds', () => {
    expect(() => nextRound({ ...SETTINGS, arms: [{ approach: 'finetune' }] }, [])).toThrow(/scratch/);
    expect(() => nextRound({ ...SETTINGS, seeds: [4] }, [])).toThrow(/at least 2 different seeds/);
  });
});
