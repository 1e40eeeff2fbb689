/**
 * The estimate `run` prints before a MobileNet suite's first trial: it once built the architecture on the data's shape
 * (28×28×1 digits, which a 32×32×3 MobileNetV2 refuses; the trials resize them) and cut it at the small CNN's
 * `features` layer, so every run of mobilenet-split failed before its first trial.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';
import { estimateSuite } from '../../../benchmarks/builder/estimate-suite.js';
import { loadSuite } from '../../../benchmarks/spec/load-suite.js';

describe('estimateSuite on a MobileNet suite', () => {
  const cache = process.env.TRANSFER_BENCH_CACHE;
  beforeAll(async () => {
    await selectBackend('wasm');
    // the throughput it measures is cached beside the source models: keep it out of the user's folder
    process.env.TRANSFER_BENCH_CACHE = mkdtempSync(join(tmpdir(), 'tb-estimate-mobilenet-'));
  });
  afterAll(() => {
    if (cache === undefined) delete process.env.TRANSFER_BENCH_CACHE;
    else process.env.TRANSFER_BENCH_CACHE = cache;
  });

  it("measures the architecture at its own input (32×32×3) and counts every approach's FLOPs", async () => {
    const { spec, baseDir } = loadSuite({ kind: 'builtin', name: 'mobilenet-split' });
    const estimate = await estimateSuite(spec, baseDir, 'wasm', { workers: 1, measureSeconds: 0.2 });
    const after = tf.memory().numTensors;
    await estimateSuite(spec, baseDir, 'wasm', { workers: 1, measureSeconds: 0.2 });
    expect(estimate).not.toBeNull();
    expect(estimate!.numClasses).toBe(5);
    expect(estimate!.estimate.trials).toBe(16);
    expect(estimate!.estimate.flops).toBeGreaterThan(0);
    expect(estimate!.estimate.seconds).toBeGreaterThan(0);
    expect(estimate!.throughput.samplesPerSecond).toBeGreaterThan(0);
    // the second estimate (its throughput from the cache) leaves no tensors behind
    expect(tf.memory().numTensors).toBe(after);
  });
});
