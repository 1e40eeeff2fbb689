/**
 * MobileNetV2 on wasm, for `bench:perf`:
 *
 * - `mobilenet-v2 wasm: N samples/s`: training throughput of MobileNetV2 (alpha 0.35, 96×96×3, batch 32, Adam, every
 *   layer training, batch normalisation in training mode) on synthetic images;
 * - the top five kernels of that training step, by share of its time;
 * - `frozen features: linear-probe N× faster`: one full linear-probe trial of the mobilenet-split suite (its largest
 *   size, seed 0) with the frozen features computed once, and the same trial trained through the frozen layers,
 *   with both test accuracies (they must agree). The pretrained model is the suite's own source model when a run of
 *   the suite has cached it, else a MobileNetV2 written by write-keras-mobilenet.ts with the suite's architecture
 *   (random weights: the speed is the same, the accuracies are near chance).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { selectBackend } from '../backend/select-backend.js';
import { buildModel } from '../models/architectures.js';
import { writeKerasMobilenet } from '../models/write-keras-mobilenet.js';
import { featuresLayer } from '../spec/describe-architecture.js';
import { loadSuite } from '../spec/load-suite.js';
import { clearFeatureStores } from '../train/frozen-features.js';
import { pretrainCacheKey, pretrainDir, readCachedPretrain } from '../train/pretrain-cache.js';
import { createOptimizer } from '../train/optimizer.js';
import { runTrial } from '../train/run-trial.js';
import { formatTopKernels, profileKernels } from './kernel-profile.js';

const ARCH = { name: 'mobilenet-v2' as const, alpha: 0.35, inputSize: 96 };
const BATCH = 32;
const CLASSES = 10;

/** One Adam step of MobileNetV2 (ARCH) on a fixed synthetic batch, and its disposal. */
function mobilenetStep(): { step: () => Promise<void>; dispose: () => void } {
  const side = ARCH.inputSize;
  const model = buildModel(ARCH, [side, side, 3], CLASSES, 1);
  const optimizer = createOptimizer({ optimizer: 'adam', learningRate: 0.001 });
  const xs = tf.randomUniform([BATCH, side, side, 3], -1, 1, 'float32', 1);
  const ys = tf.tidy(() => tf.oneHot(tf.randomUniform([BATCH], 0, CLASSES, 'int32', 2), CLASSES));
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
  return { step, dispose: () => (tf.dispose([xs, ys]), optimizer.dispose(), model.dispose()) };
}

async function throughputAndKernels(): Promise<void> {
  const training = mobilenetStep();
  try {
    await training.step();
    const steps = 3;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    for (let i = 0; i < steps; i++) await training.step();
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    console.log(
      `mobilenet-v2 wasm: ${((steps * BATCH) / seconds).toFixed(1)} samples/s ` +
        `(${((steps * BATCH) / cpuSeconds).toFixed(1)} per CPU second; alpha ${ARCH.alpha}, ${ARCH.inputSize}×${ARCH.inputSize}×3, batch ${BATCH}, Adam, ${steps} steps)`,
    );
    const profile = await profileKernels(training.step, { repeats: 2, warmup: 0, clock: 'cpu' });
    console.log(`mobilenet-v2 wasm step (batch ${BATCH}): ${profile.stepMs.toFixed(0)} ms CPU, top kernels:`);
    for (const line of formatTopKernels(profile, 5)) console.log(line);
  } finally {
    training.dispose();
  }
}

async function frozenFeaturesSpeedup(): Promise<void> {
  const loaded = loadSuite({ kind: 'builtin', name: 'mobilenet-split' });
  const arch = loaded.spec.architecture;
  if (typeof arch === 'string' || arch.name !== 'mobilenet-v2')
    throw new Error('the mobilenet-split suite does not name mobilenet-v2');
  const settings = loaded.spec.approaches['linear-probe'];
  if (!settings) throw new Error('the mobilenet-split suite has no linear-probe settings');
  const dir = mkdtempSync(join(tmpdir(), 'transfer-bench-perf-'));
  try {
    const cacheKey = pretrainCacheKey(loaded.spec, loaded.baseDir);
    const pretrained = cacheKey !== null && readCachedPretrain(cacheKey) !== null;
    let modelPath = join(dir, 'model.json');
    if (pretrained) {
      modelPath = join(pretrainDir(cacheKey), 'model.json');
    } else {
      const target = loaded.spec.target.dataset;
      const classes = target.kind === 'mnist' ? (target.classes?.length ?? 10) : 10;
      writeKerasMobilenet(dir, { alpha: arch.alpha, inputSize: arch.inputSize, classes, seed: 0, quantize: 'none' });
    }
    const base = { path: modelPath, cutLayer: featuresLayer(arch) };
    const backend = await selectBackend('wasm');
    const key = { approach: 'linear-probe' as const, trainSize: Math.max(...loaded.spec.sizes), seed: 0 };
    const trial = async (cacheFrozenFeatures: boolean) => {
      clearFeatureStores();
      const spec = { ...loaded.spec, pretrain: undefined, pretrainedModel: base, cacheFrozenFeatures };
      const started = performance.now();
      const result = await runTrial({ trialId: 0, spec, baseDir: loaded.baseDir, key, base }, backend, {
        onStart: () => {},
        onEvaluation: () => {},
      });
      if (result.status !== 'done') throw new Error(`linear-probe trial ${result.status}: ${result.error ?? ''}`);
      return { seconds: (performance.now() - started) / 1000, result };
    };
    const cached = await trial(true);
    const through = await trial(false);
    const same =
      cached.result.testAccuracy === through.result.testAccuracy &&
      Math.abs((cached.result.testLoss ?? NaN) - (through.result.testLoss ?? NaN)) < 1e-3;
    console.log(
      `frozen features: linear-probe ${(through.seconds / cached.seconds).toFixed(1)}× faster ` +
        `(one trial of mobilenet-split, ${pretrained ? 'its cached source model' : 'a random MobileNetV2 (no cached source model)'}, ` +
        `size ${key.trainSize}, ${cached.result.steps} steps: ${cached.seconds.toFixed(1)} s ` +
        `with the features computed once, ${through.seconds.toFixed(1)} s through the frozen layers; test accuracy ` +
        `${cached.result.testAccuracy} and ${through.result.testAccuracy}, test loss ${cached.result.testLoss?.toFixed(5)} ` +
        `and ${through.result.testLoss?.toFixed(5)}: ${same ? 'the same result' : 'RESULTS DIFFER'})`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Prints the MobileNetV2 lines of bench:perf (on wasm; nothing when wasm is not among the backends asked for). */
export async function mobilenetSection(backends: readonly string[]): Promise<void> {
  if (!backends.includes('wasm')) return;
  await selectBackend('wasm');
  await throughputAndKernels();
  await frozenFeaturesSpeedup();
}
