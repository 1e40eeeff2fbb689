import { describe, expect, it } from 'vitest';
import { tuningCaveats, tuningSummary } from '../../../benchmarks/analysis/tuning.js';
import type { LearningRateCandidate } from '../../../benchmarks/domain.js';
import { suiteSpec } from '../../../benchmarks/spec/suite-schema.js';
import { epochRow, trial } from '../../support/records.js';

const spec = suiteSpec.parse({
  name: 's',
  architecture: 'mlp',
  pretrain: { dataset: { kind: 'mnist' }, epochs: 1 },
  target: { dataset: { kind: 'mnist' }, testPerClass: 10 },
  sizes: [10, 100],
  seeds: [0, 1],
  approaches: {
    scratch: { learningRate: [0.001, 0.0003, 0.003], epochs: 5 },
    finetune: { learningRate: 0.0003, epochs: 5 },
  },
});

const candidate = (learningRate: number, steps: number, pruned = false): LearningRateCandidate => ({
  learningRate,
  bestValLoss: 0.5,
  steps,
  pruned,
  diverged: false,
});

const trials = [
  // 0.001 first and kept; 0.0003 stopped early at 100 steps; 0.003 full.
  trial('scratch', 10, 0.8, {
    seed: 0,
    learningRate: 0.001,
    lrCandidates: [candidate(0.001, 400), candidate(0.0003, 100, true), candidate(0.003, 400)],
  }),
  trial('scratch', 100, 0.9, {
    seed: 0,
    learningRate: 0.003,
    lrCandidates: [candidate(0.001, 400), candidate(0.0003, 400), candidate(0.003, 400)],
  }),
  trial('finetune', 10, 0.85, { seed: 0, learningRate: 0.0003, lrCandidates: [candidate(0.0003, 300)] }),
];

describe('tuningSummary', () => {
  const tuning = tuningSummary(spec, trials);

  it('counts candidates, choices, edges, stopped candidates and what the candidates cost', () => {
    const scratch = tuning.find((t) => t.approach === 'scratch')!;
    expect(scratch.grid).toEqual([0.001, 0.0003, 0.003]);
    expect(scratch.trials).toBe(2);
    expect(scratch.chosen).toEqual([
      { learningRate: 0.001, count: 1 },
      { learningRate: 0.0003, count: 0 },
      { learningRate: 0.003, count: 1 },
    ]);
    expect(scratch.atEdge).toEqual({ low: 0, high: 1 });
    expect(scratch.prunedCandidates).toBe(1);
    expect(scratch.candidates).toBe(6);
    expect(scratch.candidateSteps).toBe(400 + 100 + 400 + 1200);
    expect(scratch.chosenSteps).toBe(800);
    // Without stopping early the pruned candidate would have run as long as the kept one (400).
    expect(scratch.unprunedSteps).toBe(400 * 6);
    const finetune = tuning.find((t) => t.approach === 'finetune')!;
    expect(finetune.atEdge).toEqual({ low: 0, high: 0 });
    expect(finetune.candidateSteps / finetune.chosenSteps).toBe(1);
  });

  it('warns when a chosen value is at the edge of its list, and when tuning is unequal', () => {
    const caveats = tuningCaveats(tuning, trials);
    expect(caveats[0]).toBe(
      'Scratch chose the learning rate at the edge of the values tried: the largest value tried (0.003) in 1 of 2 trials (at 100 examples). The best value may lie outside the list: widen it on that side, or set "extendGrid": true for this approach so that each trial extends its list by ×3 steps until its best value is inside.',
    );
    expect(caveats[1]).toBe('Unequal tuning: scratch tried 3 learning rates, but fine-tuning only one.');
  });
});

describe('edge extension and cross-validation edges', () => {
  it('counts an edge against the values a trial tried, extended ones included, and says extension was on', () => {
    const extending = suiteSpec.parse({
      ...spec,
      approaches: { scratch: { learningRate: [0.001, 0.0003, 0.003], epochs: 5, extendGrid: true } },
    });
    const extended = (learningRate: number, steps: number): LearningRateCandidate => ({
      ...candidate(learningRate, steps),
      extended: true,
    });
    const list = [
      // extended to 0.009, then 0.027: the best (0.009) is now inside
      trial('scratch', 100, 0.9, {
        id: 101,
        seed: 0,
        learningRate: 0.009,
        lrCandidates: [
          candidate(0.001, 400),
          candidate(0.0003, 400),
          candidate(0.003, 400),
          extended(0.009, 400),
          extended(0.027, 400),
        ],
      }),
      // still at the top after extensions up to the bound
      trial('scratch', 100, 0.9, {
        id: 102,
        seed: 1,
        learningRate: 0.729,
        lrCandidates: [candidate(0.001, 400), candidate(0.003, 400), extended(0.243, 400), extended(0.729, 400)],
      }),
    ];
    const [t] = tuningSummary(extending, list);
    expect(t!.atEdge).toEqual({ low: 0, high: 1 });
    expect(t!.extendedCandidates).toBe(4);
    expect(t!.chosen.filter((c) => c.count > 0).map((c) => c.learningRate)).toEqual([0.009, 0.729]);
    const [caveat] = tuningCaveats([t!], list, extending);
    expect(caveat).toContain('the largest value tried (0.729) in 1 of 2 trials');
    expect(caveat).toContain('Edge extension was on');
  });

  it('warns when cross-validation chose the last evaluation of its budget, or the earliest step it allows', () => {
    const kfold = (id: number, chosenSteps: number) =>
      trial('scratch', 10, 0.7, {
        id,
        seed: id,
        learningRate: 0.001,
        lrCandidates: [candidate(0.001, 400)],
        protocol: { kind: 'kfold', folds: 5, chosenSteps, examples: 10 },
      });
    const list = [kfold(1, 300), kfold(2, 50), kfold(3, 150)];
    const curve = list.flatMap((t) => [25, 50, 100, 150, 200, 300].map((step, i) => epochRow(t, i + 1, { step })));
    const caveats = tuningCaveats([], list, spec, curve);
    expect(caveats).toEqual([
      'Cross-validation chose the last evaluation of its budget for scratch in 1 of 3 k-fold trials (at 10 examples): more steps may do better; raise epochs or minSteps.',
      'Cross-validation chose the earliest step it allows (the first evaluation past the warm-up floor) for scratch in 1 of 3 k-fold trials (at 10 examples): a lower learning rate or more frequent evaluations would show whether fewer steps are better.',
    ]);
  });
});
