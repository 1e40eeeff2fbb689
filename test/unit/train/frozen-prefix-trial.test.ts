/**
 * Partial fine-tuning with its frozen prefix computed once gives the trial that training through the frozen layers
 * gives (issue 19), records what it did in the trial's protocol, and falls back where the features would not fit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, type BackendInfo } from '../../../benchmarks/backend/select-backend.js';
import { buildModel } from '../../../benchmarks/models/architectures.js';
import { writeKerasMobilenet } from '../../../benchmarks/models/write-keras-mobilenet.js';
import { featuresLayer } from '../../../benchmarks/spec/describe-architecture.js';
import { loadSuite } from '../../../benchmarks/spec/load-suite.js';
import type { SuiteSpec } from '../../../benchmarks/spec/suite-schema.js';
import { clearFeatureStores, planFrozenFeatures } from '../../../benchmarks/train/frozen-features.js';
import { runTrial } from '../../../benchmarks/train/run-trial.js';
import { TINY_SUITE } from '../../integration/cli-helpers.js';

const ARCH = { name: 'mobilenet-v2' as const, alpha: 0.35, inputSize: 32 };
const noCallbacks = { onStart: () => {}, onEvaluation: () => {} };

describe('partial fine-tuning on a frozen prefix computed once', () => {
  let backend: BackendInfo;
  let dir: string;
  let spec: SuiteSpec;
  let base: { path: string; cutLayer: string };

  beforeAll(async () => {
    backend = await selectBackend('wasm');
    dir = mkdtempSync(join(tmpdir(), 'tb-frozen-prefix-'));
    writeKerasMobilenet(dir, { alpha: ARCH.alpha, inputSize: ARCH.inputSize, classes: 5, seed: 0, quantize: 'none' });
    base = { path: join(dir, 'model.json'), cutLayer: featuresLayer(ARCH) };
    const tiny = loadSuite({ kind: 'file', path: TINY_SUITE }).spec;
    spec = {
      ...tiny,
      architecture: ARCH,
      pixelScaling: '[-1,1]',
      pretrain: undefined,
      pretrainedModel: base,
      approaches: {
        partial: {
          ...tiny.approaches.finetune!,
          learningRate: 0.001,
          epochs: 2,
          minSteps: 8,
          trainFrom: 'block_15_expand',
        },
      },
    };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const trial = (cacheFrozenFeatures: boolean) =>
    runTrial(
      {
        trialId: 1,
        spec: { ...spec, cacheFrozenFeatures },
        baseDir: '/',
        key: { approach: 'partial', trainSize: 40, seed: 0 },
        base,
      },
      backend,
      noCallbacks,
    );

  it('gives the same trial as training through the frozen layers, and says so in its protocol', async () => {
    clearFeatureStores();
    const cached = await trial(true);
    const through = await trial(false);
    expect(cached.status, cached.error ?? '').toBe('done');
    expect(through.status, through.error ?? '').toBe('done');
    expect(cached.steps).toBe(through.steps);
    expect(cached.testAccuracy).toBe(through.testAccuracy);
    expect(cached.testLoss!).toBeCloseTo(through.testLoss!, 4);
    cached.epochRecords.forEach((record, i) => {
      expect(record.trainLoss).toBeCloseTo(through.epochRecords[i]!.trainLoss, 4);
      expect(record.valLoss).toBeCloseTo(through.epochRecords[i]!.valLoss, 4);
    });
    expect(cached.protocol?.frozenPrefix).toMatchObject({ featuresLayer: 'block_14_add', computedOnce: true });
    expect(cached.protocol?.frozenPrefix?.bytes).toBeGreaterThan(0);
    expect(through.protocol?.frozenPrefix).toBeUndefined();
  });

  it('declines features above the bound and records why', () => {
    const model = buildModel(ARCH, [32, 32, 3], 5, 1);
    const from = model.layers.findIndex((l) => l.name === 'block_16_expand');
    model.layers.forEach((layer, i) => (layer.trainable = i >= from));
    const before = tf.memory().numTensors;
    const fits = planFrozenFeatures(model, 100);
    expect(fits.split).not.toBeNull();
    expect(fits.record).toMatchObject({ computedOnce: true, examples: 100 });
    fits.split!.top.dispose();
    const tooBig = planFrozenFeatures(model, 100, 1000);
    expect(tooBig.split).toBeNull();
    expect(tooBig.record).toMatchObject({ computedOnce: false, examples: 100, bytes: fits.record!.bytes });
    expect(tooBig.record!.reason).toMatch(/above the .* a trial may hold: trained through the frozen layers/);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
