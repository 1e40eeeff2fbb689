/**
 * MobileNetV2 on wasm, for `bench:perf`:
 *
 * - `mobilenet-v2 wasm: N samples/s`: training throughput of MobileNetV2 (alpha 0.35, 96×96×3, batch 32, Adam, every
 *   layer training, batch normalisation in training mode) on synthetic images, and side by side with torchvision's
 *   `mobilenet_v2` on one thread, measured in alternating rounds (skipped, with the reason, without torchvision);
 * - the top kernels of that training step, by share of its time;
 * - the training rate of the catalogue's MobileNetV2 (alpha 1.0, 224×224);
 * - the top kernels of mobilenet-split's partial fine-tuning top alone (partial-top.ts): what a partial trial trains
 *   once the frozen prefix's features are computed once;
 * - `frozen features: linear-probe N× faster` and `frozen prefix: partial N× faster`: one full linear-probe trial
 *   and one partial fine-tuning trial of the mobilenet-split suite (its largest size, seed 0) with the frozen part's
 *   features computed once, and the same trial trained through the frozen layers, with both test accuracies (they
 *   must agree). The pretrained model is the suite's own source model when a run of
 *   the suite has cached it, else a MobileNetV2 written by write-keras-mobilenet.ts with the suite's architecture
 *   (random weights: the speed is the same, the accuracies are near chance).
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, type BackendInfo } from '../backend/select-backend.js';
import { featuresLayer } from '../spec/describe-architecture.js';
import { loadSuite, type LoadedSuite } from '../spec/load-suite.js';
import { clearFeatureStores } from '../train/frozen-features.js';
import { pretrainCacheKey, pretrainDir, readCachedPretrain } from '../train/pretrain-cache.js';
import { mobilenetTrainingStep, type TrainingStep } from '../train/reference-step.js';
import type { MobilenetV2Spec } from '../spec/suite-schema.js';
import { runPretrain } from '../train/run-pretrain.js';
import { runTrial } from '../train/run-trial.js';
import { formatTopKernels, profileKernels } from './kernel-profile.js';
import { partialTopKernels } from './partial-top.js';
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
 * The mobilenet-split source model the suite's trials start from: the cached one, or pretrained now into the cache by
 * the suite's own pretraining (as a run would), so that the trials below are the suite's as written.
 */
async function sourceModel(
  loaded: LoadedSuite,
  backend: BackendInfo,
): Promise<{ path: string; pretrainedNow: boolean }> {
  const cacheKey = pretrainCacheKey(loaded.spec, loaded.baseDir, backend.name);
  if (cacheKey === null) throw new Error('the mobilenet-split suite has no pretraining');
  const path = join(pretrainDir(cacheKey), 'model.json');
  if (readCachedPretrain(cacheKey) !== null) return { path, pretrainedNow: false };
  console.log(
    `pretraining mobilenet-split's source model for the frozen-feature trials (once: kept in ${pretrainDir(cacheKey)})`,
  );
  await runPretrain(
    { spec: loaded.spec, baseDir: loaded.baseDir, cacheKey, outDir: pretrainDir(cacheKey) },
    backend,
    () => {},
  );
  return { path, pretrainedNow: true };
}

/** Rounds of the partial trial with and without the frozen prefix's features (medians printed). */
const PARTIAL_ROUNDS = 3;

/**
 * One full trial of mobilenet-split's `approach` as the suite runs it (its largest size, seed 0, from the suite's
 * source model, with its budget, learning rates and folds) with the frozen part's features computed once and trained
 * through the frozen layers: `frozen features: linear-probe N× faster` / `frozen prefix: partial N× faster`, in wall
 * and CPU time, with both results (they must agree), after an untimed warm-up trial; over `rounds` alternated rounds, the medians. Each trial starts with an empty feature store, so it pays the
 * features of its test set too (in a run, later trials of a worker reuse them).
 */
