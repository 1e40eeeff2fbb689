import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { selectBackend } from '../backend/select-backend.js';
import { createAdam } from '../backend/wasm-adam.js';
import type { BackendInfo, SelectBackendOptions } from '../backend/select-backend.js';
import type { BackendName } from '../domain.js';
import { UserError } from '../errors.js';
import { buildModel } from '../models/architectures.js';
import type { Architecture } from '../spec/suite-schema.js';

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
  /** This process's CPU time over the timed steps (user + system), which other load disturbs less than `seconds`. */
  cpuSeconds: number;
  samplesPerCpuSecond: number;
}

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
 * Trains the reference model of `arch` on the active backend (see `referenceTrainingStep`) and reports training
 * samples per second after a warm-up.
 */
export async function measureTrainingThroughput(
  arch: Architecture,
  options: ThroughputOptions = {},
): Promise<ThroughputResult> {
  const batchSize = options.batchSize ?? 64;
  const warmupSteps = options.warmupSteps ?? 3;
  const steps = options.steps ?? 20;
  const training = referenceTrainingStep(arch, batchSize, options.seed ?? 1);
  try {
    for (let i = 0; i < warmupSteps; i++) await training.step();
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    for (let i = 0; i < steps; i++) await training.step();
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const samples = steps * batchSize;
    return {
      arch,
      backend: tf.getBackend(),
      batchSize,
      steps,
      samples,
      seconds,
      samplesPerSecond: samples / seconds,
      cpuSeconds,
      samplesPerCpuSecond: samples / cpuSeconds,
    };
  } finally {
    training.dispose();
  }
}

/** Steps measured per workload: enough for a stable figure in a few seconds on wasm. */
export const DEFAULT_STEPS: Readonly<Record<Architecture, { warmupSteps: number; steps: number }>> = {
  mlp: { warmupSteps: 5, steps: 50 },
  cnn: { warmupSteps: 3, steps: 30 },
};

/** The CNN on the plain-JavaScript cpu backend runs ≈10 samples/s: one batch tells as much as thirty. */
const SLOW_CPU_CNN = { warmupSteps: 0, steps: 1 };

export type BackendMeasurement =
  | { backend: BackendName; skipped: false; info: BackendInfo; results: ThroughputResult[] }
  | { backend: BackendName; skipped: true; reason: string };

/**
 * Makes `backend` active and measures the reference MLP and CNN on it (see `measureTrainingThroughput`), or says why
 * the backend is skipped (it does not load here). Leaves `backend` active.
 */
export async function measureBackend(
  backend: BackendName,
  options: { archs?: Architecture[]; select?: SelectBackendOptions; batchSize?: number } = {},
): Promise<BackendMeasurement> {
  let info: BackendInfo;
  try {
    info = await selectBackend(backend, options.select);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { backend, skipped: true, reason: error.message.replace(/^backend "[^"]+" is not available: /, '') };
  }
  const results: ThroughputResult[] = [];
  for (const arch of options.archs ?? (['mlp', 'cnn'] as const)) {
    const steps = backend === 'cpu' && arch === 'cnn' ? SLOW_CPU_CNN : DEFAULT_STEPS[arch];
    results.push(await measureTrainingThroughput(arch, { ...steps, batchSize: options.batchSize ?? 64 }));
  }
  return { backend, skipped: false, info, results };
}

/** `mlp wasm: 2310 samples/s` */
export function formatThroughput(result: ThroughputResult): string {
  return `${result.arch} ${result.backend}: ${Math.round(result.samplesPerSecond)} samples/s`;
}
