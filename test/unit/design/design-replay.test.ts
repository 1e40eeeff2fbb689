import { describe, expect, it } from 'vitest';
import type { Approach } from '../../../benchmarks/domain.js';
import { leadEvidence, verdictFromChecks } from '../../../benchmarks/analysis/claims.js';
import { createRng, deriveSeed } from '../../../benchmarks/datasets/seeded-random.js';
import { fullGridSizes, nextRound, type AdaptiveSettings } from '../../../benchmarks/design/adaptive-design.js';
import { gatherEvidence, trialKeyText, type DesignTrial } from '../../../benchmarks/design/design-evidence.js';
import { replayOverGrid } from '../../../benchmarks/design/design-replay.js';
import { verdictRound } from '../../../benchmarks/design/verdict-design.js';

/** Power-law learning curves with seeded noise (a seed's shared effect and each trial's own), as in adaptive-design.test. */
const CURVES: Partial<Record<Approach, (n: number) => number>> = {
  scratch: (n) => 0.97 - 1.0 / Math.sqrt(n),
  // 0.3/√n ahead: 6.7 points at 20 examples, within the 1-point tolerance from 900 on
  finetune: (n) => 0.97 - 0.7 / Math.sqrt(n),
};
const CODE: Record<Approach, number> = { scratch: 1, finetune: 2, 'linear-probe': 3, partial: 4 };

function gaussian(seed: number): number {
  const rng = createRng(seed);
  return Math.sqrt(-2 * Math.log(Math.max(rng(), 1e-12))) * Math.cos(2 * Math.PI * rng());
}

function train(key: { approach: Approach; trainSize: number; seed: number }): DesignTrial {
  const base = key.seed * 100_003 + key.trainSize;
  const accuracy = CURVES[key.approach]!(key.trainSize) + gaussian(deriveSeed(base, 7)) * 0.01;
  const own = gaussian(deriveSeed(base, 100 + CODE[key.approach])) * 0.004;
  return { ...key, testAccuracy: accuracy + own, costSeconds: 1 + key.trainSize / 100 };
}

const SIZES = fullGridSizes(20, 5000);
const SETTINGS: AdaptiveSettings = {
  minSize: 20,
  maxSize: 5000,
  arms: [{ approach: 'scratch' }, { approach: 'finetune' }],
  seeds: [0, 1, 2, 3],
  candidateSizes: SIZES,
};
const GRID: DesignTrial[] = SIZES.flatMap((trainSize) =>
  SETTINGS.seeds.flatMap((seed) => SETTINGS.arms.map((arm) => train({ ...arm, trainSize, seed }))),
);
const cost = (ts: readonly DesignTrial[]) => ts.reduce((s, t) => s + t.costSeconds!, 0);

/** The less-data claim's verdict (its own test and verdict function) and the crossover of the mean curves. */
function answer(trials: readonly DesignTrial[]) {
  const [e] = gatherEvidence(trials, [{ approach: 'finetune' }], 0.01, 0, 0);
  const stats = leadEvidence(e!.differences, 0.01);
  const checks = stats.sizes.map((s) => ({
    trainSize: s.trainSize,
    holds: s.evidence === 'shown' || s.evidence === 'shown-pooled',
    detail: '',
  }));
  return { verdict: verdictFromChecks(checks), crossover: e!.crossover };
}

describe('an adaptive design replayed over a stored grid', () => {
  it('chooses the same trials as the same design run trial by trial (trials are deterministic)', () => {
    const replay = replayOverGrid(SETTINGS, GRID);
    const run: DesignTrial[] = [];
    for (;;) {
      const step = nextRound(SETTINGS, run);
      if (step.kind === 'stop') break;
      run.push(...step.trials.map(({ reason: _reason, ...key }) => train(key)));
    }
    expect(replay.chosen).toEqual(run);
    expect(replay.steps.at(-1)!.kind).toBe('stop');
    // every size it ran is one of the grid's
    expect(replay.chosen.every((t) => SIZES.includes(t.trainSize))).toBe(true);
  });

  it('refuses a grid without a trial the design asks for, naming it', () => {
    const holey = GRID.filter((t) => !(t.trainSize === 20 && t.seed === 1 && t.approach === 'finetune'));
    expect(() => replayOverGrid(SETTINGS, holey)).toThrow(
      "round 0 asks for trials the stored grid does not hold (finetune|20|1): give the design the grid's sizes as candidateSizes and its seeds",
    );
  });

  it('the claims-targeted design reaches the grid’s lead and crossover on synthetic curves, on part of its compute', () => {
    const replay = replayOverGrid(SETTINGS, GRID, verdictRound);
    const share = cost(replay.chosen) / cost(GRID);
    const stop = replay.steps.at(-1)!;
    console.log(
      `claims-targeted design on synthetic curves: ${replay.chosen.length} of ${GRID.length} trials, ${(share * 100).toFixed(0)}% of the compute; ${stop.kind === 'stop' ? stop.reason : ''}`,
    );
    expect(answer(replay.chosen)).toEqual(answer(GRID));
    expect(share).toBeLessThan(0.6);
    // and the product's design, on the same grid
    const product = replayOverGrid(SETTINGS, GRID);
    console.log(
      `product design on synthetic curves: ${product.chosen.length} trials, ${((cost(product.chosen) / cost(GRID)) * 100).toFixed(0)}% of the compute`,
    );
    expect(new Set(replay.chosen.map(trialKeyText)).size).toBe(replay.chosen.length);
  });
});
