/**
 * MobileNetV2 on wasm, for `bench:perf`:
 *
 * - `mobilenet-v2 wasm: N samples/s`: training throughput of MobileNetV2 (alpha 0.35, 96×96×3, batch 32, Adam, every
 *   layer training, batch normalisation in training mode) on synthetic images, and side by side with torchvision's
 *   `mobilenet_v2` on one thread, measured in alternating rounds (skipped, with the reason, without torchvision);
 * - the top kernels of that training step, by share of its time;
 * - the training rate of the catalogue's MobileNetV2 (alpha 1.0, 224×224);
 * - `frozen features: linear-probe N× faster` and `frozen prefix: partial N× faster`: one full linear-probe trial
 *   and one partial fine-tuning trial of the mobilenet-split suite (its largest size, seed 0) with the frozen part's
 *   features computed once, and the same trial trained through the frozen layers, with both test accuracies (they
 *   must agree). The pretrained model is the suite's own source model when a run of
 *   the suite has cached it, else a MobileNetV2 written by write-keras-mobilenet.ts with the suite's architecture
 *   (random weights: the speed is the same, the accuracies are near chance).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select-backend.js';
import { writeKerasMobilenet } from '../models/write-keras-mobilenet.js';
import { featuresLayer } from '../spec/describe-architecture.js';
import { loadSuite } from '../spec/load-suite.js';
import { clearFeatureStores } from '../train/frozen-features.js';
import { pretrainCacheKey, pretrainDir, readCachedPretrain } from '../train/pretrain-cache.js';
import { mobilenetTrainingStep, type TrainingStep } from '../train/reference-step.js';
import type { MobilenetV2Spec } from '../spec/suite-schema.js';
import { runTrial } from '../train/run-trial.js';
import { formatTopKernels, profileKernels } from './kernel-profile.js';
import { formatSideBySide, median, runTorchScript, type SideBySide, type TorchRate } from './torch-comparison.js';

export const MOBILENET_ARCH: MobilenetV2Spec = { name: 'mobilenet-v2', alpha: 0.35, inputSize: 96 };
const ARCH = MOBILENET_ARCH;
export const MOBILENET_BATCH = 32;
const BATCH = MOBILENET_BATCH;
/** Timed steps per round, and rounds of ours-then-PyTorch (the medians are printed). */
const STEPS = 3;
const TORCH_ROUNDS = 5;

/** One Adam step of MobileNetV2 (`arch`, default ARCH) on a fixed synthetic batch, and its disposal. */
export function mobilenetStep(arch: MobilenetV2Spec = ARCH, batch = BATCH): TrainingStep {
  return mobilenetTrainingStep(arch, batch);
}

interface Rate {
  samplesPerSecond: number;
  samplesPerCpuSecond: number;
}

/** Times `steps` steps of `training` (already warmed up), in samples per second and per CPU second. */
async function timeSteps(training: { step: () => Promise<void> }, steps: number, batch: number): Promise<Rate> {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < steps; i++) await training.step();
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { samplesPerSecond: (steps * batch) / seconds, samplesPerCpuSecond: (steps * batch) / cpuSeconds };
}

/**
 * `TORCH_ROUNDS` rounds of our MobileNetV2 step (ARCH) then torchvision's, one thread, right after: the medians, side
 * by side (or why PyTorch could not run); then the top kernels of our step.
 */
async function throughputAndKernels(): Promise<void> {
  const training = mobilenetStep();
  try {
    await training.step();
    const ours: Rate[] = [];
    const theirs: TorchRate[] = [];
    let skipped: string | null = null;
    for (let round = 0; round < TORCH_ROUNDS; round++) {
      ours.push(await timeSteps(training, STEPS, BATCH));
      if (skipped !== null) continue;
      const torch = await runTorchScript([
        ...['--arch', 'mobilenet-v2', '--threads', '1', '--batch', String(BATCH)],
        ...['--alpha', String(ARCH.alpha), '--size', String(ARCH.inputSize), '--mobilenet-steps', String(STEPS)],
      ]);
      const rate = torch.ok ? torch.rates.find((r) => r.arch === 'mobilenet-v2') : undefined;
      if (rate === undefined) skipped = torch.ok ? 'the PyTorch script did not report mobilenet-v2' : torch.reason;
      else theirs.push(rate);
    }
    const rate = median(ours.map((r) => r.samplesPerSecond));
    const perCpu = median(ours.map((r) => r.samplesPerCpuSecond));
    console.log(
      `mobilenet-v2 wasm: ${rate.toFixed(1)} samples/s (${perCpu.toFixed(1)} per CPU second; alpha ${ARCH.alpha}, ` +
        `${ARCH.inputSize}×${ARCH.inputSize}×3, batch ${BATCH}, Adam, median of ${TORCH_ROUNDS} rounds of ${STEPS} steps)`,
    );
    if (skipped !== null) {
      console.log(`skipped the MobileNetV2 PyTorch comparison: ${skipped}`);
    } else {
      const sideBySide: SideBySide = {
        arch: 'mobilenet-v2',
        ours: rate,
        torch: median(theirs.map((r) => r.samplesPerSecond)),
        ratio: median(ours.map((r, i) => r.samplesPerSecond / theirs[i]!.samplesPerSecond)),
        cpuRatio: median(ours.map((r, i) => r.samplesPerCpuSecond / theirs[i]!.samplesPerCpuSecond)),
        rounds: TORCH_ROUNDS,
        torchVersion: theirs[0]!.torch,
      };
      console.log(formatSideBySide(sideBySide, 'wasm'));
    }
    const profile = await profileKernels(training.step, { repeats: 2, warmup: 0, clock: 'cpu' });
    console.log(`mobilenet-v2 wasm step (batch ${BATCH}): ${profile.stepMs.toFixed(0)} ms CPU, top kernels:`);
    for (const line of formatTopKernels(profile, 8)) console.log(line);
  } finally {
    training.dispose();
  }
}

