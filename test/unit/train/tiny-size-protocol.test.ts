import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { selectBackend, type BackendInfo } from '../../../benchmarks/backend/select-backend.js';
import type { TrialKey } from '../../../benchmarks/domain.js';
import type { SuiteSpec } from '../../../benchmarks/spec/suite-schema.js';
import { loadSuite } from '../../../benchmarks/spec/load-suite.js';
import type * as Metrics from '../../../benchmarks/train/metrics.js';
import { TINY_SUITE } from '../../integration/cli-helpers.js';

/** Every split the trial evaluates a model on, by size, in order: the test set is the only one with 500 examples. */
const evaluated: number[] = [];
vi.mock('../../../benchmarks/train/metrics.js', async (importOriginal) => {
  const original = await importOriginal<typeof Metrics>();
  return {
    ...original,
    evaluate: (...args: Parameters<typeof original.evaluate>) => {
      evaluated.push(args[1].count);
      return original.evaluate(...args);
    },
  };
});

const { runTrial } = await import('../../../benchmarks/train/run-trial.js');

const noCallbacks = { onStart: () => {}, onEvaluation: () => {} };
const TEST_EXAMPLES = 500;

describe('tiny sizes: k-fold cross-validation on the subset, then training on all of it', () => {
  let backend: BackendInfo;
  let spec: SuiteSpec;
  beforeAll(async () => {
    backend = await selectBackend('wasm');
    const tiny = loadSuite({ kind: 'file', path: TINY_SUITE }).spec;
    const scratch = { ...tiny.approaches.scratch!, learningRate: [0.001, 0.01] };
    spec = { ...tiny, crossValidateBelow: 10, folds: 2, approaches: { scratch } };
  });

  const job = (key: TrialKey, s = spec) => ({ trialId: 1, spec: s, baseDir: '/', key, base: null });

  it('chooses the steps on the folds, uses that count on the whole subset, and reads the test set once, last', async () => {
    evaluated.length = 0;
    const before = tf.memory().numTensors;
    const result = await runTrial(job({ approach: 'scratch', trainSize: 10, seed: 0 }), backend, noCallbacks);
    expect(result.status, result.error ?? '').toBe('done');
    expect(result.protocol).toMatchObject({ kind: 'kfold', folds: 2, examples: 10 });
    if (result.protocol?.kind !== 'kfold') throw new Error('not k-fold');
    // The final model trained on all 10 examples for exactly the chosen number of steps.
    expect(result.steps).toBe(result.protocol.chosenSteps);
    expect(result.protocol.chosenSteps).toBeGreaterThan(0);
    // The stored curve is the folds' mean for the chosen rate, and the chosen step is its lowest validation loss past
    // the first evaluation (the warm-up floor).
    const best = result.epochRecords.slice(1).reduce((a, b) => (b.valLoss < a.valLoss ? b : a));
    expect(best.step).toBe(result.protocol.chosenSteps);
    expect(result.protocol.chosenSteps).toBeGreaterThan(result.epochRecords[0]!.step);
    // best_epoch counts the final run's epochs, like epochs: that run ends at the chosen step, its model is its last
    expect(result.bestEpoch).toBe(result.epochs);
    expect(result.lrCandidates.map((c) => c.learningRate)).toEqual([0.001, 0.01]);
    const lowest = result.lrCandidates.reduce((a, b) => (b.bestValLoss! < a.bestValLoss! ? b : a));
    expect(result.learningRate).toBe(lowest.learningRate);
    // Folds of 5 examples (and the final run's own 10) are evaluated; the 500 test examples once, at the end.
    expect(evaluated.filter((n) => n === TEST_EXAMPLES)).toHaveLength(1);
    expect(evaluated.at(-1)).toBe(TEST_EXAMPLES);
    expect(evaluated.slice(0, -1).every((n) => n <= 10)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps the held-out split from the threshold on, and records it', async () => {
    evaluated.length = 0;
    const holdout = { ...spec, crossValidateBelow: 1 };
    const result = await runTrial(job({ approach: 'scratch', trainSize: 40, seed: 0 }, holdout), backend, noCallbacks);
    expect(result.status, result.error ?? '').toBe('done');
    // 40 examples, 5 classes: 8 validation examples, 1.6 per class, not below 1.
    expect(result.protocol).toEqual({ kind: 'holdout', trainExamples: 32, valExamples: 8 });
    expect(evaluated.filter((n) => n === TEST_EXAMPLES)).toHaveLength(1);
    expect(evaluated.at(-1)).toBe(TEST_EXAMPLES);
  });
});
