import { describe, expect, it } from 'vitest';
import { loadSuite } from '../../../benchmarks/spec/load-suite.js';
import { suiteSpec } from '../../../benchmarks/spec/suite-schema.js';
import { expectedWork, specClassCount, trialFlops, trialTrainings } from '../../../benchmarks/spec/trial-work.js';

/** A table target (its classes unknown until read), one approach with `learningRate` candidates. */
function spec(learningRate: number | number[]) {
  return suiteSpec.parse({
    name: 'w',
    architecture: 'mlp',
    target: { dataset: { kind: 'csv', path: 'data.csv', label: 'y' }, testPerClass: 5 },
    sizes: [20, 400],
    seeds: [0],
    validationFraction: 0.2,
    crossValidateBelow: 10,
    folds: 5,
    approaches: { scratch: { learningRate, epochs: 10, minSteps: 0, batchSize: 8 } },
  });
}

describe('what a trial trains (the estimate and the ETA count the same)', () => {
  it('trains once per learning-rate candidate on the held-out split', () => {
    // 400 examples, 2 classes: 80 held out (40 a class, not below 10): no k-fold
    expect(trialTrainings(spec([0.001, 0.003, 0.01]), 'scratch', 400, 2)).toEqual({
      train: 320,
      held: 80,
      count: 3,
      crossValidated: false,
    });
  });

  it('trains every candidate on every fold, then once more, at sizes that cross-validate', () => {
    // 20 examples, 2 classes: 4 held out (2 a class, below 10): 5-fold, 16 examples a fold
    expect(trialTrainings(spec([0.001, 0.003, 0.01]), 'scratch', 20, 2)).toEqual({
      train: 16,
      held: 4,
      count: 3 * 5 + 1,
      crossValidated: true,
    });
    expect(trialTrainings(spec(0.001), 'scratch', 20, 2)!.count).toBe(5 + 1);
    expect(trialTrainings(spec(0.001), 'finetune', 20, 2)).toBeNull();
  });
});

describe('the work of a trial, for the ETA', () => {
  it('weighs a cross-validated trial by its folds × candidates × samples, not as one trial', () => {
    const s = spec([0.001, 0.003, 0.01]);
    // 20 examples: 16 trials (3 × 5 + 1) of 10 epochs on 16 examples; 400: 3 of 10 epochs on 320
    expect(expectedWork(s, { approach: 'scratch', trainSize: 20 }, 2)).toBe(16 * 10 * 16);
    expect(expectedWork(s, { approach: 'scratch', trainSize: 400 }, 2)).toBe(3 * 10 * 320);
  });

  it('counts the minimum steps when the epochs are fewer', () => {
    const s = suiteSpec.parse({
      ...spec(0.001),
      approaches: { scratch: { learningRate: 0.001, epochs: 1, minSteps: 100, batchSize: 8 } },
    });
    expect(expectedWork(s, { approach: 'scratch', trainSize: 400 }, 2)).toBe(100 * 8);
  });

  it('takes the classes from the spec when it names them, and without them counts no folds', () => {
    const { spec: split } = loadSuite({ kind: 'builtin', name: 'mnist-split' });
    expect(specClassCount(split)).toBe(5);
    // the default suite's 10-example trials cross-validate: 5 folds and the final training, each on 8 examples
    const small = expectedWork(split, { approach: 'scratch', trainSize: 10 });
    expect(small).toBe(expectedWork(split, { approach: 'scratch', trainSize: 10 }, 5));
    const settings = split.approaches.scratch!;
    const candidates = Array.isArray(settings.learningRate) ? settings.learningRate.length : 1;
    expect(small).toBe(
      Math.max(settings.minSteps * settings.batchSize, settings.epochs * 8) * (candidates * split.folds + 1),
    );
    const table = spec(0.001);
    expect(specClassCount(table)).toBeUndefined();
    // a table before it is read: 20 examples as 16 held-out training examples, once
    expect(expectedWork(table, { approach: 'scratch', trainSize: 20 })).toBe(10 * 16);
  });

  it('counts every step as a whole batch: a small batch costs a step, whatever its examples', () => {
    const cost = { train: 300, forward: 100 };
    // 25 examples, 1 class, no k-fold (a table spec with 1 class: 5 held out, 20 trained); batch 8: steps of 8, 8, 4
    const s = suiteSpec.parse({ ...spec(0.001), crossValidateBelow: 0 });
    const held = trialTrainings(s, 'scratch', 25, 1)!;
    expect(held).toMatchObject({ train: 20, held: 5, count: 1 });
    // 10 epochs of 3 steps, each counted as 8 examples (24, not 20), evaluated every 9 epochs (evalEverySteps 25),
    // so twice, then the test set
    expect(trialFlops(s, 'scratch', 25, 1, cost, 50)).toBe(300 * 10 * 3 * 8 + 100 * 2 * 5 + 100 * 50);
    // fewer examples than a batch: 300 minimum steps of 12 examples count as 300 batches of 32
    const small = suiteSpec.parse({
      ...s,
      approaches: { scratch: { learningRate: 0.001, epochs: 40, minSteps: 300, batchSize: 32 } },
    });
    expect(trialTrainings(small, 'scratch', 15, 1)).toMatchObject({ train: 12, held: 3, count: 1 });
    const flops = trialFlops(small, 'scratch', 15, 1, cost, 0)!;
    const evals = Math.ceil(300 / 25); // an evaluation every 25 steps (each epoch is one step)
    expect(flops).toBe(300 * 300 * 32 + 100 * evals * 3);
  });

  it("weighs by the estimate's FLOPs, every training's fixed cost included, when the run has its estimate", () => {
    const s = spec([0.001, 0.003, 0.01]);
    const cost = { train: 300, forward: 100 };
    const basis = { flopsPerSample: { scratch: cost }, testCount: 50, flopsPerSecond: 1e6, trialOverheadSeconds: 0.5 };
    // 400 examples, 2 classes: 3 trainings of 10 epochs on 320 (evaluated on 80 every epoch: evalEverySteps is 25,
    // under an epoch of 40 steps), then the test set once
    const flops = 3 * (300 * 10 * 320 + 100 * 10 * 80) + 100 * 50;
    expect(trialFlops(s, 'scratch', 400, 2, cost, 50)).toBe(flops);
    expect(expectedWork(s, { approach: 'scratch', trainSize: 400 }, 2, basis)).toBe(flops + 3 * 0.5 * 1e6);
    // an approach the estimate did not count falls back to samples
    expect(expectedWork(s, { approach: 'scratch', trainSize: 400 }, 2, { ...basis, flopsPerSample: {} })).toBe(
      3 * 10 * 320,
    );
  });
});
