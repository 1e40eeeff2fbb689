import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, type BackendInfo } from '../../../benchmarks/backend/select-backend.js';
import type { TrialKey } from '../../../benchmarks/domain.js';
import type { SuiteSpec } from '../../../benchmarks/spec/suite-schema.js';
import { loadSuite } from '../../../benchmarks/spec/load-suite.js';
import { runTrial } from '../../../benchmarks/train/run-trial.js';
import { TINY_SUITE } from '../../integration/cli-helpers.js';

const noCallbacks = { onStart: () => {}, onEvaluation: () => {} };

describe('runTrial (in process, wasm)', () => {
  let backend: BackendInfo;
  let spec: SuiteSpec;
  beforeAll(async () => {
    backend = await selectBackend('wasm');
    spec = loadSuite({ kind: 'file', path: TINY_SUITE }).spec;
  });

  const job = (key: TrialKey) => ({ trialId: 1, spec, baseDir: '/', key, base: null });

  it('does not leave tensors behind from trial to trial', async () => {
    const counts: number[] = [];
    for (const seed of [0, 1, 2]) {
      const result = await runTrial(job({ approach: 'scratch', trainSize: 40, seed }), backend, noCallbacks);
      expect(result.status, result.error ?? '').toBe('done');
      counts.push(tf.memory().numTensors);
    }
    expect(counts[1]).toBe(counts[0]);
    expect(counts[2]).toBe(counts[0]);
  });

  it('spends at least the step floor on a tiny subset and records every evaluation', async () => {
    const evaluations: number[] = [];
    const result = await runTrial(job({ approach: 'scratch', trainSize: 10, seed: 0 }), backend, {
      onStart: () => {},
      onEvaluation: (record) => evaluations.push(record.step),
    });
    expect(result.status).toBe('done');
    // 10 examples, 5 for validation: 5 training examples are one step per epoch; the floor is 20 steps.
    expect(result.steps).toBeGreaterThanOrEqual(spec.approaches.scratch!.minSteps);
    expect(result.epochRecords.map((r) => r.step)).toEqual(evaluations);
    expect(result.bestEpoch).toBeGreaterThan(0);
    expect(result.epochRecords.some((r) => r.epoch === result.bestEpoch)).toBe(true);
    expect(result.trainableParams).toBe(result.totalParams);
    expect(result.trainFlops).toBeGreaterThan(0);
    // its compute: some CPU, and no more than every core for its whole wall time
    expect(result.cpuSeconds).toBeGreaterThan(0);
    expect(result.cpuSeconds).toBeLessThanOrEqual(result.wallSeconds! * availableParallelism() + 0.05);
  });

  it('is reproducible from the suite and the seed', async () => {
    const key: TrialKey = { approach: 'scratch', trainSize: 40, seed: 3 };
    const a = await runTrial(job(key), backend, noCallbacks);
    const b = await runTrial(job(key), backend, noCallbacks);
    expect(a.testAccuracy).toBe(b.testAccuracy);
    expect(a.epochRecords.map((r) => r.valLoss)).toEqual(b.epochRecords.map((r) => r.valLoss));
  });

  it('fails a trial, with its error, rather than throwing', async () => {
    const result = await runTrial(
      {
        ...job({ approach: 'finetune', trainSize: 40, seed: 0 }),
        base: { path: '/nonexistent/model.json', cutLayer: 'features' },
      },
      backend,
      noCallbacks,
    );
    expect(result.status).toBe('failed');
    expect(result.error).toContain('/nonexistent/model.json');
  });

  it('with a list of learning rates, trains once per value and keeps the lowest validation loss', async () => {
    const settings = spec.approaches.scratch!;
    const grid = {
      ...spec,
      approaches: { scratch: { ...settings, learningRate: [0.001, 0.0001, 0.01], pruneCandidates: false } },
    };
    const result = await runTrial(
      { trialId: 1, spec: grid, baseDir: '/', key: { approach: 'scratch', trainSize: 40, seed: 0 }, base: null },
      backend,
      noCallbacks,
    );
    expect(result.status, result.error ?? '').toBe('done');
    expect(result.lrCandidates.map((c) => c.learningRate)).toEqual([0.001, 0.0001, 0.01]);
    const lowest = result.lrCandidates.reduce((a, b) => (b.bestValLoss! < a.bestValLoss! ? b : a));
    expect(result.learningRate).toBe(lowest.learningRate);
    // The stored curve is the kept candidate's: its lowest validation loss is the one recorded for it.
    expect(Math.min(...result.epochRecords.map((r) => r.valLoss))).toBe(lowest.bestValLoss);
    expect(result.protocol).toEqual({ kind: 'holdout', trainExamples: 32, valExamples: 8 });
  });
});
