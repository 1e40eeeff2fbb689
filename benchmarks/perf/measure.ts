import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Architecture } from '../spec/suite-schema.js';
import { buildModel } from '../models/architectures.js';

/** Image shape and classes of the reference workload: MNIST-shaped, 10 classes. */
export const REFERENCE_INPUT_SHAPE: [number, number, number] = [28, 28, 1];
export const REFERENCE_CLASSES = 10;

export interface ThroughputOptions {
  batchSize?: number;
  /** Optimiser steps run, untimed, before measuring (kernel set-up, XNNPACK operator creation, JIT). */
  warmupSteps?: number;
  /** Timed optimiser steps. */
  steps?: number;
  seed?: number;
}

export interface ThroughputResult {
  arch: Architecture;
  backend: string;
  batchSize: number;
  steps: number;
  samples: number;
  seconds: number;
  samplesPerSecond: number;
}

/**
 * Trains the reference model of `arch` on the active backend with Adam (lr 0.001) and categorical cross-entropy, one
 * `optimizer.minimize` per batch of synthetic MNIST-shaped data, and reports training samples per second after a
 * warm-up. The data are random pixels with random labels: throughput does not depend on what is learnt.
 */
export async function measureTrainingThroughput(
  arch: Architecture,
  options: ThroughputOptions = {},
): Promise<ThroughputResult> {
  const batchSize = options.batchSize ?? 64;
  const warmupSteps = options.warmupSteps ?? 3;
  const steps = options.steps ?? 20;
  const seed = options.seed ?? 1;
  const poolBatches = 4;
  const model = buildModel(arch, REFERENCE_INPUT_SHAPE, REFERENCE_CLASSES, seed);
  const optimizer = tf.train.adam(0.001);
  const pool = tf.tidy(() => {
    const n = poolBatches * batchSize;
    const xs = tf.randomUniform([n, ...REFERENCE_INPUT_SHAPE], 0, 1, 'float32', seed);
    const labels = tf.randomUniform([n], 0, REFERENCE_CLASSES, 'int32', seed + 1);
    return { xs, ys: tf.oneHot(labels, REFERENCE_CLASSES) };
  });
  const batches = Array.from({ length: poolBatches }, (_, i) =>
    tf.tidy(() => ({
      xs: tf.slice(pool.xs, i * batchSize, batchSize),
      ys: tf.slice(pool.ys, i * batchSize, batchSize),
    })),
  );
  tf.dispose([pool.xs, pool.ys]);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = async (i: number): Promise<void> => {
    const batch = batches[i % poolBatches]!;
    const loss = optimizer.minimize(
      () => {
        const probs = model.apply(batch.xs, { training: true }) as tf.Tensor;
        return tf.mean(tfl.metrics.categoricalCrossentropy(batch.ys, probs)) as tf.Scalar;
      },
      true,
      vars,
    );
    // Reading the loss waits for the backend to finish the step (matters for asynchronous backends).
    await loss!.data();
    loss!.dispose();
  };
  try {
    for (let i = 0; i < warmupSteps; i++) await step(i);
    const start = performance.now();
    for (let i = 0; i < steps; i++) await step(i);
    const seconds = (performance.now() - start) / 1000;
    const samples = steps * batchSize;
    return { arch, backend: tf.getBackend(), batchSize, steps, samples, seconds, samplesPerSecond: samples / seconds };
  } finally {
    for (const b of batches) tf.dispose([b.xs, b.ys]);
    optimizer.dispose();
    model.dispose();
  }
}
