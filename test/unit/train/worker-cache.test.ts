/**
 * A worker keeps what it loaded (issue 19): the dataset and the source model are loaded once per process and reused
 * by later trials; the cache is bounded and disposes the models it lets go of, so the tensor count does not grow from
 * trial to trial, and a model file written again at the same path is loaded again.
 */
import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, type BackendInfo } from '../../../benchmarks/backend/select-backend.js';
import type { TrialKey } from '../../../benchmarks/domain.js';
import { writeKerasMobilenet } from '../../../benchmarks/models/write-keras-mobilenet.js';
import { featuresLayer } from '../../../benchmarks/spec/describe-architecture.js';
import { loadSuite } from '../../../benchmarks/spec/load-suite.js';
import type { SuiteSpec } from '../../../benchmarks/spec/suite-schema.js';
import { clearFeatureStores, storedFeatureBytes } from '../../../benchmarks/train/frozen-features.js';
import { runTrial } from '../../../benchmarks/train/run-trial.js';
import { clearWorkerCache, workerCacheStats } from '../../../benchmarks/train/task-cache.js';
import { TINY_SUITE } from '../../integration/cli-helpers.js';

const ARCH = { name: 'mobilenet-v2' as const, alpha: 0.35, inputSize: 32 };
const noCallbacks = { onStart: () => {}, onEvaluation: () => {} };

describe('a worker keeps the dataset and source model it loaded', () => {
  let backend: BackendInfo;
  let dir: string;
  let spec: SuiteSpec;
  let base: { path: string; cutLayer: string };

  beforeAll(async () => {
    backend = await selectBackend('wasm');
    dir = mkdtempSync(join(tmpdir(), 'tb-worker-cache-'));
    writeKerasMobilenet(dir, { alpha: ARCH.alpha, inputSize: ARCH.inputSize, classes: 5, seed: 0, quantize: 'none' });
    base = { path: join(dir, 'model.json'), cutLayer: featuresLayer(ARCH) };
    const tiny = loadSuite({ kind: 'file', path: TINY_SUITE }).spec;
    const budget = { ...tiny.approaches.finetune!, learningRate: 0.001, epochs: 1, minSteps: 4 };
    spec = {
      ...tiny,
      architecture: ARCH,
      pixelScaling: '[-1,1]',
      pretrain: undefined,
      pretrainedModel: base,
      approaches: { partial: { ...budget, trainFrom: 'block_16_expand' }, 'linear-probe': budget },
    };
  });
  afterAll(() => {
    clearWorkerCache();
    rmSync(dir, { recursive: true, force: true });
  });

  const trial = async (key: TrialKey) => {
    const result = await runTrial({ trialId: 1, spec, baseDir: '/', key, base }, backend, noCallbacks);
    expect(result.status, result.error ?? '').toBe('done');
    return result;
  };

  it('loads each once, reuses them across trials and does not grow the tensor count', async () => {
    clearWorkerCache();
    clearFeatureStores();
    const empty = tf.memory().numTensors;
    const loadsBefore = workerCacheStats.loads;
    await trial({ approach: 'partial', trainSize: 20, seed: 0 });
    // the dataset and the model: two loads, the model's weights now held by the cache
    expect(workerCacheStats.loads - loadsBefore).toBe(2);
    const held = tf.memory().numTensors;
    expect(held).toBeGreaterThan(empty);
    const hitsBefore = workerCacheStats.hits;
    for (const key of [
      { approach: 'partial', trainSize: 20, seed: 1 },
      { approach: 'linear-probe', trainSize: 20, seed: 0 },
      { approach: 'partial', trainSize: 20, seed: 0 },
    ] as const) {
      await trial(key);
      expect(tf.memory().numTensors).toBe(held);
    }
    expect(workerCacheStats.loads - loadsBefore).toBe(2);
    expect(workerCacheStats.hits - hitsBefore).toBe(6);
    expect(storedFeatureBytes()).toBeGreaterThan(0);
    // letting go disposes the model's weights
    clearWorkerCache();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(tf.memory().numTensors).toBe(empty);
  });

  it('loads a model file written again at the same path', async () => {
    clearWorkerCache();
    await trial({ approach: 'partial', trainSize: 20, seed: 0 });
    const loads = workerCacheStats.loads;
    const later = new Date(Date.now() + 5000);
    utimesSync(base.path, later, later);
    await trial({ approach: 'partial', trainSize: 20, seed: 0 });
    expect(workerCacheStats.loads - loads).toBe(1);
    clearWorkerCache();
  });
});
