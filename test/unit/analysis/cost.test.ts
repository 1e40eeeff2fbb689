import { describe, expect, it } from 'vitest';
import {
  costPerGroup,
  defaultTargetAccuracy,
  pretrainCost,
  timeToTarget,
  trialFlopsWithSelection,
} from '../../../benchmarks/analysis/cost.js';
import type { PretrainRecord } from '../../../benchmarks/domain.js';
import { epochRow, trial, trials } from '../../support/records.js';

describe('costPerGroup', () => {
  it('summarises wall time and FLOPs per approach and size over done trials', () => {
    const input = [
      trial('scratch', 10, 0.5, { seed: 0, wallSeconds: 2, trainFlops: 1e9 }),
      trial('scratch', 10, 0.5, { seed: 1, wallSeconds: 4, trainFlops: 3e9 }),
      trial('scratch', 10, 0.5, { seed: 2, wallSeconds: 100, status: 'failed' }),
      trial('finetune', 10, 0.5, { wallSeconds: 1 }),
    ];
    const costs = costPerGroup(input);
    expect(costs.map((c) => c.approach)).toEqual(['scratch', 'finetune']);
    expect(costs[0]!.wallSeconds!.mean).toBe(3);
    expect(costs[0]!.trainFlops!.mean).toBe(2e9);
    expect(costs[1]!.trainFlops).toBeNull();
  });
});

describe('defaultTargetAccuracy', () => {
  it('takes the best variant’s mean highest validation accuracy at the smallest size any variant ran (never test)', () => {
    const all = [
      ...trials('scratch', 5, [0.9]),
      ...trials('finetune', 10, [0.6, 0.8]),
      ...trials('partial', 10, [0.75]),
      ...trials('linear-probe', 50, [0.95]),
    ].map((t, i) => ({ ...t, id: i + 1 }));
    // validation accuracy of each trial's curve: test accuracy − 0.1 at its best epoch, lower before
    const rows = all.flatMap((t) => [
      epochRow(t, 1, { valAccuracy: t.testAccuracy! - 0.3 }),
      epochRow(t, 2, { valAccuracy: t.testAccuracy! - 0.1 }),
    ]);
    const target = defaultTargetAccuracy(all, rows);
    // fine-tuning (0.5 + 0.7) / 2 = 0.6 against partial 0.65
    expect(target).toMatchObject({ source: 'default', approach: 'partial', trainSize: 10 });
    expect(target!.value).toBeCloseTo(0.65, 12);
    expect(defaultTargetAccuracy(all, [])).toBeNull();
    expect(defaultTargetAccuracy(all.slice(0, 1), rows)).toBeNull();
  });
});

