import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { useKerasFrozenBatchNorm } from '../../../benchmarks/models/frozen-batch-norm.js';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';

/** A model of one batch normalisation layer with moving mean 2 and moving variance 4 (a "pretrained" one). */
function bnModel(): { model: tfl.LayersModel; layer: tfl.layers.Layer } {
  const input = tfl.input({ shape: [3] });
  const layer = tfl.layers.batchNormalization({ momentum: 0.5 });
  const model = tfl.model({ inputs: input, outputs: layer.apply(input) as tfl.SymbolicTensor });
  const [gamma, beta] = [tf.ones([3]), tf.zeros([3])];
  const [mean, variance] = [tf.fill([3], 2), tf.fill([3], 4)];
  layer.setWeights([gamma, beta, mean, variance]);
  [gamma, beta, mean, variance].forEach((t) => t.dispose());
  return { model, layer };
}

const x = (): tf.Tensor2D =>
  tf.tensor2d([
    [0, 1, 2],
    [4, 5, 6],
    [8, 9, 10],
  ]);
const movingStats = (layer: tfl.layers.Layer): number[][] =>
  layer
    .getWeights()
    .slice(2)
    .map((w) => Array.from(w.dataSync()));

describe('batch normalisation, frozen as in Keras', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
    useKerasFrozenBatchNorm();
  });

  it('a frozen layer called in training runs in inference mode: moving statistics used, never updated', () => {
    const { model, layer } = bnModel();
    layer.trainable = false;
    const training = tf.tidy(() => Array.from((model.apply(x(), { training: true }) as tf.Tensor).dataSync()));
    const inference = tf.tidy(() => Array.from((model.predict(x()) as tf.Tensor).dataSync()));
    expect(training).toEqual(inference);
    // (x − 2) / √(4 + 0.001)
    expect(training[0]).toBeCloseTo(-2 / Math.sqrt(4.001), 6);
    expect(movingStats(layer)).toEqual([
      [2, 2, 2],
      [4, 4, 4],
    ]);
    model.dispose();
  });

  it('a layer that trains normalises with the batch statistics and moves its moving averages', () => {
    const { model, layer } = bnModel();
    const out = tf.tidy(() => (model.apply(x(), { training: true }) as tf.Tensor).arraySync() as number[][]);
    // each column of the batch has mean 4, 5, 6 and variance 32/3: normalised to mean 0
    const columnMean = out[0]!.map((_, c) => (out[0]![c]! + out[1]![c]! + out[2]![c]!) / 3);
    columnMean.forEach((m) => expect(m).toBeCloseTo(0, 5));
    const [mean, variance] = movingStats(layer);
    // momentum 0.5: halfway from the moving value to the batch's
    expect(mean![0]).toBeCloseTo((2 + 4) / 2, 5);
    expect(variance![0]).toBeGreaterThan(4);
    model.dispose();
  });
});
