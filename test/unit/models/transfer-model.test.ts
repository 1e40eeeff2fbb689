import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';
import type { Approach } from '../../../benchmarks/domain.js';
import { UserError } from '../../../benchmarks/errors.js';
import { buildModel } from '../../../benchmarks/models/architectures.js';
import { countParams } from '../../../benchmarks/models/flops.js';
import { buildTrialModel } from '../../../benchmarks/models/transfer-model.js';
import type { TrialModelOptions } from '../../../benchmarks/models/transfer-model.js';

const SHAPE: [number, number, number] = [12, 12, 1];

function values(model: tfl.LayersModel, layer: string): number[][] {
  return model
    .getLayer(layer)
    .getWeights()
    .map((w) => Array.from(w.dataSync()));
}

/** FNV-1a over every weight's float32 bytes: equal prints mean bit-identical weights. */
function fingerprint(model: tfl.LayersModel): string {
  let h = 0x811c9dc5;
  for (const w of model.getWeights()) {
    for (const b of new Uint8Array(new Float32Array(w.dataSync()).buffer)) h = Math.imul(h ^ b, 16777619) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** A configuration with every `seed` left out. */
function withoutSeeds(config: unknown): unknown {
  return JSON.parse(JSON.stringify(config, (key, value: unknown) => (key === 'seed' ? undefined : value)));
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

  it('scratch without a base: the built-in architecture from the seed, the same weights as before', () => {
    const model = buildTrialModel(options('scratch', { base: undefined }));
    const fresh = buildModel('cnn', SHAPE, 3, 9);
    expect(model.layers.map((l) => l.name)).toEqual(fresh.layers.map((l) => l.name));
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(
      fresh.getWeights().map((w) => Array.from(w.dataSync())),
    );
    // pinned: the weights scratch trained from before it could take the base's architecture (any backend)
    expect(fingerprint(model)).toBe('fa3e4283');
    expect(trainableLayers(model)).toEqual(['conv1', 'conv2', 'features', 'head']);
    model.dispose();
    fresh.dispose();
  });

  it('scratch from our own base is bit-identical to the built-in architecture, never the base weights', () => {
    for (const [arch, base, print] of [
      ['cnn', cnnBase, 'fa3e4283'],
      ['mlp', mlpBase, '32ee9545'],
    ] as const) {
      const model = buildTrialModel(options('scratch', { arch, base }));
      const fresh = buildModel(arch, SHAPE, 3, 9);
      expect(model.layers.map((l) => l.name)).toEqual(fresh.layers.map((l) => l.name));
      expect(fingerprint(model)).toBe(print);
      expect(fingerprint(model)).toBe(fingerprint(fresh));
      expect(values(model, 'features')).not.toEqual(values(base, 'features'));
      model.dispose();
      fresh.dispose();
    }
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
      const scratch = buildTrialModel(options('scratch', { seed: round, base: undefined }));
      trainOneStep(scratch, 3);
      scratch.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

type Initializer = ReturnType<typeof tfl.initializers.zeros>;
const Zeros = tfl.initializers.zeros().constructor as tf.serialization.SerializableConstructor<Initializer>;
/** An initializer of a class scratch does not know (a user's own): it must refuse it, not keep pretrained weights. */
class UnseededInit extends Zeros {
  static override className = 'UnseededInit';
}
tf.serialization.registerClass(UnseededInit);

/** A layer with a weight whose configuration names no initializer. */
class ScaleLayer extends tfl.layers.Layer {
  static className = 'TestScale';
  private scale: tfl.LayerVariable | undefined;
  override build(): void {
    this.scale = this.addWeight('scale', [1], 'float32', tfl.initializers.ones());
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.mul(x, this.scale!.read());
  }
}

describe("scratch with a user's model: its architecture, fresh seeded weights", () => {
  let user: tfl.LayersModel;
  const options = (approach: Approach, extra: Partial<TrialModelOptions> = {}): TrialModelOptions => ({
    approach,
    arch: 'mlp',
    inputShape: SHAPE,
    numClasses: 3,
    seed: 4,
    base: user,
    cutLayer: 'embed',
    ...extra,
  });
  /** The backbone's weights: every layer of the model but the new head. */
  const backboneWeights = (model: tfl.LayersModel): tfl.LayerVariable[] =>
    model.layers.filter((l) => l.name !== 'head').flatMap((l) => l.weights);

  beforeAll(async () => {
    await selectBackend('cpu');
    // names unlike ours, a non-default bias initializer, batch norm (fixed initializers), a layer above the cut
    const input = tfl.input({ shape: SHAPE, name: 'pixels' });
    let x = tfl.layers
      .conv2d({
        filters: 4,
        kernelSize: 3,
        name: 'stem',
        kernelInitializer: 'heNormal',
        biasInitializer: tfl.initializers.randomNormal({ mean: 0, stddev: 0.1 }),
      })
      .apply(input) as tfl.SymbolicTensor;
    x = tfl.layers.batchNormalization({ name: 'norm' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.flatten({ name: 'unroll' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers
      .dense({
        units: 8,
        activation: 'relu',
        name: 'embed',
        biasInitializer: tfl.initializers.constant({ value: 0.1 }),
      })
      .apply(x) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 2, name: 'logits' }).apply(x) as tfl.SymbolicTensor;
    user = tfl.model({ inputs: input, outputs: out, name: 'users-net' });
    // "pretrained": every weight moved away from anything an initializer gives
    const pretrained = user.getWeights().map((w, i) => tf.randomNormal(w.shape, 0.5, 1, 'float32', 100 + i));
    user.setWeights(pretrained);
    tf.dispose(pretrained);
  });
  afterAll(() => user.dispose());

  it('has the layers and weight shapes of finetune, every one trainable', () => {
    const scratch = buildTrialModel(options('scratch'));
    const finetune = buildTrialModel(options('finetune'));
    expect(scratch.layers.map((l) => l.name)).toEqual(['pixels', 'stem', 'norm', 'unroll', 'embed', 'head']);
    expect(scratch.layers.map((l) => l.getClassName())).toEqual(finetune.layers.map((l) => l.getClassName()));
    expect(scratch.weights.map((w) => [w.originalName, w.shape])).toEqual(
      finetune.weights.map((w) => [w.originalName, w.shape]),
    );
    expect(scratch.outputs[0]!.shape).toEqual([null, 3]);
    // the same configuration, layer by layer, but for the initializers' seeds
    expect(withoutSeeds(scratch.getConfig().layers)).toEqual(withoutSeeds(finetune.getConfig().layers));
    // every layer trains, as in finetune; batch norm's moving statistics are the only weights that do not
    expect(countParams(scratch)).toEqual(countParams(finetune));
    expect(scratch.trainableWeights.length).toBe(scratch.weights.length - 2);
    // the head is the one the other approaches get from this seed
    expect(values(scratch, 'head')).toEqual(values(finetune, 'head'));
    scratch.dispose();
    finetune.dispose();
  });

  it("draws every weight afresh from its layer's own initializer, never from the base", () => {
    const scratch = buildTrialModel(options('scratch'));
    const base = new Map(user.weights.map((w) => [w.name, Array.from(w.read().dataSync())]));
    for (const w of backboneWeights(scratch)) {
      expect(Array.from(w.read().dataSync()), w.name).not.toEqual(base.get(w.name));
    }
    const [, bias] = values(scratch, 'stem');
    expect(bias!.some((v) => v !== 0)).toBe(true);
    expect(Math.max(...bias!.map(Math.abs))).toBeLessThan(0.5); // randomNormal, stddev 0.1
    expect(values(scratch, 'embed')[1]).toEqual(Array(8).fill(Math.fround(0.1))); // constant 0.1
    const [gamma, beta, movingMean, movingVariance] = values(scratch, 'norm');
    expect([gamma, beta, movingMean, movingVariance]).toEqual([
      [1, 1, 1, 1],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [1, 1, 1, 1],
    ]);
    scratch.dispose();
  });

  it('gives identical weights for the same seed and different ones for another', () => {
    const a = buildTrialModel(options('scratch'));
    const b = buildTrialModel(options('scratch'));
    const c = buildTrialModel(options('scratch', { seed: 5 }));
    expect(fingerprint(a)).toBe(fingerprint(b));
    for (const layer of ['stem', 'embed', 'head']) expect(values(c, layer)[0]).not.toEqual(values(a, layer)[0]);
    expect(values(c, 'stem')[1]).not.toEqual(values(a, 'stem')[1]);
    for (const m of [a, b, c]) m.dispose();
  });

  it('leaves no tensors behind, and the base as it was', () => {
    const before = tf.memory().numTensors;
    const baseBefore = fingerprint(user);
    for (const seed of [1, 2]) {
      const model = buildTrialModel(options('scratch', { seed }));
      trainOneStep(model, 3);
      model.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(fingerprint(user)).toBe(baseBefore);
  });

  it('refuses, naming the layer, an initializer it cannot seed or re-create', () => {
    const input = tfl.input({ shape: SHAPE, name: 'img' });
    const flat = tfl.layers.flatten({ name: 'flat' }).apply(input);
    const mystery = tfl.layers.dense({ units: 4, name: 'mystery', kernelInitializer: new UnseededInit() }).apply(flat);
    const odd = tfl.model({ inputs: input, outputs: mystery as tfl.SymbolicTensor });
    const attempt = (): unknown => buildTrialModel(options('scratch', { base: odd, cutLayer: 'mystery' }));
    expect(attempt).toThrow(UserError);
    expect(attempt).toThrow(/layer "mystery".*kernelInitializer \(UnseededInit\) cannot be seeded or re-created/);
    const finetune = buildTrialModel(options('finetune', { base: odd, cutLayer: 'mystery' }));
    finetune.dispose();
    odd.dispose();
  });

  it('refuses, naming the layer, weights whose configuration names no initializer', () => {
    const input = tfl.input({ shape: SHAPE, name: 'img' });
    const flat = tfl.layers.flatten({ name: 'flat' }).apply(input);
    const scaled = new ScaleLayer({ name: 'gain' }).apply(flat) as tfl.SymbolicTensor;
    const odd = tfl.model({ inputs: input, outputs: scaled });
    const attempt = (): unknown => buildTrialModel(options('scratch', { base: odd, cutLayer: 'gain' }));
    expect(attempt).toThrow(UserError);
    expect(attempt).toThrow(/layer "gain" .*names no initializer/);
    odd.dispose();
  });
});
