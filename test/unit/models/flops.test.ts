import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';
import { buildModel } from '../../../benchmarks/models/architectures.js';
import { countParams, estimateTrainingFlops, forwardFlopsByLayer } from '../../../benchmarks/models/flops.js';

/**
 * input 5×5×1 → conv (2 filters 3×3, valid: 3×3×2 out) → flatten (18) → dense 4 → dense 3
 * forward FLOPs per sample: conv 2·3·3·1·2·3·3 = 324, dense 2·18·4 = 144, out 2·4·3 = 24; total 492
 * parameters: conv 3·3·1·2 + 2 = 20, dense 18·4 + 4 = 76, out 4·3 + 3 = 15; total 111
 */
function tinyModel(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [5, 5, 1], filters: 2, kernelSize: 3, name: 'conv' }),
      tfl.layers.flatten({ name: 'flat' }),
      tfl.layers.dense({ units: 4, name: 'dense' }),
      tfl.layers.dense({ units: 3, name: 'out' }),
    ],
  });
}

function withTrainable(trainable: string[]): tfl.LayersModel {
  const model = tinyModel();
  for (const layer of model.layers) layer.trainable = trainable.includes(layer.name);
  return model;
}

describe('FLOPs and parameters', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('forward FLOPs per layer from the layer shapes', () => {
    const model = tinyModel();
    expect(forwardFlopsByLayer(model).map((l) => [l.name, l.forward])).toEqual([
      ['conv', 324],
      ['flat', 0],
      ['dense', 144],
      ['out', 24],
    ]);
    model.dispose();
  });

  it('all trainable: forward + 2× forward backward', () => {
    const model = tinyModel();
    expect(estimateTrainingFlops(model, 1)).toBe(3 * 492);
    expect(estimateTrainingFlops(model, 10)).toBe(14_760);
    model.dispose();
  });

  it('only the head trains: backward is 2× the head alone', () => {
    const model = withTrainable(['out']);
    expect(estimateTrainingFlops(model, 1)).toBe(492 + 2 * 24);
    model.dispose();
  });

  it('dense and head train: nothing backward below the lowest trainable layer', () => {
    const model = withTrainable(['dense', 'out']);
    expect(estimateTrainingFlops(model, 1)).toBe(492 + 2 * 144 + 2 * 24);
    model.dispose();
  });

  it('a frozen layer above a trainable one still passes the gradient down (1×)', () => {
    const model = withTrainable(['conv']);
    expect(estimateTrainingFlops(model, 2)).toBe(2 * (492 + 2 * 324 + 144 + 24));
    model.dispose();
  });

  it('nothing trainable: forward only', () => {
    const model = withTrainable([]);
    expect(estimateTrainingFlops(model, 1)).toBe(492);
    model.dispose();
  });

  it('counts trainable and total parameters', () => {
    const all = tinyModel();
    expect(countParams(all)).toEqual({ trainable: 111, total: 111 });
    all.dispose();
    const probe = withTrainable(['out']);
    expect(countParams(probe)).toEqual({ trainable: 15, total: 111 });
    probe.dispose();
  });

  it('the reference CNN: hand-computed forward cost and parameters', () => {
    const model = buildModel('cnn', [28, 28, 1], 10, 0);
    // conv1 2·9·1·16·26·26, conv2 2·9·16·32·11·11, features 2·800·64, head 2·64·10
    const forward = 194_688 + 1_115_136 + 102_400 + 1_280;
    expect(estimateTrainingFlops(model, 1)).toBe(3 * forward);
    // conv1 160, conv2 4640, features 51264, head 650
    expect(countParams(model)).toEqual({ trainable: 56_714, total: 56_714 });
    model.dispose();
  });
});