/**
 * Batch of the catalogue model's rate: at batch 32 a training step of MobileNetV2 1.0 at 224×224 needs more than the
 * 4 GiB a 32-bit WebAssembly memory can address (batch 8 grows it to about 2 GiB, batch 16 to 3.8 GiB); see
 * wasm-memory.ts for what a step that does not fit gives.
 */
const CATALOGUE_BATCH = 8;

/** The catalogue's MobileNetV2 (alpha 1.0, 224×224) training rate on wasm, and the wasm memory it grew to. */
async function catalogueRate(): Promise<void> {
  const arch = { name: 'mobilenet-v2' as const, alpha: 1, inputSize: 224 };
  const training = mobilenetStep(arch, CATALOGUE_BATCH);
  try {
    await training.step();
    const rate = await timeSteps(training, 2, CATALOGUE_BATCH);
    const heap = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8?.length ?? 0;
    console.log(
      `mobilenet-v2 wasm, alpha 1.0 224×224×3 (the catalogue's): ${rate.samplesPerSecond.toFixed(1)} samples/s ` +
        `(${rate.samplesPerCpuSecond.toFixed(1)} per CPU second; batch ${CATALOGUE_BATCH}, Adam, 2 steps; ` +
        `wasm memory ${(heap / 1024 ** 3).toFixed(1)} GiB of at most 4)`,
    );
  } finally {
    training.dispose();
  }
}

/**
 * One full trial of mobilenet-split's `approach` (its largest size, seed 0) with the frozen part's features computed
 * once and trained through the frozen layers: `frozen features: linear-probe N× faster` / `frozen prefix: partial N×
 * faster`, with both results (they must agree).
 */
async function frozenFeaturesSpeedup(approach: 'linear-probe' | 'partial'): Promise<void> {
  const loaded = loadSuite({ kind: 'builtin', name: 'mobilenet-split' });
  const arch = loaded.spec.architecture;
  if (typeof arch === 'string' || arch.name !== 'mobilenet-v2')
    throw new Error('the mobilenet-split suite does not name mobilenet-v2');
  const settings = loaded.spec.approaches[approach];
  if (!settings) throw new Error(`the mobilenet-split suite has no ${approach} settings`);
  const dir = mkdtempSync(join(tmpdir(), 'transfer-bench-perf-'));
  try {
    const cacheKey = pretrainCacheKey(loaded.spec, loaded.baseDir, 'wasm');
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
    const key = { approach, trainSize: Math.max(...loaded.spec.sizes), seed: 0 };
    const trial = async (cacheFrozenFeatures: boolean) => {
      clearFeatureStores();
      const spec = { ...loaded.spec, pretrain: undefined, pretrainedModel: base, cacheFrozenFeatures };
      const started = performance.now();
      const result = await runTrial({ trialId: 0, spec, baseDir: loaded.baseDir, key, base }, backend, {
        onStart: () => {},
        onEvaluation: () => {},
      });
      if (result.status !== 'done') throw new Error(`${approach} trial ${result.status}: ${result.error ?? ''}`);
      return { seconds: (performance.now() - started) / 1000, result };
    };
    const cached = await trial(true);
    const through = await trial(false);
    const same =
      cached.result.testAccuracy === through.result.testAccuracy &&
      Math.abs((cached.result.testLoss ?? NaN) - (through.result.testLoss ?? NaN)) < 1e-3;
    const what = approach === 'partial' ? 'frozen prefix' : 'frozen features';
    const cut = cached.result.protocol?.frozenPrefix;
    console.log(
      `${what}: ${approach} ${(through.seconds / cached.seconds).toFixed(1)}× faster ` +
        `(one trial of mobilenet-split, ${pretrained ? 'its cached source model' : 'a random MobileNetV2 (no cached source model)'}, ` +
        `size ${key.trainSize}, ${cached.result.steps} steps: ${cached.seconds.toFixed(1)} s ` +
        `with the features${cut ? ` (${cut.featuresLayer})` : ''} computed once, ${through.seconds.toFixed(1)} s through the frozen layers; test accuracy ` +
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
  await catalogueRate();
  await frozenFeaturesSpeedup('linear-probe');
  await frozenFeaturesSpeedup('partial');
}
