import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';
import { UserError } from '../../../benchmarks/errors.js';
import { ARCHITECTURE_BLOCKS, buildModel, layerSeed } from '../../../benchmarks/models/architectures.js';
import { backboneBlocks } from '../../../benchmarks/models/transfer-model.js';

function weightValues(model: tfl.LayersModel): number[][] {
  return model.getWeights().map((w) => Array.from(w.dataSync()));
}

function inboundLayerName(model: tfl.LayersModel, layer: string): string | undefined {
  return model.getLayer(layer).inboundNodes[0]?.inboundLayers[0]?.name;
}

describe('buildModel', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('builds the CNN with stable layer names, features feeding the head', () => {
    const model = buildModel('cnn', [28, 28, 1], 10, 1);
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
    expect(model.outputs[0]!.shape).toEqual([null, 10]);
    expect(model.getLayer('features').outputShape).toEqual([null, 64]);
    expect(inboundLayerName(model, 'head')).toBe('features');
    expect(model.getLayer('conv1').getWeights()[0]!.shape).toEqual([3, 3, 1, 16]);
    expect(model.getLayer('conv2').getWeights()[0]!.shape).toEqual([3, 3, 16, 32]);
    model.dispose();
  });

  it('builds the MLP 784-256-128-head', () => {
    const model = buildModel('mlp', [28, 28, 1], 5, 1);
    expect(model.layers.map((l) => l.name)).toEqual(['input', 'flatten', 'dense1', 'features', 'head']);
    expect(model.getLayer('dense1').getWeights()[0]!.shape).toEqual([784, 256]);
    expect(model.getLayer('features').outputShape).toEqual([null, 128]);
    expect(model.outputs[0]!.shape).toEqual([null, 5]);
    expect(inboundLayerName(model, 'head')).toBe('features');
    model.dispose();
  });

  it('names its blocks as ARCHITECTURE_BLOCKS says', () => {
    for (const arch of ['cnn', 'mlp'] as const) {
      const model = buildModel(arch, [28, 28, 1], 3, 0);
      expect(backboneBlocks(model, ['head'])).toEqual(ARCHITECTURE_BLOCKS[arch]);
      model.dispose();
    }
  });

  it('is reproducible from its seed, and different seeds give different weights', () => {
    const a = buildModel('cnn', [12, 12, 1], 4, 42);
    const b = buildModel('cnn', [12, 12, 1], 4, 42);
    const c = buildModel('cnn', [12, 12, 1], 4, 43);
    expect(weightValues(a)).toEqual(weightValues(b));
    expect(weightValues(a)[0]).not.toEqual(weightValues(c)[0]);
    for (const m of [a, b, c]) m.dispose();
  });

  it('gives each layer its own seed', () => {
    expect(layerSeed(1, 'conv1')).not.toBe(layerSeed(1, 'conv2'));
    expect(layerSeed(1, 'conv1')).not.toBe(layerSeed(2, 'conv1'));
    expect(layerSeed(1, 'conv1')).toBe(layerSeed(1, 'conv1'));
  });

  it('rejects inputs the CNN cannot take and fewer than two classes', () => {
    expect(() => buildModel('cnn', [8, 28, 1], 10, 0)).toThrow(UserError);
    expect(() => buildModel('cnn', [8, 28, 1], 10, 0)).toThrow(/at least 10×10/);
    expect(() => buildModel('mlp', [28, 28, 1], 1, 0)).toThrow(/at least 2 classes/);
    expect(() => buildModel('mlp', [28, 0, 1], 3, 0)).toThrow(UserError);
  });

  it('leaves no tensors behind once disposed', () => {
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) buildModel('cnn', [28, 28, 1], 10, i).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