export async function frozenFeaturesSpeedup(approach: 'linear-probe' | 'partial', rounds = 1): Promise<void> {
  const loaded = loadSuite({ kind: 'builtin', name: 'mobilenet-split' });
  const arch = loaded.spec.architecture;
  if (typeof arch === 'string' || arch.name !== 'mobilenet-v2')
    throw new Error('the mobilenet-split suite does not name mobilenet-v2');
  if (!loaded.spec.approaches[approach]) throw new Error(`the mobilenet-split suite has no ${approach} settings`);
  const backend = await selectBackend('wasm');
  const source = await sourceModel(loaded, backend);
  const base = { path: source.path, cutLayer: featuresLayer(arch) };
  const key = { approach, trainSize: Math.max(...loaded.spec.sizes), seed: 0 };
  const trial = async (cacheFrozenFeatures: boolean) => {
    clearFeatureStores();
    const spec = { ...loaded.spec, pretrain: undefined, pretrainedModel: base, cacheFrozenFeatures };
    const started = performance.now();
    const cpu = process.cpuUsage();
    const result = await runTrial({ trialId: 0, spec, baseDir: loaded.baseDir, key, base }, backend, {
      onStart: () => {},
      onEvaluation: () => {},
    });
    if (result.status !== 'done') throw new Error(`${approach} trial ${result.status}: ${result.error ?? ''}`);
    const used = process.cpuUsage(cpu);
    return { seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6, result };
  };
  // A process's first trial pays one-time costs (compiling the modules' code, the first kernels' set-up, loading
  // the source model's file) that a worker pays once, not per trial: 9.3 of a first trial's CPU seconds against 6.6
  // for the same trial right after it (2026-12-07, docs/performance.md). An untimed trial first, so that neither
  // timed trial carries them.
  await trial(true);
  // Then the two alternated over `rounds` rounds, the medians compared: one pair swung from 2.4× to 3.6× between runs
  // on this machine (the trial with the features from 4.8 to 7.1 s), so one pair says little.
  const pairs: { cached: Awaited<ReturnType<typeof trial>>; through: Awaited<ReturnType<typeof trial>> }[] = [];
  for (let round = 0; round < rounds; round++) pairs.push({ cached: await trial(true), through: await trial(false) });
  const median = (pick: (p: (typeof pairs)[number]) => Awaited<ReturnType<typeof trial>>) =>
    pairs.map(pick).sort((a, b) => a.seconds - b.seconds)[Math.floor(pairs.length / 2)]!;
  const cached = median((p) => p.cached);
  const through = median((p) => p.through);
  const perRound = pairs.map((p) => (p.through.seconds / p.cached.seconds).toFixed(1)).join(', ');
  const same =
    cached.result.testAccuracy === through.result.testAccuracy &&
    Math.abs((cached.result.testLoss ?? NaN) - (through.result.testLoss ?? NaN)) < 1e-3;
  const what = approach === 'partial' ? 'frozen prefix' : 'frozen features';
  const cut = cached.result.protocol?.frozenPrefix;
  const protocol = cached.result.protocol;
  const trainings =
    protocol?.kind === 'kfold' ? `${protocol.folds} folds and the final training` : 'one training with validation';
  console.log(
    `${what}: ${approach} ${(through.seconds / cached.seconds).toFixed(1)}× faster ` +
      `(${(through.cpuSeconds / cached.cpuSeconds).toFixed(1)}× in CPU time` +
      `${rounds > 1 ? `; medians of ${rounds} rounds, alternated, per round ${perRound}×` : ''}; one full trial of mobilenet-split from its ` +
      `source model${source.pretrainedNow ? ' (pretrained just now)' : ''}, size ${key.trainSize}, seed 0, ${trainings}, ` +
      `${cached.result.steps} final steps, after a warm-up trial: ${cached.seconds.toFixed(1)} s (${cached.cpuSeconds.toFixed(1)} CPU s) ` +
      `with the features${cut ? ` (${cut.featuresLayer})` : ''} computed once, ${through.seconds.toFixed(1)} s ` +
      `(${through.cpuSeconds.toFixed(1)} CPU s) through the frozen layers; test accuracy ` +
      `${cached.result.testAccuracy} and ${through.result.testAccuracy}, test loss ${cached.result.testLoss?.toFixed(5)} ` +
      `and ${through.result.testLoss?.toFixed(5)}: ${same ? 'the same result' : 'RESULTS DIFFER'}; load average ` +
      `${loadavg()[0]!.toFixed(1)})`,
  );
}

/** Prints the MobileNetV2 lines of bench:perf (on wasm; nothing when wasm is not among the backends asked for). */
export async function mobilenetSection(backends: readonly string[]): Promise<void> {
  if (!backends.includes('wasm')) return;
  await selectBackend('wasm');
  await throughputAndKernels();
  await catalogueRate();
  await partialTopKernels();
  await frozenFeaturesSpeedup('linear-probe');
  // partial is near its 3× target, so it is timed over three rounds; linear-probe is far above its own
  await frozenFeaturesSpeedup('partial', PARTIAL_ROUNDS);
}
