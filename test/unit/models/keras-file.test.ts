import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, type BackendInfo } from '../../../benchmarks/backend/select-backend.js';
import { APPROACHES } from '../../../benchmarks/domain.js';
import { UserError } from '../../../benchmarks/errors.js';
import { kerasSnakeCase } from '../../../benchmarks/models/keras-file.js';
import { loadModel } from '../../../benchmarks/models/model-io.js';
import { prepareModel } from '../../../benchmarks/models/model-source.js';
import { buildKerasMobilenetV2 } from '../../../benchmarks/models/mobilenet-v2.js';
import { calibrateBatchNorm } from '../../../benchmarks/models/write-keras-mobilenet.js';
import { parseSuite } from '../../../benchmarks/spec/load-suite.js';
import { checkSuite } from '../../../benchmarks/train/check-suite.js';
import { runTrial } from '../../../benchmarks/train/run-trial.js';
import { keras2Config, writeKeras2H5, writeKeras2Weights, writeKeras3Archive } from '../../support/keras-files.js';

const noCallbacks = { onStart: () => {}, onEvaluation: () => {} };
let dir: string;
let backend: BackendInfo;
let mobilenet: tfl.LayersModel;
const cache = process.env.TRANSFER_BENCH_CACHE;

beforeAll(async () => {
  backend = await selectBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'keras-file-'));
  process.env.TRANSFER_BENCH_CACHE = join(dir, 'cache');
  mobilenet = buildKerasMobilenetV2({ alpha: 0.35, inputSize: 32, classes: 10, seed: 4 });
  calibrateBatchNorm(mobilenet, 32, 4, 8);
});

afterAll(() => {
  mobilenet.dispose();
  rmSync(dir, { recursive: true, force: true });
  if (cache === undefined) delete process.env.TRANSFER_BENCH_CACHE;
  else process.env.TRANSFER_BENCH_CACHE = cache;
});

/** The predictions of two models on the same seeded images agree. */
function expectSameOutputs(a: tfl.LayersModel, b: tfl.LayersModel) {
  const diff = tf.tidy(() => {
    const x = tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 9);
    return tf.max(tf.abs(tf.sub(a.predict(x) as tf.Tensor, b.predict(x) as tf.Tensor)));
  });
  expect(diff.dataSync()[0]).toBeLessThan(1e-5);
  diff.dispose();
}

describe('Keras files', () => {
  it('names layer classes as Keras 3 does', () => {
    expect(
      ['Conv2D', 'DepthwiseConv2D', 'ReLU', 'BatchNormalization', 'GlobalAveragePooling2D', 'ZeroPadding2D'].map(
        kerasSnakeCase,
      ),
    ).toEqual([
      'conv2d',
      'depthwise_conv2d',
      're_lu',
      'batch_normalization',
      'global_average_pooling2d',
      'zero_padding2d',
    ]);
  });

  it('reads a Keras 2 .h5 (full model), a weights-only Keras Applications .h5 and a Keras 3 .keras: the same MobileNetV2', async () => {
    const full = join(dir, 'mobilenet_v2.h5');
    await writeKeras2H5(full, mobilenet);
    // Keras Applications' weights file of MobileNetV2 without its top: the backbone up to out_relu
    const noTop = tfl.model({
      inputs: mobilenet.inputs,
      outputs: mobilenet.getLayer('out_relu').output as tfl.SymbolicTensor,
    });
    const weightsOnly = join(dir, 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_32_no_top.h5');
    await writeKeras2Weights(weightsOnly, noTop);
    const archive = join(dir, 'mobilenet_v2.keras');
    await writeKeras3Archive(archive, mobilenet, dir);
    const leaks: Record<string, number> = {};
    for (const file of [full, weightsOnly, archive]) {
      const before = tf.memory().numTensors;
      const ready = await prepareModel(file, '/');
      expect(ready.kind).toBe(file.endsWith('.keras') ? 'keras-archive' : 'keras-h5');
      expect(ready.fetched).toBe(true);
      const model = await loadModel(ready.path);
      const original = file === weightsOnly ? noTop : mobilenet;
      expect(model.layers.map((l) => l.name)).toEqual(original.layers.map((l) => l.name));
      expectSameOutputs(model, original);
      model.dispose();
      // converted once: the second time it is read from the cache
      expect((await prepareModel(file, '/')).fetched).toBe(false);
      leaks[file] = tf.memory().numTensors - before;
    }
    expect(leaks).toEqual({ [full]: 0, [weightsOnly]: 0, [archive]: 0 });
  });

  it('refuses a layer TensorFlow.js lacks in one line naming it and the file', async () => {
    const config = keras2Config(mobilenet) as { config: { layers: { class_name: string }[] } };
    config.config.layers[5]!.class_name = 'RandomFourierFeatures';
    const file = join(dir, 'odd.h5');
    await writeKeras2H5(file, mobilenet, config);
    const error = await prepareModel(file, '/').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      `${file} has a layer of type RandomFourierFeatures, which Transfer Bench cannot run (TensorFlow.js has no such layer): cut the model below it in Keras, or bring another model`,
    );
    const plain = join(dir, 'weights.h5');
    await writeKeras2Weights(plain, mobilenet);
    await expect(prepareModel(plain, '/')).rejects.toThrow(/holds weights only \(no model_config\)/);
  });

  it('is brought as pretrainedModel from a .keras file, cut and trained by every approach', async () => {
    const archive = join(dir, 'train.keras');
    await writeKeras3Archive(archive, mobilenet, dir);
    const ready = await prepareModel(archive, '/');
    const suite = parseSuite(
      JSON.stringify({
        name: 'keras-file',
        architecture: 'cnn',
        pixelScaling: '[-1,1]',
        pretrainedModel: { path: archive, cutLayer: 'global_average_pooling2d', sha256: ready.sha256 },
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
              epochs: 1,
              minSteps: 3,
              ...(a === 'partial' ? { trainFrom: 'block_16_expand' } : {}),
            },
          ]),
        ),
      }),
      'test suite',
      '/',
    );
    const base = { path: ready.path, cutLayer: 'global_average_pooling2d' };
    await checkSuite({ spec: suite.spec, baseDir: '/', base });
    for (const approach of APPROACHES) {
      const result = await runTrial(
        { trialId: 1, spec: suite.spec, baseDir: '/', key: { approach, trainSize: 15, seed: 0 }, base },
        backend,
        noCallbacks,
      );
      expect(result.status, result.error ?? '').toBe('done');
    }
  });
});
