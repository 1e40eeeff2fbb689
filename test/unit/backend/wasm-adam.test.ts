import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateWasm } from '../../../benchmarks/backend/wasm.js';
import { createAdam } from '../../../benchmarks/backend/wasm-adam.js';
import { randomValues } from '../../support/random-values.js';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';

/**
 * Trains a two-layer perceptron on fixed data for `steps` optimiser steps with `make()`'s optimizer on the active
 * backend; returns the weights, the optimizer's state and the tensor count before and after.
 */
async function train(
  make: () => tf.Optimizer,
  steps: number,
): Promise<{ weights: Float32Array[]; state: Float32Array[]; iterations: number; leaked: number }> {
  const before = tf.memory().numTensors;
  const [w1, b1, w2] = tf.tidy(() => [
    tf.variable(tf.tensor2d(randomValues(6 * 5, 1), [6, 5]), true, 'w1'),
    tf.variable(tf.zeros([5]), true, 'b1'),
    tf.variable(tf.tensor2d(randomValues(5 * 3, 2), [5, 3]), true, 'w2'),
  ]);
  const x = tf.tensor2d(randomValues(8 * 6, 3), [8, 6]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3));
  const optimizer = make();
  for (let i = 0; i < steps; i++) {
    const loss = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(y, tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2)) as tf.Scalar,
      true,
    );
    loss?.dispose();
  }
  const weights = [w1, b1, w2].map((w) => w.dataSync() as Float32Array);
  const saved = await optimizer.getWeights();
  const state = saved.slice(1).map((w) => w.tensor.dataSync() as Float32Array);
  const iterations = saved[0]!.tensor.dataSync()[0]!;
  tf.dispose(saved.map((w) => w.tensor));
  optimizer.dispose();
  tf.dispose([w1, b1, w2, x, y]);
  return { weights, state, iterations, leaked: tf.memory().numTensors - before };
}

describe('Adam with the fused update on wasm', () => {
  beforeAll(async () => {
    await activateWasm();
  });

  it('gives the stock Adam optimizer its weights and moments bit for bit', async () => {
    await tf.setBackend('wasm');
    const stock = await train(() => tf.train.adam(0.01), 25);
    const fused = await train(() => createAdam(0.01), 25);
    expect(fused.iterations).toBe(25);
    expect(fused.state).toHaveLength(6);
    expect(fused.weights).toEqual(stock.weights);
    expect(fused.state).toEqual(stock.state);
    expect([stock.leaked, fused.leaked]).toEqual([0, 0]);
    expect(stock.weights[0]).not.toEqual(randomValues(30, 1));
  });

  it('matches the cpu backend and runs the stock update there', async () => {
    await selectBackend('cpu');
    const cpu = await train(() => createAdam(0.01), 10);
    const cpuStock = await train(() => tf.train.adam(0.01), 10);
    expect(cpu.weights).toEqual(cpuStock.weights);
    await tf.setBackend('wasm');
    const wasm = await train(() => createAdam(0.01), 10);
    for (let i = 0; i < cpu.weights.length; i++) {
      const a = wasm.weights[i]!;
      const b = cpu.weights[i]!;
      for (let j = 0; j < b.length; j++) expect(Math.abs(a[j]! - b[j]!)).toBeLessThan(1e-4);
    }
  });
  it('writes the moments over their own buffers, the value into a new one, and leaves a clone of a moment alone', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const w = tf.tidy(() => tf.variable(tf.tensor1d(randomValues(16, 4)), true, 'inPlace'));
    const x = tf.tensor1d(randomValues(16, 5));
    const optimizer = createAdam(0.1);
    const step = () => tf.dispose(optimizer.minimize(() => tf.sum(tf.mul(w, x)) as tf.Scalar, true) ?? []);
    const moments = async () => {
      const [iterations, ...state] = await optimizer.getWeights();
      iterations!.tensor.dispose();
      return state.map((s) => s.tensor);
    };
    step();
    const [m, v] = await moments();
    const [mBuffer, vBuffer, wBuffer] = [m!.dataId, v!.dataId, w.dataId];
    const mValues = m!.dataSync().slice();
    step();
    const [m2, v2] = await moments();
    // the moments in place; the value in a new buffer (the wasm backend caches packed weights by buffer)
    expect([m2!.dataId, v2!.dataId]).toEqual([mBuffer, vBuffer]);
    expect(w.dataId).not.toBe(wBuffer);
    expect(m2!.dataSync()).not.toEqual(mValues);
    // a clone shares the buffer (the wasm Identity): the step must leave the clone's values as they were
    const kept = tf.clone(m2!);
    const keptValues = kept.dataSync().slice();
    step();
    const [m3] = await moments();
    expect(kept.dataSync()).toEqual(keptValues);
    expect(m3!.dataSync()).not.toEqual(keptValues);
    tf.dispose([kept, w, x]);
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
