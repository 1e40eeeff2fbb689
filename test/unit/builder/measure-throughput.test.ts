/**
 * The speed measurement behind every estimate: at the suite's own batch size, in seconds even for a large model (it
 * once trained 512 examples whatever the model: over a minute for a MobileNetV2 at 224×224, and a MobileNetV2 1.0 at
 * 224×224 in batches of 32 overflowed the wasm memory), and leaving no tensor behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, type BackendInfo } from '../../../benchmarks/backend/select-backend.js';
import { measureBatchSize, measureThroughput, timedPasses } from '../../../benchmarks/builder/estimate.js';
import { suiteSpec, type SuiteSpec } from '../../../benchmarks/spec/suite-schema.js';

const mlp = (batchSizes: Record<string, number | undefined>): SuiteSpec =>
  suiteSpec.parse({
    name: 'measure',
    architecture: 'mlp',
    pretrain: { dataset: { kind: 'mnist', classes: [0, 1] }, epochs: 1 },
    target: { dataset: { kind: 'mnist' }, testPerClass: 10 },
    sizes: [10],
    seeds: [0],
    approaches: Object.fromEntries(
      Object.entries(batchSizes).map(([approach, batchSize]) => [
        approach,
        { learningRate: 0.001, epochs: 1, ...(batchSize === undefined ? {} : { batchSize }) },
      ]),
    ),
  });

describe('measureThroughput', () => {
  let backend: BackendInfo;
  beforeAll(async () => {
    backend = await selectBackend('wasm');
  });

  it("measures at the suite's largest batch size, 32 when it sets none", () => {
    expect(measureBatchSize(mlp({ scratch: 8 }))).toBe(8);
    expect(measureBatchSize(mlp({ scratch: 8, finetune: 16 }))).toBe(16);
    expect(measureBatchSize(mlp({ scratch: undefined }))).toBe(32);
  });

  it('times a large model in passes of two batches, a small one in passes of 256 examples', () => {
    expect(timedPasses(5.3, 1.5)).toBe('pairs'); // MobileNetV2 0.35 at 224×224: 64 examples at 12 a second
    expect(timedPasses(0.01, 1.5)).toBe('whole'); // the MLP
    expect(timedPasses(0.375, 1.5)).toBe('whole');
    expect(timedPasses(0.376, 1.5)).toBe('pairs');
  });

  it('times two batches, then whole passes, and leaves no tensor behind', async () => {
    const before = tf.memory().numTensors;
    const measured = await measureThroughput(mlp({ scratch: 32 }), [28, 28, 1], 10, backend, 0.3);
    expect(tf.memory().numTensors).toBe(before);
    expect(measured.samplesPerSecond).toBeGreaterThan(0);
    // the two batches timed first, then whole passes (of 64 or 256 examples: timedPasses, on this machine's speed
    // right now; none more when the two batches took the whole time)
    expect(measured.measuredSamples!).toBeGreaterThanOrEqual(64);
    expect(measured.measuredSamples! % 64).toBe(0);
  });

  it('times one pass of two batches when they took longer than a quarter of the time it may take', async () => {
    const before = tf.memory().numTensors;
    // a measurement allowed almost no time stands for a model whose warm-up is slow
    const measured = await measureThroughput(mlp({ scratch: 8 }), [28, 28, 1], 10, backend, 1e-6);
    expect(measured.measuredSamples).toBe(16);
    expect(measured.samplesPerSecond).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });
});
