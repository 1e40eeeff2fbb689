import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { estimateRun, type Throughput } from '../../../benchmarks/builder/estimate.js';
import { suiteSpec, type SuiteSpec } from '../../../benchmarks/spec/suite-schema.js';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';

const THROUGHPUT: Throughput = {
  backend: 'cpu',
  samplesPerSecond: 1000,
  flopsPerSecond: 1e9,
  cores: 8,
  loadAverage: 0,
};
const DATA = { inputShape: [28, 28, 1] as [number, number, number], numClasses: 2, testCount: 0 };

function spec(overrides: Record<string, unknown>): SuiteSpec {
  return suiteSpec.parse({
    name: 'e',
    architecture: 'mlp',
    target: { dataset: { kind: 'mnist', classes: [3, 8] }, testPerClass: 10 },
    sizes: [40],
    seeds: [0],
    // Evaluations once per training: the cost is the training's.
    evalEverySteps: 100_000,
    approaches: { scratch: { learningRate: [0.001, 0.003], epochs: 20, minSteps: 0, batchSize: 8 } },
    ...overrides,
  });
}

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('estimateRun', () => {
  it('counts every fold and the final training at sizes that use k-fold cross-validation', () => {
    // 40 examples, 2 classes: 8 validation examples (4 per class), below 10 → 5-fold cross-validation.
    const heldOut = estimateRun(spec({ crossValidateBelow: 0 }), DATA, THROUGHPUT, 1);
    const kfold = estimateRun(spec({ crossValidateBelow: 10, folds: 5 }), DATA, THROUGHPUT, 1);
    // Held out: 2 candidates × 32 training examples × 20 epochs. k-fold: (2 × 5 + 1) trainings on 32 examples.
    expect(kfold.flops / heldOut.flops).toBeCloseTo((2 * 5 + 1) / 2, 1);
    expect(kfold.trials).toBe(1);
    expect(kfold.seconds).toBeCloseTo(kfold.flops / THROUGHPUT.flopsPerSecond, 6);
  });

  it('scales with seeds and divides by the workers, no more workers than trials', () => {
    const one = estimateRun(spec({ crossValidateBelow: 0 }), DATA, THROUGHPUT, 1);
    const three = estimateRun(spec({ crossValidateBelow: 0, seeds: [0, 1, 2] }), DATA, THROUGHPUT, 1);
    expect(three.flops).toBeCloseTo(3 * one.flops, 0);
    expect(three.trials).toBe(3);
    const shared = estimateRun(spec({ crossValidateBelow: 0, seeds: [0, 1, 2] }), DATA, THROUGHPUT, 8);
    expect(shared.seconds).toBeCloseTo(three.seconds / 3, 6);
  });

  it('is a range: from every trial stopping at its first chance to every trial using its budget', () => {
    const e = estimateRun(
      spec({
        crossValidateBelow: 0,
        evalEverySteps: 4,
        approaches: { scratch: { learningRate: 0.001, epochs: 20, minSteps: 0, batchSize: 8, patience: 2 } },
      }),
      DATA,
      THROUGHPUT,
      1,
    );
    // 32 training examples, 4 steps an epoch, an evaluation every epoch: patience 2 stops it after 3 of 20
    expect(e.lowFlops / e.flops).toBeCloseTo(3 / 20, 1);
    expect(e.lowSeconds).toBeLessThan(e.seconds);
  });

  it("adds each training's measured fixed cost, and counts only the cores other work leaves free", () => {
    const base = spec({ crossValidateBelow: 0, seeds: [0, 1, 2, 3] });
    const plain = estimateRun(base, DATA, THROUGHPUT, 4);
    const overhead = estimateRun(base, DATA, { ...THROUGHPUT, trialOverheadSeconds: 2 }, 4);
    // 4 trials of 2 learning-rate candidates, each training paying 2 s, on 4 workers
    expect(overhead.seconds - plain.seconds).toBeCloseTo((4 * 2 * 2) / 4, 6);
    expect(overhead.largestTrialSeconds - plain.largestTrialSeconds).toBeCloseTo(2 * 2, 6);
    // under 5-fold cross-validation: 2 × 5 + 1 trainings per trial
    const kfold = spec({ crossValidateBelow: 10, folds: 5, seeds: [0, 1, 2, 3] });
    const kfoldOverhead =
      estimateRun(kfold, DATA, { ...THROUGHPUT, trialOverheadSeconds: 2 }, 4).seconds -
      estimateRun(kfold, DATA, THROUGHPUT, 4).seconds;
    expect(kfoldOverhead).toBeCloseTo((4 * 11 * 2) / 4, 6);
    // 4 cores, a load of 3 besides this process: 2 free, so 4 workers run 2 trials at a time
    const busy = estimateRun(base, DATA, { ...THROUGHPUT, cores: 4, loadAverage: 3 }, 4);
    expect(busy.parallel).toBe(2);
    expect(busy.seconds).toBeCloseTo(plain.seconds * 2, 6);
  });

  it("adds each worker's start-up (process and backend, data, model) once per round of workers the free cores run", () => {
    const base = spec({ crossValidateBelow: 0, seeds: [0, 1, 2, 3] });
    const plain = estimateRun(base, DATA, THROUGHPUT, 4);
    const costs = { startupSeconds: 1.5, dataSeconds: 0.5, modelLoadSeconds: 1 };
    // 8 cores, idle: the 4 workers start side by side, the run pays one worker's start-up
    const started = estimateRun(base, DATA, { ...THROUGHPUT, ...costs }, 4);
    expect(started.startupSeconds).toBeCloseTo(3, 9);
    expect(started.seconds - plain.seconds).toBeCloseTo(3, 9);
    expect(started.lowSeconds - plain.lowSeconds).toBeCloseTo(3, 9);
    // 2 cores with one busy (load 2: one besides this process): the 4 workers take their turns on the free one
    const busy = estimateRun(base, DATA, { ...THROUGHPUT, ...costs, cores: 2, loadAverage: 2 }, 4);
    expect(busy.parallel).toBe(1);
    expect(busy.startupSeconds).toBeCloseTo(4 * 3, 9);
  });
  it('stretches a speed measured on a quiet machine by the share of a core each worker gets under the load of now', () => {
    const base = spec({ crossValidateBelow: 0, seeds: [0, 1, 2, 3] });
    const quiet = { ...THROUGHPUT, cores: 2, loadAverage: 1 };
    const idle = estimateRun(base, DATA, quiet, 2);
    expect(idle.parallel).toBe(2);
    expect(idle.loadSlowdown).toBe(1);
    // four other busy processes now (load 5 with this one): one free core at most, and a worker gets 2/5 of a core
    const busy = estimateRun(base, DATA, { ...quiet, loadNow: 5 }, 2);
    expect(busy.parallel).toBe(1);
    expect(busy.loadSlowdown).toBeCloseTo(2.5, 9);
    expect(busy.seconds).toBeCloseTo(idle.seconds * 2 * 2.5, 6);
    expect(busy.largestTrialSeconds).toBeCloseTo(idle.largestTrialSeconds * 2.5, 6);
    // measured under that same load: the speed already has it, nothing is stretched
    const measuredBusy = estimateRun(base, DATA, { ...quiet, loadAverage: 5, loadNow: 5 }, 2);
    expect(measuredBusy.loadSlowdown).toBe(1);
    // quieter now than at the measurement: never promised faster than measured
    expect(estimateRun(base, DATA, { ...quiet, loadAverage: 5, loadNow: 1 }, 2).loadSlowdown).toBe(1);
  });
});
