import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, type BackendInfo } from '../../../benchmarks/backend/select-backend.js';
import { APPROACHES } from '../../../benchmarks/domain.js';
import { UserError } from '../../../benchmarks/errors.js';
import { toFloat16Bits } from '../../../benchmarks/models/converted-format.js';
import { loadModel } from '../../../benchmarks/models/model-io.js';
import { writeKerasMobilenet } from '../../../benchmarks/models/write-keras-mobilenet.js';
import { parseSuite } from '../../../benchmarks/spec/load-suite.js';
import { checkSuite } from '../../../benchmarks/train/check-suite.js';
import { checkAdaptable } from '../../../benchmarks/train/input-adapter.js';
import { runTrial } from '../../../benchmarks/train/run-trial.js';

const noCallbacks = { onStart: () => {}, onEvaluation: () => {} };
const FIXTURES = resolve(import.meta.dirname, '..', '..', 'fixtures');

describe('a Keras MobileNetV2 in the converter layout', () => {
  let dir: string;
  let backend: BackendInfo;
  const options = { alpha: 0.35, inputSize: 32, classes: 10, seed: 3 };

  beforeAll(async () => {
    backend = await selectBackend('wasm');
    dir = mkdtempSync(join(tmpdir(), 'keras-mobilenet-'));
    for (const quantize of ['uint8', 'float16', 'none'] as const) {
      writeKerasMobilenet(join(dir, quantize), { ...options, quantize });
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the quantised manifest as tensorflowjs_converter does, and loads within the quantisation error', async () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'uint8', 'model.json'), 'utf8')) as {
      modelTopology: { model_config: { class_name: string } };
      weightsManifest: {
        weights: { name: string; dtype: string; quantization?: { dtype: string; scale?: number; min?: number } }[];
      }[];
    };
    expect(manifest.modelTopology.model_config.class_name).toBe('Model');
    const specs = manifest.weightsManifest[0]!.weights;
    expect(specs.map((w) => w.name)).toContain('block_13_expand/kernel');
    for (const spec of specs) {
      expect(spec.dtype).toBe('float32');
      expect(spec.quantization?.dtype).toBe('uint8');
      expect(typeof spec.quantization?.scale).toBe('number');
      expect(typeof spec.quantization?.min).toBe('number');
    }
    const exact = await loadModel(join(dir, 'none'));
    const uint8 = await loadModel(join(dir, 'uint8'));
    const half = await loadModel(join(dir, 'float16'));
    expect(uint8.layers.map((l) => l.name)).toEqual(exact.layers.map((l) => l.name));
    for (const name of ['Conv1', 'block_13_expand', 'out_relu', 'predictions'])
      expect(uint8.getLayer(name)).toBeDefined();
    const weights = (m: typeof exact): Float32Array[] => m.getWeights().map((w) => w.dataSync() as Float32Array);
    const [e, u, h] = [weights(exact), weights(uint8), weights(half)];
    e.forEach((values, i) => {
      const scale = specs[i]!.quantization!.scale!;
      let worstUint8 = 0;
      let worstHalf = 0;
      values.forEach((v, j) => {
        worstUint8 = Math.max(worstUint8, Math.abs(u[i]![j]! - v));
        worstHalf = Math.max(worstHalf, Math.abs(h[i]![j]! - v) / Math.max(Math.abs(v), 6e-5));
      });
      expect(worstUint8).toBeLessThanOrEqual(scale / 2 + 1e-6);
      expect(worstHalf).toBeLessThan(1e-3);
    });
    [exact, uint8, half].forEach((m) => m.dispose());
  });

  it('rounds float32 to half precision as IEEE 754 does', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(1e6)).toBe(0x7c00);
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001);
    expect(toFloat16Bits(0)).toBe(0);
  });

  it('is brought as pretrainedModel, cut, and trained by every approach on 28×28 digits (resized, repeated to RGB)', async () => {
    const suite = parseSuite(
      JSON.stringify({
        name: 'keras-mobilenet',
        architecture: 'cnn',
        pixelScaling: '[-1,1]',
        pretrainedModel: { path: join(dir, 'uint8', 'model.json'), cutLayer: 'global_average_pooling2d' },
        target: { dataset: { kind: 'mnist', classes: [5, 6, 7] }, testPerClass: 10 },
        sizes: [15],
        seeds: [0],
        // one training per trial: 15 examples leave under 10 a class for validation, where a suite cross-validates
        // by default (5 folds and a final training); the cut and the approaches are what is tested here
        crossValidateBelow: 0,
        approaches: Object.fromEntries(
          APPROACHES.map((a) => [
            a,
            {
              learningRate: 0.001,
              batchSize: 8,
              epochs: 2,
              minSteps: 4,
              ...(a === 'partial' ? { trainFrom: 'block_13_expand' } : {}),
            },
          ]),
        ),
      }),
      'test suite',
      '/',
    );
    const base = { path: join(dir, 'uint8', 'model.json'), cutLayer: 'global_average_pooling2d' };
    await checkSuite({ spec: suite.spec, baseDir: '/', base });
    const trainable: Record<string, number> = {};
    const totals = new Set<number | null>();
    for (const approach of APPROACHES) {
      const result = await runTrial(
        { trialId: 1, spec: suite.spec, baseDir: '/', key: { approach, trainSize: 15, seed: 0 }, base },
        backend,
        noCallbacks,
      );
      expect(result.status, result.error ?? '').toBe('done');
      expect(result.testAccuracy).not.toBeNull();
      trainable[approach] = result.trainableParams!;
      totals.add(result.totalParams);
    }
    // the new head: 1280 features × 3 classes + 3
    expect(trainable['linear-probe']).toBe(1280 * 3 + 3);
    expect(trainable.partial).toBeGreaterThan(trainable['linear-probe']!);
    expect(trainable.partial).toBeLessThan(trainable.finetune!);
    expect(trainable.scratch).toBe(trainable.finetune);
    // the same cut model in every approach
    expect(totals.size).toBe(1);
  });

  it('refuses, before the run, what cannot be fitted to it: a trainFrom it lacks, a table, 4 channels', async () => {
    const base = { path: join(dir, 'uint8', 'model.json'), cutLayer: 'global_average_pooling2d' };
    const suite = (target: object, partial: object = {}) =>
      parseSuite(
        JSON.stringify({
          name: 'refusals',
          architecture: 'cnn',
          pretrainedModel: base,
          target,
          sizes: [15],
          seeds: [0],
          approaches: { partial: { learningRate: 0.001, epochs: 1, ...partial } },
        }),
        'test suite',
        FIXTURES,
      ).spec;
    const digits = { dataset: { kind: 'mnist', classes: [5, 6, 7] }, testPerClass: 10 };
    await expect(
      checkSuite({ spec: suite(digits, { trainFrom: 'block_99_expand' }), baseDir: FIXTURES, base }),
    ).rejects.toThrow(/trainFrom "block_99_expand": the model has no such layer/);
    const table = { dataset: { kind: 'csv', path: 'iris.csv', label: 'species' }, testPerClass: 10 };
    await expect(checkSuite({ spec: suite(table), baseDir: FIXTURES, base })).rejects.toThrow(
      /is a table of 4 feature columns/,
    );
    expect(() => checkAdaptable([28, 28, 4], { shape: [32, 32, 3], scaling: '[0,1]' }, 'the model')).toThrow(UserError);
    expect(() => checkAdaptable([28, 28, 4], { shape: [32, 32, 3], scaling: '[0,1]' }, 'the model')).toThrow(
      /takes 3-channel images but the data has 4 channels/,
    );
  });
});
