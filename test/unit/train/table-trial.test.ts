import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, type BackendInfo } from '../../../benchmarks/backend/select-backend.js';
import { parseSuite } from '../../../benchmarks/spec/load-suite.js';
import { checkSuite } from '../../../benchmarks/train/check-suite.js';
import { runTrial } from '../../../benchmarks/train/run-trial.js';

/** Fisher's iris measurements (test/fixtures/README.md). */
const FIXTURES = resolve(import.meta.dirname, '..', '..', 'fixtures');

const irisSuite = (extra: object = {}) =>
  parseSuite(
    JSON.stringify({
      name: 'iris',
      architecture: 'mlp',
      target: { dataset: { kind: 'csv', path: 'iris.csv', label: 'species' }, testPerClass: 10 },
      sizes: [12, 60],
      seeds: [0],
      approaches: { scratch: { learningRate: 0.01, epochs: 30, minSteps: 60, patience: 5 } },
      ...extra,
    }),
    'iris suite',
    FIXTURES,
  );

describe('a table suite (iris, MLP)', () => {
  let backend: BackendInfo;
  beforeAll(async () => {
    backend = await selectBackend('wasm');
  });

  it('passes the pre-run checks and trains an MLP well above chance, leaving no tensors behind', async () => {
    const { spec, baseDir } = irisSuite();
    const summary = await checkSuite({ spec, baseDir, base: null });
    expect(summary).toMatchObject({ poolSize: 120, testSize: 30, numClasses: 3, notices: [] });
    const job = {
      trialId: 1,
      spec,
      baseDir,
      key: { approach: 'scratch' as const, trainSize: 60, seed: 0 },
      base: null,
    };
    const first = await runTrial(job, backend, { onStart: () => {}, onEvaluation: () => {} });
    const tensors = tf.memory().numTensors;
    const again = await runTrial(job, backend, { onStart: () => {}, onEvaluation: () => {} });
    expect(first.status, first.error ?? '').toBe('done');
    // Iris is easy once standardised: three classes, chance is 33%.
    expect(first.testAccuracy).toBeGreaterThan(0.8);
    expect(again.testAccuracy).toBe(first.testAccuracy);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('refuses a source table with other feature columns, and images as the source of a table', async () => {
    const withSource = (dataset: object) =>
      irisSuite({
        pretrain: { dataset, epochs: 1, testPerClass: 5 },
        approaches: { finetune: { learningRate: 0.01, epochs: 5 } },
      });
    const narrow = withSource({ kind: 'csv', path: 'iris.csv', label: 'species', features: ['sepal_length'] });
    await expect(checkSuite({ spec: narrow.spec, baseDir: narrow.baseDir, base: null })).rejects.toThrow(
      'the source table has 1 feature columns but the target table has 4: pretraining needs the same feature columns',
    );
    const images = withSource({ kind: 'mnist' });
    await expect(checkSuite({ spec: images.spec, baseDir: images.baseDir, base: null })).rejects.toThrow(
      'the source data is images but the target data is a table: pretrain on the same kind of data',
    );
    const same = withSource({ kind: 'csv', path: 'iris.csv', label: 'species' });
    await expect(checkSuite({ spec: same.spec, baseDir: same.baseDir, base: null })).resolves.toMatchObject({
      numClasses: 3,
    });
  });
});
