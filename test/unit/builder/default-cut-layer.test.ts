import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';
import { defaultCutLayer } from '../../../benchmarks/builder/init-suite.js';

/** A small convolutional backbone named as Keras Applications name MobileNetV2's last layers, with or without a top. */
function backbone(top: 'none' | 'classifier' | 'features'): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 3] });
  let x = tfl.layers.conv2d({ filters: 4, kernelSize: 3, name: 'Conv_1' }).apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization({ name: 'Conv_1_bn' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers
    .reLU({ maxValue: 6, name: top === 'features' ? 'features' : 'out_relu' })
    .apply(x) as tfl.SymbolicTensor;
  if (top !== 'none') {
    x = tfl.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.dense({ units: 10, activation: 'softmax', name: 'predictions' }).apply(x) as tfl.SymbolicTensor;
  }
  return tfl.model({ inputs: input, outputs: x });
}

describe('the layer init cuts a brought model at when not told', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('keeps the last activation of a backbone without a top (its output is a feature map)', () => {
    const model = backbone('none');
    // before: the layer below the output, Conv_1_bn, which dropped MobileNetV2's out_relu
    expect(defaultCutLayer(model)).toBe('out_relu');
    model.dispose();
  });

  it('cuts below the classifier of a model with a top, and at a layer named features when there is one', () => {
    const classifier = backbone('classifier');
    expect(defaultCutLayer(classifier)).toBe('global_average_pooling2d');
    classifier.dispose();
    const named = backbone('features');
    expect(defaultCutLayer(named)).toBe('features');
    named.dispose();
  });
});
