import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';
import { buildModel } from '../../../benchmarks/models/architectures.js';
import { estimateTrainingFlops, forwardFlopsByLayer } from '../../../benchmarks/models/flops.js';
import { loadModel, saveModel } from '../../../benchmarks/models/model-io.js';
import * as tflayers from '@tensorflow/tfjs-layers';
import { LayerNorm, MultiHeadSelfAttention } from '../../../benchmarks/models/text-layers.js';
import { buildTrialModel } from '../../../benchmarks/models/transfer-model.js';
import { textArchitecture, type TextArchitectureSpec } from '../../../benchmarks/spec/suite-schema.js';

const LENGTH = 6;
const SHAPE: [number, number, number] = [1, LENGTH, 1];
const cnn = textArchitecture.parse({
  name: 'text-cnn',
  vocabularySize: 20,
  embeddingDim: 8,
  filters: 16,
  kernelSizes: [2, 3],
});
const transformer = textArchitecture.parse({
  name: 'text-transformer',
  vocabularySize: 20,
  embeddingDim: 8,
  heads: 2,
  layers: 2,
  ffDim: 16,
});

/** Two texts of token ids, the second padded after 3 words. */
const IDS = [
  [5, 7, 2, 9, 3, 4],
  [6, 8, 11, 0, 0, 0],
];
const ids = () => tf.tensor4d(IDS.flat(), [2, 1, LENGTH, 1]);

/** Self-attention written out with loops over plain arrays: the reference the layer must agree with. */
function naiveAttention(x: number[][], mask: boolean[], w: number[][][], b: number[][], heads: number): number[][] {
  const dim = x[0]!.length;
  const depth = dim / heads;
  const project = (v: number[], i: number) =>
    Array.from({ length: dim }, (_, o) => b[i]![o]! + v.reduce((s, vi, k) => s + vi * w[i]![k]![o]!, 0));
  const q = x.map((v) => project(v, 0));
  const k = x.map((v) => project(v, 1));
  const val = x.map((v) => project(v, 2));
  const attended = x.map((_, p) => {
    const out = new Array<number>(dim).fill(0);
    for (let h = 0; h < heads; h++) {
      const cols = Array.from({ length: depth }, (_, d) => h * depth + d);
      const logits = x.map((__, s) =>
        mask[s] ? cols.reduce((acc, c) => acc + q[p]![c]! * k[s]![c]!, 0) / Math.sqrt(depth) : -Infinity,
      );
      const top = Math.max(...logits);
      const e = logits.map((l) => Math.exp(l - top));
      const z = e.reduce((a, c) => a + c, 0);
      for (const c of cols) out[c] = e.reduce((acc, ei, s) => acc + (ei / z) * val[s]![c]!, 0);
    }
    return out;
  });
  return attended.map((v) => project(v, 3));
}