describe('timeToTarget', () => {
  it('finds the first evaluation at or above the target and the FLOPs spent by then', () => {
    const a = trial('finetune', 10, 0.8, { seed: 0, trainFlops: 1000, steps: 40 });
    const b = trial('finetune', 10, 0.8, { seed: 1, trainFlops: null, steps: 40 });
    const c = trial('finetune', 10, 0.8, { seed: 2 });
    const never = trial('scratch', 10, 0.3, { seed: 0 });
    const failed = trial('scratch', 10, null, { seed: 1, status: 'failed' });
    const epochs = [
      epochRow(a, 1, { valAccuracy: 0.5, elapsedSeconds: 1, step: 10 }),
      epochRow(a, 2, { valAccuracy: 0.7, elapsedSeconds: 2, step: 20 }), // tie with target counts
      epochRow(a, 3, { valAccuracy: 0.9, elapsedSeconds: 3, step: 30 }),
      epochRow(b, 1, { valAccuracy: 0.6, elapsedSeconds: 1.5 }),
      epochRow(b, 2, { valAccuracy: 0.8, elapsedSeconds: 5 }),
      epochRow(never, 1, { valAccuracy: 0.2 }),
      epochRow(failed, 1, { valAccuracy: 0.99 }),
    ];
    const result = timeToTarget([a, b, c, never, failed], epochs, 0.7);
    expect(result).toEqual([
      {
        approach: 'scratch',
        trainSize: 10,
        trials: 1,
        reached: 0,
        meanSeconds: null,
        meanFlops: null,
        meanSecondsWithSelection: null,
        meanFlopsWithSelection: null,
        perSeed: [],
      },
      // a at 2 s (1000 · 20/40 = 500 FLOPs), b at 5 s (no FLOPs); c has no curve. Neither recorded a wall time; a
      // single run without learning-rate candidates has no selection, so its FLOPs with selection are the same.
      {
        approach: 'finetune',
        trainSize: 10,
        trials: 2,
        reached: 2,
        meanSeconds: 3.5,
        meanFlops: 500,
        meanSecondsWithSelection: null,
        meanFlopsWithSelection: 500,
        // per seed that reached it, with what it recorded
        perSeed: [
          { seed: a.seed, secondsWithSelection: null, flopsWithSelection: 500 },
          { seed: b.seed, secondsWithSelection: null, flopsWithSelection: null },
        ].sort((x, y) => x.seed - y.seed),
      },
    ]);
  });

  const candidate = (learningRate: number, steps: number) => ({
    learningRate,
    bestValLoss: 0.5,
    steps,
    pruned: false,
    diverged: false,
  });

  it('counts the other learning-rate candidates of a held-out trial in its cost to the target', () => {
    // Three candidates of 40, 30 and 40 steps; the kept one (40 steps, 1000 FLOPs) reaches the target at step 20,
    // 2 s into its run of 4 s; the whole trial took 12 s.
    const t = trial('finetune', 100, 0.8, {
      trainFlops: 1000,
      steps: 40,
      wallSeconds: 12,
      lrCandidates: [candidate(0.1, 40), candidate(0.01, 30), candidate(0.001, 40)],
      protocol: { kind: 'holdout', trainExamples: 80, valExamples: 20 },
    });
    const epochs = [
      epochRow(t, 1, { valAccuracy: 0.5, elapsedSeconds: 1, step: 10 }),
      epochRow(t, 2, { valAccuracy: 0.75, elapsedSeconds: 2, step: 20 }),
      epochRow(t, 4, { valAccuracy: 0.8, elapsedSeconds: 4, step: 40 }),
    ];
    const [result] = timeToTarget([t], epochs, 0.7);
    // The final run alone: 2 s, 500 FLOPs. With selection: 12 s less the 2 s after the target = 10 s; 25 FLOPs per
    // step × (110 steps − 40 of the kept run + 20 to the target) = 2250.
    expect(result).toMatchObject({ meanSeconds: 2, meanFlops: 500, meanSecondsWithSelection: 10 });
    expect(result!.meanFlopsWithSelection).toBeCloseTo(2250, 9);
    expect(trialFlopsWithSelection(t)).toBeCloseTo(2750, 9);
  });

  it('counts the whole k-fold trial: every fold of every candidate and the final run', () => {
    // Two learning rates × 3 folds of 20 steps each (60 per candidate), then 30 steps on the whole subset (600 FLOPs).
    const t = trial('scratch', 10, 0.8, {
      trainFlops: 600,
      steps: 30,
      wallSeconds: 50,
      lrCandidates: [candidate(0.1, 60), candidate(0.01, 60)],
      protocol: { kind: 'kfold', folds: 3, chosenSteps: 30, examples: 10 },
    });
    // the stored curve is the folds' mean: its elapsed seconds are one fold's
    const epochs = [
      epochRow(t, 1, { valAccuracy: 0.9, elapsedSeconds: 0.5, step: 10 }),
      epochRow(t, 2, { valAccuracy: 0.9, elapsedSeconds: 1, step: 20 }),
    ];
    const [result] = timeToTarget([t], epochs, 0.7);
    expect(result).toMatchObject({ meanSeconds: 0.5, meanFlops: 200, meanSecondsWithSelection: 50 });
    expect(result!.meanFlopsWithSelection).toBeCloseTo(20 * 150, 9);
    expect(trialFlopsWithSelection(t)).toBeCloseTo(3000, 9);
    const [perGroup] = costPerGroup([t]);
    expect(perGroup!.trainFlops!.mean).toBe(600);
    expect(perGroup!.trainFlopsWithSelection!.mean).toBeCloseTo(3000, 9);
  });
});

describe('pretrainCost', () => {
  const record: PretrainRecord = {
    cacheKey: 'k',
    reused: false,
    sourceDescription: 'mnist digits 0-4',
    epochs: 3,
    wallSeconds: 120,
    trainFlops: 6e12,
    sourceTestAccuracy: 0.99,
    backend: 'wasm',
  };

  it('reports the cost separately and amortised over done fine-tuning trials', () => {
    const input = [
      ...trials('scratch', 10, [0.1, 0.2]),
      ...trials('finetune', 10, [0.5, 0.6]),
      ...trials('partial', 10, [0.5]),
      trial('linear-probe', 10, null, { status: 'failed' }),
    ];
    expect(pretrainCost(record, input)).toMatchObject({
      wallSeconds: 120,
      fineTuningTrials: 3,
      amortisedWallSeconds: 40,
      amortisedTrainFlops: 2e12,
    });
  });

  it('has nothing to amortise over without fine-tuning trials, and nothing without pretraining', () => {
    expect(pretrainCost(record, trials('scratch', 10, [0.1]))).toMatchObject({
      fineTuningTrials: 0,
      amortisedWallSeconds: null,
    });
    expect(pretrainCost(null, [])).toBeNull();
  });
});
