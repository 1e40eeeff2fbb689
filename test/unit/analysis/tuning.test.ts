import { describe, expect, it } from 'vitest';
import { tuningCaveats, tuningSummary } from '../../../benchmarks/analysis/tuning.js';
import type { LearningRateCandidate } from '../../../benchmarks/domain.js';
import { suiteSpec } from '../../../benchmarks/spec/suite-schema.js';
import { trial } from '../../support/records.js';

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
      'Scratch chose the learning rate at the edge of its list: the largest value (0.003) in 1 of 2 trials (at 100 examples). The best value may lie outside the list; widen it on that side.',
    );
    expect(caveats[1]).toBe('Unequal tuning: scratch tried 3 learning rates, but fine-tuning only one.');
  });
});
