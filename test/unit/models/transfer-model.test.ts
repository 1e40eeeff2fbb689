import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';
import type { Approach } from '../../../benchmarks/domain.js';
import { UserError } from '../../../benchmarks/errors.js';
import { buildModel } from '../../../benchmarks/models/architectures.js';
import { buildTrialModel } from '../../../benchmarks/models/transfer-model.js';
import type { TrialModelOptions } from '../../../benchmarks/models/transfer-model.js';

const SHAPE: [number, number, number] = [12, 12, 1];

function values(model: tfl.LayersModel, layer: string): number[][] {
  return model
    .getLayer(layer)
    .getWeights()
    .map((w) => Array.from(w.dataSync()));
}

function trainableLayers(model: tfl.LayersModel): string[] {
  return model.layers.filter((l) => l.trainable && l.trainableWeights.length > 0).map((l) => l.name);
}

/** One Adam step on random data, as the trainer does it. */
function trainOneStep(model: tfl.LayersModel, numClasses: number): void {
  const optimizer = tf.train.adam(0.01);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  tf.tidy(() => {
    const x = tf.randomUniform([8, ...SHAPE], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), numClasses);
    optimizer.minimize(
      () =>
        tf.mean(tfl.metrics.categoricalCrossentropy(y, model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar,
      false,
      variables,
    );
  });
  optimizer.dispose();
}

describe('buildTrialModel', () => {
  let cnnBase: tfl.LayersModel;
  let mlpBase: tfl.LayersModel;
  const options = (approach: Approach, extra: Partial<TrialModelOptions> = {}): TrialModelOptions => ({
    approach,
    arch: 'cnn',
    inputShape: SHAPE,
    numClasses: 3,
    seed: 9,
    base: cnnBase,
    cutLayer: 'features',
    ...extra,
  });

  beforeAll(async () => {
    await selectBackend('cpu');
    cnnBase = buildModel('cnn', SHAPE, 5, 1);
    mlpBase = buildModel('mlp', SHAPE, 5, 1);
  });
  afterAll(() => {
    cnnBase.dispose();
    mlpBase.dispose();
  });

  it('scratch: the built-in architecture from the seed, ignoring the base', () => {
    const model = buildTrialModel(options('scratch'));
    const fresh = buildModel('cnn', SHAPE, 3, 9);
    expect(model.layers.map((l) => l.name)).toEqual(fresh.layers.map((l) => l.name));
    expect(values(model, 'conv1')).toEqual(values(fresh, 'conv1'));
    expect(values(model, 'conv1')).not.toEqual(values(cnnBase, 'conv1'));
    expect(trainableLayers(model)).toEqual(['conv1', 'conv2', 'features', 'head']);
    model.dispose();
    fresh.dispose();
  });

  it('finetune: the base up to the cut, its weights copied, a new head, everything trainable', () => {
    const model = buildTrialModel(options('finetune'));
    expect(model.layers.map((l) => l.name)).toEqual([
      'input',
      'conv1',
      'pool1',
      'conv2',
      'pool2',
      'flatten',
      'features',
      'head',
    ]);
    for (const layer of ['conv1', 'conv2', 'features']) expect(values(model, layer)).toEqual(values(cnnBase, layer));
    expect(model.outputs[0]!.shape).toEqual([null, 3]);
    expect(model.getLayer('head').getWeights()[0]!.shape).toEqual([64, 3]);
    expect(trainableLayers(model)).toEqual(['conv1', 'conv2', 'features', 'head']);
    model.dispose();
  });

  it('training a trial never changes the base', () => {
    const before = { conv1: values(cnnBase, 'conv1'), features: values(cnnBase, 'features') };
    const model = buildTrialModel(options('finetune'));
    trainOneStep(model, 3);
    expect(values(model, 'conv1')).not.toEqual(before.conv1);
    expect(values(cnnBase, 'conv1')).toEqual(before.conv1);
    expect(values(cnnBase, 'features')).toEqual(before.features);
    model.dispose();
    // the base still works once the trial is gone
    const out = tf.tidy(() => (cnnBase.predict(tf.zeros([1, ...SHAPE])) as tf.Tensor).shape);
    expect(out).toEqual([1, 5]);
  });

  it('linear-probe: only the head trains, and training leaves the backbone as it was', () => {
    const model = buildTrialModel(options('linear-probe'));
    expect(trainableLayers(model)).toEqual(['head']);
    expect(model.trainableWeights.map((w) => w.originalName)).toEqual(['head/kernel', 'head/bias']);
    const headBefore = values(model, 'head');
    trainOneStep(model, 3);
    expect(values(model, 'conv2')).toEqual(values(cnnBase, 'conv2'));
    expect(values(model, 'head')).not.toEqual(headBefore);
    model.dispose();
  });

  it('partial: the top k blocks of the backbone and the head train', () => {
    const one = buildTrialModel(options('partial'));
    expect(trainableLayers(one)).toEqual(['features', 'head']);
    one.dispose();
    const two = buildTrialModel(options('partial', { trainableBlocks: 2 }));
    expect(trainableLayers(two)).toEqual(['conv2', 'features', 'head']);
    two.dispose();
    const mlp = buildTrialModel(options('partial', { arch: 'mlp', base: mlpBase, trainableBlocks: 2 }));
    expect(trainableLayers(mlp)).toEqual(['dense1', 'features', 'head']);
    expect(mlp.getLayer('head').getWeights()[0]!.shape).toEqual([128, 3]);
    mlp.dispose();
  });

  it('partial: more blocks than the backbone has is a UserError listing them', () => {
    expect(() => buildTrialModel(options('partial', { trainableBlocks: 4 }))).toThrow(UserError);
    expect(() => buildTrialModel(options('partial', { trainableBlocks: 4 }))).toThrow(
      /has 3 \(conv1, conv2, features\)/,
    );
    expect(() => buildTrialModel(options('partial', { trainableBlocks: 0 }))).toThrow(UserError);
  });

  it('an unknown cut layer is a UserError naming it and listing the layers', () => {
    const attempt = (): unknown => buildTrialModel(options('finetune', { cutLayer: 'fc7' }));
    expect(attempt).toThrow(UserError);
    expect(attempt).toThrow(/layer "fc7" is not in the pretrained model .*conv1, pool1, conv2/);
  });

  it('needs a base for every approach but scratch', () => {
    expect(() => buildTrialModel(options('linear-probe', { base: undefined }))).toThrow(/needs a pretrained model/);
  });

  it("a user's model: blocks are its weighted layers up to the cut; spatial features are flattened; names kept free", () => {
    // a Sequential model with its own naming, including a layer called "head" below the cut
    const user = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: SHAPE, filters: 4, kernelSize: 3, name: 'c1' }),
        tfl.layers.conv2d({ filters: 6, kernelSize: 3, name: 'c2' }),
        tfl.layers.flatten({ name: 'flat' }),
        tfl.layers.dense({ units: 7, name: 'head' }),
        tfl.layers.dense({ units: 2, name: 'out' }),
      ],
    });
    const atConv = buildTrialModel(options('partial', { base: user, cutLayer: 'c2', trainableBlocks: 1 }));
    expect(atConv.layers.map((l) => l.name).slice(-2)).toEqual(['head_flatten', 'head']);
    expect(trainableLayers(atConv)).toEqual(['c2', 'head']);
    expect(atConv.outputs[0]!.shape).toEqual([null, 3]);
    atConv.dispose();

    const atDense = buildTrialModel(options('partial', { base: user, cutLayer: 'head', trainableBlocks: 2 }));
    expect(atDense.layers.map((l) => l.name).slice(-2)).toEqual(['head', 'head_1']);
    expect(trainableLayers(atDense)).toEqual(['c2', 'head', 'head_1']);
    expect(values(atDense, 'c1')).toEqual(values(user, 'c1'));
    atDense.dispose();
    user.dispose();
  });

  it('leaves no tensors behind when trial models are built, trained and disposed repeatedly', () => {
    const approaches: Approach[] = ['scratch', 'finetune', 'linear-probe', 'partial'];
    const before = tf.memory().numTensors;
    for (let round = 0; round < 2; round++) {
      for (const approach of approaches) {
        const model = buildTrialModel(options(approach, { seed: round }));
        trainOneStep(model, 3);
        model.dispose();
      }
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
