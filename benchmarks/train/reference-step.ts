import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createAdam } from '../backend/wasm-adam.js';
import { buildModel } from '../models/architectures.js';
import type { Architecture, MobilenetV2Spec } from '../spec/suite-schema.js';

/** The reference workloads' input: MNIST-shaped images, 10 classes. */
export const REFERENCE_INPUT_SHAPE: [number, number, number] = [28, 28, 1];
export const REFERENCE_CLASSES = 10;

export interface TrainingStep {
  /** One optimiser step on the next batch; resolves when the backend has finished it. */
  step: () => Promise<void>;
  /** Releases the model, optimizer and data. */
  dispose: () => void;
}

/**
 * The reference training step of `arch` on the active backend: Adam (lr 0.001), categorical cross-entropy, one
 * `optimizer.minimize` per batch of synthetic MNIST-shaped data (a pool of 4 batches, cycled). The data are random
 * pixels with random labels: throughput does not depend on what is learnt.
 */
export function referenceTrainingStep(arch: Architecture, batchSize = 64, seed = 1): TrainingStep {
  const poolBatches = 4;
  const model = buildModel(arch, REFERENCE_INPUT_SHAPE, REFERENCE_CLASSES, seed);
  const optimizer = createAdam(0.001);
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
  let next = 0;
  const step = async (): Promise<void> => {
    const batch = batches[next++ % poolBatches]!;
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
  const dispose = (): void => {
    for (const b of batches) tf.dispose([b.xs, b.ys]);
    optimizer.dispose();
    model.dispose();
  };
  return { step, dispose };
}

/**
 * One Adam step (lr 0.001) of MobileNetV2 (`arch`; every layer training, batch normalisation in training mode) on a
 * fixed batch of synthetic images (uniform in [−1, 1], `arch.inputSize`² × 3, 10 classes): bench:perf's MobileNet
 * workload, on the wasm backend in Node and on webgpu and webgl in a Chromium page.
 */
export function mobilenetTrainingStep(arch: MobilenetV2Spec, batchSize = 32, seed = 1): TrainingStep {
  const side = arch.inputSize;
  const model = buildModel(arch, [side, side, 3], REFERENCE_CLASSES, seed);
  const optimizer = createAdam(0.001);
  const xs = tf.randomUniform([batchSize, side, side, 3], -1, 1, 'float32', seed);
  const ys = tf.tidy(() =>
    tf.oneHot(tf.randomUniform([batchSize], 0, REFERENCE_CLASSES, 'int32', seed + 1), REFERENCE_CLASSES),
  );
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = async (): Promise<void> => {
    const loss = optimizer.minimize(
      () =>
        tf.mean(tfl.metrics.categoricalCrossentropy(ys, model.apply(xs, { training: true }) as tf.Tensor)) as tf.Scalar,
      true,
      vars,
    );
    await loss!.data();
    loss!.dispose();
  };
  return {
    step,
    dispose: () => {
      tf.dispose([xs, ys]);
      optimizer.dispose();
      model.dispose();
    },
  };
}
