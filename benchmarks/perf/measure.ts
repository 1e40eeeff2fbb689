import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select-backend.js';
import type { BackendInfo, SelectBackendOptions } from '../backend/select-backend.js';
import type { BackendName } from '../domain.js';
import { UserError } from '../errors.js';
import { isBrowserBackend } from '../gpu/browser-backends.js';
import type { Architecture } from '../spec/suite-schema.js';
import { referenceTrainingStep } from '../train/reference-step.js';

/** Image shape and classes of the reference workload: MNIST-shaped, 10 classes. */
export { REFERENCE_CLASSES, REFERENCE_INPUT_SHAPE } from '../train/reference-step.js';

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

export { referenceTrainingStep, type TrainingStep } from '../train/reference-step.js';

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
  if (isBrowserBackend(backend)) {
    return { backend, skipped: true, reason: 'runs in a Chromium page: measured by the GPU section below' };
  }
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
