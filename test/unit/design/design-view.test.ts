import { describe, expect, it } from 'vitest';
import { nextRound, type AdaptiveSettings } from '../../../benchmarks/design/adaptive-design.js';
import type { DesignTrial } from '../../../benchmarks/design/design-evidence.js';
import { designView } from '../../../benchmarks/design/design-view.js';

/** Fine-tuning 4 points ahead at 20 examples, level from about 200: accuracy by approach, size and seed. */
function accuracy(approach: string, n: number, seed: number): number {
  const lead = approach === 'finetune' ? 0.04 * Math.max(0, 1 - Math.log(n / 20) / Math.log(10)) : 0;
  return 0.98 - 1.2 / Math.sqrt(n) + lead + ((seed * 7919 + n) % 13) * 0.0007;
}

const SETTINGS: AdaptiveSettings = {
  minSize: 20,
  maxSize: 2000,
  arms: [{ approach: 'scratch' }, { approach: 'finetune' }],
  seeds: [0, 1, 2],
  budgetSeconds: 600,
};

function train(t: { approach: DesignTrial['approach']; trainSize: number; seed: number }): DesignTrial {
  return { ...t, testAccuracy: accuracy(t.approach, t.trainSize, t.seed), costSeconds: t.trainSize / 100 };
}

describe('the design as the app shows it', () => {
  it('lists each round with its sizes, reasons and stored trials, the round in progress, and the stop', () => {
    const stored: DesignTrial[] = [];
    const zero = nextRound(SETTINGS, stored);
    if (zero.kind !== 'add') throw new Error('round 0 adds the coarse sizes');
    stored.push(...zero.trials.map(train));
    const one = nextRound(SETTINGS, stored);
    if (one.kind !== 'add') throw new Error('round 1 should refine this crossover');
    // round 1 half stored: the view shows it in progress
    stored.push(...one.trials.slice(0, 2).map(train));
    const partway = designView(SETTINGS, stored);
    expect(partway.stop).toBeNull();
    expect(partway.rounds).toHaveLength(2);
    expect(partway.rounds[0]).toEqual({
      round: 0,
      reasons: zero.reasons,
      trials: zero.trials.length,
      stored: zero.trials.length,
      sizes: [20, 93, 431, 2000],
    });
    expect(partway.rounds[1]).toMatchObject({ round: 1, reasons: one.reasons, trials: one.trials.length, stored: 2 });
    expect(partway.trialsRun).toBe(zero.trials.length + 2);
    // the ×1.6 grid over 20..2000: 11 sizes × 3 seeds × 2 approaches, its cost at the seconds per example run here
    expect(partway.grid.trials).toBe(66);
    expect(partway.grid.sizes).toHaveLength(11);
    const spent = stored.reduce((s, t) => s + t.costSeconds!, 0);
    expect(partway.spentSeconds).toBeCloseTo(spent, 9);
    expect(partway.grid.estimatedSeconds).toBeCloseTo((partway.grid.sizes.reduce((s, n) => s + n, 0) * 6) / 100, 6);
    expect(partway.budgetSeconds).toBe(600);

    // run to the end: the stop and its reason, every round fully stored
    stored.push(...one.trials.slice(2).map(train));
    for (let round = 2; round < 40; round++) {
      const step = nextRound(SETTINGS, stored);
      if (step.kind === 'stop') break;
      stored.push(...step.trials.map(train));
    }
    const done = designView(SETTINGS, stored);
    const last = nextRound(SETTINGS, stored);
    expect(last.kind).toBe('stop');
    if (last.kind !== 'stop') return;
    expect(done.stop).toEqual({ kind: last.stop, reason: last.reason });
    expect(done.rounds.every((r) => r.stored === r.trials)).toBe(true);
    expect(done.rounds.reduce((s, r) => s + r.trials, 0)).toBe(stored.length);
  });

  it('is empty of rounds but round 0 for a suite with no trials yet', () => {
    const view = designView(SETTINGS, []);
    expect(view.rounds).toHaveLength(1);
    expect(view.rounds[0]).toMatchObject({ round: 0, stored: 0, sizes: [20, 93, 431, 2000] });
    expect(view.stop).toBeNull();
    expect(view.grid.estimatedSeconds).toBeNull();
  });
});