describe('text models', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });
  afterAll(() => undefined);

  it('self-attention equals the written-out formula, and padded words change nothing', () => {
    const layer = new MultiHeadSelfAttention({ heads: 2, seed: 3 });
    const x = tf.randomNormal([1, 4, 4], 0, 1, 'float32', 1) as tf.Tensor3D;
    const tokens = tf.tensor2d([[3, 9, 0, 0]]);
    const out = layer.apply([x, tokens]) as tf.Tensor;
    const weights = layer.getWeights().map((t) => t.arraySync());
    const w = weights.slice(0, 4) as number[][][];
    const b = weights.slice(4) as number[][];
    const expected = naiveAttention((x.arraySync() as number[][][])[0]!, [true, true, false, false], w, b, 2);
    const got = (out.arraySync() as number[][][])[0]!;
    got.forEach((row, p) => row.forEach((v, c) => expect(v).toBeCloseTo(expected[p]![c]!, 4)));
    // a padded position's content does not reach the words
    const changed = tf.tidy(() => tf.concat([tf.slice(x, [0, 0, 0], [1, 2, 4]), tf.fill([1, 2, 4], 7)], 1));
    const again = (layer.apply([changed, tokens]) as tf.Tensor).arraySync() as number[][][];
    for (const p of [0, 1]) again[0]![p]!.forEach((v, c) => expect(v).toBeCloseTo(got[p]![c]!, 5));
    tf.dispose([x, tokens, out, changed]);
  });

  it("self-attention's gradient matches central finite differences", () => {
    const layer = new MultiHeadSelfAttention({ heads: 2, seed: 5 });
    const x = tf.randomNormal([1, 3, 4], 0, 1, 'float32', 2) as tf.Tensor3D;
    const tokens = tf.tensor2d([[1, 2, 0]]);
    layer.apply([x, tokens]);
    const loss = (input: tf.Tensor) => tf.sum(tf.square(layer.apply([input, tokens]) as tf.Tensor)) as tf.Scalar;
    const analytic = tf.grad(loss)(x).arraySync() as number[][][];
    const values = x.arraySync() as number[][][];
    const eps = 1e-2;
    for (const [p, c] of [
      [0, 0],
      [1, 3],
      [2, 1],
    ] as const) {
      const at = (delta: number) => {
        const v = values.map((r) => r.map((row) => [...row]));
        v[0]![p]![c]! += delta;
        return tf.tidy(() => loss(tf.tensor3d(v)).arraySync());
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      expect(analytic[0]![p]![c]!).toBeCloseTo(numeric, 1);
      // position 2 is padding: what it holds reaches no output but its own
    }
    tf.dispose([x, tokens]);
  });

  it("LayerNorm equals tfjs-layers' layerNormalization, value and gradient", () => {
    const x = tf.randomNormal([2, 3, 8], 1, 2, 'float32', 4);
    const ours = new LayerNorm({ epsilon: 1e-3 });
    const stock = tflayers.layers.layerNormalization({ epsilon: 1e-3 });
    ours.apply(x);
    stock.apply(x);
    const gamma = tf.randomNormal([8], 1, 0.5, 'float32', 5);
    const beta = tf.randomNormal([8], 0, 0.5, 'float32', 6);
    ours.setWeights([gamma, beta]);
    stock.setWeights([gamma, beta]);
    const f = (layer: { apply: (t: tf.Tensor) => unknown }) => (t: tf.Tensor) =>
      tf.sum(tf.mul(layer.apply(t) as tf.Tensor, tf.reshape(tf.range(0, 48), [2, 3, 8]))) as tf.Scalar;
    const a = (ours.apply(x) as tf.Tensor).arraySync() as number[][][];
    const b = (stock.apply(x) as tf.Tensor).arraySync() as number[][][];
    a.flat(2).forEach((v, i) => expect(v).toBeCloseTo(b.flat(2)[i]!, 4));
    const ga = Array.from(tf.grad(f(ours))(x).dataSync());
    const gb = Array.from(tf.grad(f(stock))(x).dataSync());
    ga.forEach((v, i) => expect(v).toBeCloseTo(gb[i]!, 3));
    tf.dispose([x, gamma, beta]);
  });

  for (const arch of [cnn, transformer] as TextArchitectureSpec[]) {
    it(`${arch.name}: same seed same weights, named blocks, every approach builds on a pretrained copy`, () => {
      const before = tf.memory().numTensors;
      const a = buildModel(arch, SHAPE, 3, 1);
      const b = buildModel(arch, SHAPE, 3, 1);
      expect(a.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(
        b.getWeights().map((w) => Array.from(w.dataSync())),
      );
      const names = a.layers.map((l) => l.name);
      expect(names).toContain('embedding');
      expect(names).toContain('features');
      if (arch.name === 'text-cnn') expect(names).toEqual(expect.arrayContaining(['conv_k2', 'conv_k3', 'pool_k2']));
      else
        expect(names).toEqual(expect.arrayContaining(['positions', 'encoder_1_attention', 'encoder_2_norm2', 'pool']));
      const input = ids();
      const out = a.predict(input) as tf.Tensor;
      expect(out.shape).toEqual([2, 3]);
      tf.dispose([input, out]);
      const trainable = (m: tfl.LayersModel) =>
        m.layers.filter((l) => l.trainable && l.weights.length > 0).map((l) => l.name);
      const common = { arch, inputShape: SHAPE, numClasses: 4, seed: 2, base: a, cutLayer: 'features' };
      const probe = buildTrialModel({ ...common, approach: 'linear-probe' });
      expect(trainable(probe)).toEqual(['head']);
      const from = arch.name === 'text-cnn' ? 'conv_k3' : 'encoder_2_attention';
      const partial = buildTrialModel({ ...common, approach: 'partial', trainFrom: from });
      expect(trainable(partial)).not.toContain('embedding');
      expect(trainable(partial)).toContain(from);
      const finetune = buildTrialModel({ ...common, approach: 'finetune' });
      expect(trainable(finetune)).toContain('embedding');
      // the copy starts from the pretrained embedding
      expect(Array.from(finetune.getLayer('embedding').getWeights()[0]!.dataSync())).toEqual(
        Array.from(a.getLayer('embedding').getWeights()[0]!.dataSync()),
      );
      for (const m of [probe, partial, finetune, a, b]) m.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });

    it(`${arch.name}: trains (loss falls) and saves and loads with the same outputs`, async () => {
      const model = buildModel(arch, SHAPE, 2, 0);
      const y = tf.oneHot(tf.tensor1d([0, 1], 'int32'), 2);
      const x = ids();
      const optimizer = tf.train.adam(0.01);
      const lossOf = () =>
        tf.tidy(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
      const first = lossOf().arraySync();
      for (let i = 0; i < 60; i++)
        optimizer.minimize(
          lossOf,
          false,
          model.trainableWeights.map((w) => w.read() as tf.Variable),
        );
      expect(lossOf().arraySync()).toBeLessThan(first * 0.5);
      const dir = mkdtempSync(join(tmpdir(), 'text-model-'));
      try {
        await saveModel(model, dir);
        const loaded = await loadModel(join(dir, 'model.json'));
        const p1 = (model.predict(x) as tf.Tensor).arraySync() as number[][];
        const p2 = (loaded.predict(x) as tf.Tensor).arraySync() as number[][];
        p1.forEach((r, i) => r.forEach((v, j) => expect(p2[i]![j]!).toBeCloseTo(v, 5)));
        loaded.dispose();
      } finally {
        rmSync(dir, { recursive: true, force: true });
        model.dispose();
        optimizer.dispose();
        tf.dispose([x, y]);
      }
    });

    it(`${arch.name}: FLOPs count the embedding as a look-up and the attention's length² terms`, () => {
      const model = buildModel(arch, SHAPE, 3, 0);
      const byName = new Map(forwardFlopsByLayer(model).map((l) => [l.name, l.forward]));
      expect(byName.get('embedding')).toBe(LENGTH * 8);
      if (arch.name === 'text-cnn') expect(byName.get('conv_k3')).toBe(2 * 3 * 8 * 16 * LENGTH);
      else expect(byName.get('encoder_1_attention')).toBe(4 * 2 * LENGTH * 8 * 8 + 4 * LENGTH * LENGTH * 8);
      expect(estimateTrainingFlops(model, 1)).toBeGreaterThan(0);
      model.dispose();
    });
  }
});
