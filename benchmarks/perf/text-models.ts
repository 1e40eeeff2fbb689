/**
 * Training rate of the built-in text models on wasm: one Adam step after another on a fixed batch of token ids,
 * the sizes of the built-in text suite (debian-text: 64 tokens, an 8,000-word vocabulary, 10 classes).
 *
 *   text-cnn wasm: N samples/s (M per CPU second; …)
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { selectBackend } from '../backend/select-backend.js';
import { buildModel } from '../models/architectures.js';
import { estimateTrainingFlops } from '../models/flops.js';
import { describeArchitecture } from '../spec/describe-architecture.js';
import { textArchitecture, type TextArchitectureSpec } from '../spec/suite-schema.js';
import { createOptimizer } from '../train/optimizer.js';

const LENGTH = 64;
const VOCABULARY = 8000;
const BATCH = 32;
const CLASSES = 10;
const STEPS = 10;

export const TEXT_PERF_ARCHITECTURES: TextArchitectureSpec[] = [
  textArchitecture.parse({ name: 'text-cnn', vocabularySize: VOCABULARY }),
  textArchitecture.parse({ name: 'text-transformer', vocabularySize: VOCABULARY }),
];

/** Samples per second (elapsed and per CPU second) of `arch` training on the active backend. */
export async function textTrainingRate(
  arch: TextArchitectureSpec,
  steps = STEPS,
): Promise<{ samplesPerSecond: number; samplesPerCpuSecond: number; flopsPerSample: number }> {
  const model = buildModel(arch, [1, LENGTH, 1], CLASSES, 1);
  const optimizer = createOptimizer({ optimizer: 'adam', learningRate: 0.001 });
  // texts of 20 to 64 words, the rest padding
  const ids = tf.tidy(() => {
    const words = tf.randomUniform([BATCH, 1, LENGTH, 1], 2, VOCABULARY, 'int32', 1);
    const lengths = tf.randomUniform([BATCH, 1, 1, 1], 20, LENGTH + 1, 'int32', 2);
    const keep = tf.less(tf.reshape(tf.range(0, LENGTH, 1, 'int32'), [1, 1, LENGTH, 1]), lengths);
    return tf.cast(tf.where(keep, words, tf.zerosLike(words)), 'float32');
  });
  const ys = tf.tidy(() => tf.oneHot(tf.randomUniform([BATCH], 0, CLASSES, 'int32', 3), CLASSES));
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = async (): Promise<void> => {
    const loss = optimizer.minimize(
      () =>
        tf.mean(
          tfl.metrics.categoricalCrossentropy(ys, model.apply(ids, { training: true }) as tf.Tensor),
        ) as tf.Scalar,
      true,
      vars,
    );
    await loss!.data();
    loss!.dispose();
  };
  try {
    await step();
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    for (let i = 0; i < steps; i++) await step();
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    return {
      samplesPerSecond: (steps * BATCH) / seconds,
      samplesPerCpuSecond: (steps * BATCH) / ((cpu.user + cpu.system) / 1e6),
      flopsPerSample: estimateTrainingFlops(model, 1),
    };
  } finally {
    tf.dispose([ids, ys]);
    optimizer.dispose();
    model.dispose();
  }
}

/** The bench:perf section: each text model's training rate on wasm. */
export async function textModelsSection(backends: readonly string[]): Promise<void> {
  if (!backends.includes('wasm')) return;
  await selectBackend('wasm');
  for (const arch of TEXT_PERF_ARCHITECTURES) {
    const rate = await textTrainingRate(arch);
    console.log(
      `${arch.name} wasm: ${rate.samplesPerSecond.toFixed(0)} samples/s (${rate.samplesPerCpuSecond.toFixed(0)} per CPU second; ` +
        `${describeArchitecture(arch)}, ${LENGTH} tokens, batch ${BATCH}, Adam, ${STEPS} steps; ` +
        `${(rate.flopsPerSample / 1e6).toFixed(1)} MFLOP per training sample)`,
    );
  }
}
