/**
 * How long a suite will take on this machine: the training FLOPs of every trial's budget (models/flops.ts) divided
 * by a throughput measured here, for a second or two, on the suite's own architecture and input shape, plus what each
 * trial pays besides training (building its model, compiling kernels, its first evaluation: measured too), spread
 * over the cores that are free now (the load average says how many are busy). A range: from every trial stopping
 * early at its first chance to every trial using its whole budget.
 */
import { availableParallelism, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { BackendInfo } from '../backend/select-backend.js';
import { createRng } from '../datasets/seeded-random.js';
import { APPROACHES } from '../domain.js';
import { buildModel } from '../models/architectures.js';
import { estimateTrainingFlops, forwardFlopsByLayer } from '../models/flops.js';
import { buildTrialModel } from '../models/transfer-model.js';
import type { SuiteSpec } from '../spec/suite-schema.js';
import { featuresLayer } from '../spec/describe-architecture.js';
import { trialFlops, trialTrainings, type ApproachFlops } from '../spec/trial-work.js';

export type { ApproachFlops };
import { disposeSplit, tensorSplit } from '../train/tensor-splits.js';
import { trainLoop } from '../train/train-loop.js';

export interface Throughput {
  backend: string;
  /** Training samples per second of the architecture, all layers training, on one worker. */
  samplesPerSecond: number;
  /** The same, in training FLOPs per second (models/flops.ts's count). */
  flopsPerSecond: number;
  /**
   * Seconds a trial pays besides its training steps: building the model, compiling kernels, allocating (the first
   * short training less the same work at the steady rate). Absent in estimates made before it was measured.
   */
  trialOverheadSeconds?: number;
  /**
   * Seconds a worker pays once before its first trial: starting its process and loading TensorFlow.js and its backend
   * (measured by starting one, when the estimate's caller can: runner/worker-start-time.ts; else this process's own
   * backend selection, which misses the process start).
   */
  startupSeconds?: number;
  /** Seconds a worker pays once to decode the suite's data (measured by the estimate reading it; not cached). */
  dataSeconds?: number;
  /** Seconds a worker pays once to load a brought model (measured by the estimate loading it; not cached). */
  modelLoadSeconds?: number;
  /** Training examples the speed was timed over, after the warm-up (absent in measurements made before it was kept). */
  measuredSamples?: number;
  /** The 1-minute load average when it was measured (other work on the machine), and its cores. */
  loadAverage?: number;
  cores?: number;
  /**
   * The 1-minute load average when the estimate is made, if the speed was measured earlier (a cached measurement):
   * the free cores and the share of a core each worker gets are read from it instead of from `loadAverage`.
   */
  loadNow?: number;
}

/** A model the user brought (`pretrainedModel`), cut at `cutLayer`: every approach trains its architecture. */
export interface BroughtModel {
  model: tfl.LayersModel;
  cutLayer: string;
}

/** Random examples the measurement trains on at the most; its warm-up and smallest timed pass are two batches. */
const MEASURE_EXAMPLES = 256;

/**
 * The batch size a suite's trials train at, the largest of its approaches' (32 when none says): the speed is measured
 * at it, since the rate depends on it and a large model may not fit a larger batch (a MobileNetV2 1.0 at 224×224 in
 * batches of 32 overflows the wasm backend's 4 GiB, where `init` drafts batches of 8).
 */
export function measureBatchSize(spec: Pick<SuiteSpec, 'approaches'>): number {
  const sizes = Object.values(spec.approaches).flatMap((a) => (a?.batchSize === undefined ? [] : [a.batchSize]));
  return sizes.length > 0 ? Math.max(...sizes) : 32;
}

/**
 * How the measurement times a model, from how long two batches took (`probeSeconds`) and how long it may take: in
 * passes of two batches when they took over a quarter of that time (a large model), else in passes of 256 examples
 * (fewer calls, each of which has a fixed cost).
 */
export function timedPasses(probeSeconds: number, allowedSeconds: number): 'pairs' | 'whole' {
  return probeSeconds > allowedSeconds / 4 ? 'pairs' : 'whole';
}

/**
 * Trains the suite's model (the built-in architecture, or a brought model with a new head, every layer training) for
 * about `seconds` on random inputs of its shape (speed only: no result is read from it) at the suite's batch size
 * (measureBatchSize), after a warm-up of two batches, and reports its speed. A model for which two batches take
 * longer than `seconds` / 4 (a large one: a MobileNetV2 at 224×224 trains about 12 examples a second here) is timed
 * over passes of two batches instead of 256 examples, so measuring it takes seconds, not minutes.
 */
export async function measureThroughput(
  spec: Pick<SuiteSpec, 'architecture' | 'approaches'>,
  inputShape: [number, number, number],
  numClasses: number,
  backend: BackendInfo,
  seconds = 1.5,
  brought?: BroughtModel,
): Promise<Throughput> {
  const built = performance.now();
  const model = brought
    ? buildTrialModel({
        approach: 'finetune',
        arch: spec.architecture,
        inputShape,
        numClasses,
        seed: 0,
        base: brought.model,
        cutLayer: brought.cutLayer,
      })
    : buildModel(spec.architecture, inputShape, numClasses, 0);
  const buildSeconds = (performance.now() - built) / 1000;
  const batchSize = measureBatchSize(spec);
  const pair = 2 * batchSize;
  const count = Math.max(MEASURE_EXAMPLES, pair);
  const rng = createRng(1);
  const values = Float32Array.from({ length: count * inputShape[0] * inputShape[1] * inputShape[2] }, () => rng());
  const labels = Int32Array.from({ length: count }, (_, i) => i % numClasses);
  const x = tf.tensor4d(values, [count, ...inputShape]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses) as tf.Tensor2D);
  const whole = tensorSplit(x, y);
  const small = tensorSplit(tf.slice(x, 0, pair), tf.slice(y, 0, pair) as tf.Tensor2D);
  const val = tensorSplit(tf.slice(x, 0, batchSize), tf.slice(y, 0, batchSize) as tf.Tensor2D);
  const run = (train: typeof whole) =>
    trainLoop({
      model,
      budget: { optimizer: 'adam', learningRate: 0.001, batchSize, epochs: 1, minSteps: 0, patience: null },
      train,
      val,
      evalEverySteps: 1_000_000,
      seed: 0,
    });
  try {
    const load = loadavg()[0] ?? 0;
    const first = performance.now();
    const warm = await run(small); // warm-up: kernels compiled, memory allocated
    const firstSeconds = (performance.now() - first) / 1000 + buildSeconds;
    // two more batches, timed: they decide the passes the rest is timed in
    const probe = await run(small);
    const pass = timedPasses(probe.seconds, seconds) === 'pairs' ? small : whole;
    let samples = probe.samples;
    let elapsed = probe.seconds;
    while (elapsed < seconds) {
      const result = await run(pass);
      samples += result.samples;
      elapsed += result.seconds;
    }
    const samplesPerSecond = samples / elapsed;
    return {
      backend: backend.name,
      samplesPerSecond,
      flopsPerSecond: estimateTrainingFlops(model, 1) * samplesPerSecond,
      // what the first training cost beyond the same samples at the steady rate: a trial's fixed cost
      trialOverheadSeconds: Math.max(0, firstSeconds - warm.samples / samplesPerSecond),
      measuredSamples: samples,
      loadAverage: load,
      cores: availableParallelism(),
    };
  } finally {
    model.dispose();
    x.dispose();
    y.dispose();
    disposeSplit(small);
    disposeSplit(val);
  }
}

/** Seconds a worker pays once before its first trial, as measured for an estimate. */
export interface StartupCosts {
  /** Starting the worker: its process, TensorFlow.js and the backend. */
  workerSeconds: number;
  /** Whether that was measured by starting a worker (else: this process's backend selection). */
  workerMeasured: boolean;
  /** Decoding the suite's data. */
  dataSeconds: number;
  /** Loading the model the suite brings (0 without one). */
  modelLoadSeconds: number;
}

export interface RunEstimate {
  trials: number;
  /** Training FLOPs of every trial's full budget, plus evaluations and pretraining. */
  flops: number;
  /** The same if every trial stopped early at its first chance (patience, pruning at the first evaluation). */
  lowFlops: number;
  workers: number;
  /** Trials that run at once on the cores free now (at most `workers`). */
  parallel: number;
  /**
   * How much slower than measured each worker runs because of the load now against the load at the measurement
   * (1 when they are alike or the machine has cores to spare): every part of the estimate is stretched by it.
   */
  loadSlowdown: number;
  /** Upper end: every trial's full budget and its fixed cost, `parallel` at a time, plus pretraining. */
  seconds: number;
  /** Lower end: every trial stopping early at its first chance. */
  lowSeconds: number;
  /** Seconds of the largest single trial on one worker (what a user waits for at least). */
  largestTrialSeconds: number;
  /**
   * What the workers pay before their first trials, in both ends: each one's start (process, backend), data decoding and
   * brought-model load, once per round of workers the free cores run at a time (workers beyond them wait their turn).
   */
  startupSeconds: number;
  pretrainSeconds: number;
  /**
   * Seconds each training pays besides its steps, in `seconds` once per training: a trial trains once per learning-rate
   * candidate, and under k-fold once per candidate and fold plus its final training (0 when not measured).
   */
  trialOverheadSeconds: number;
}

/** Worker processes a run uses by default on this backend (as the runner decides). */
export function defaultWorkers(backend: string): number {
  return backend === 'wasm' || backend === 'cpu' ? availableParallelism() : 1;
}

/**
 * FLOPs per training sample of each approach of the suite: of its built-in architecture, or of the model it brings
 * (`brought`, already loaded: left undisposed).
 */
export function approachFlops(
  spec: SuiteSpec,
  inputShape: [number, number, number],
  numClasses: number,
  brought?: BroughtModel,
): ApproachFlops {
  const base = brought?.model ?? buildModel(spec.architecture, inputShape, numClasses, 0);
  const out: ApproachFlops = {};
  try {
    for (const approach of APPROACHES) {
      const settings = spec.approaches[approach];
      if (!settings) continue;
      const model: tfl.LayersModel =
        approach === 'scratch' && !brought
          ? base
          : buildTrialModel({
              approach,
              arch: spec.architecture,
              inputShape,
              numClasses,
              seed: 0,
              base,
              cutLayer: brought?.cutLayer ?? featuresLayer(spec.architecture),
              trainableBlocks: settings.trainableBlocks,
              trainFrom: settings.trainFrom,
            });
      out[approach] = {
        train: estimateTrainingFlops(model, 1),
        forward: forwardFlopsByLayer(model).reduce((s, l) => s + l.forward, 0),
      };
      if (model !== base) model.dispose();
    }
    return out;
  } finally {
    if (!brought) base.dispose();
  }
}

/**
 * The run time of `spec` on `numClasses` classes of `inputShape`, at `throughput`: every trial's budget
 * (max(minSteps, epochs × steps per epoch) updates) for every learning-rate candidate, and for every fold and the
 * final training at sizes that use k-fold cross-validation, its validation evaluations and its test evaluation,
 * plus pretraining on `sourcePool` examples when the suite pretrains.
 */
export function estimateRun(
  spec: SuiteSpec,
  data: { inputShape: [number, number, number]; numClasses: number; testCount: number; sourcePool?: number },
  throughput: Throughput,
  workers = defaultWorkers(throughput.backend),
  perSample: ApproachFlops = approachFlops(spec, data.inputShape, data.numClasses),
): RunEstimate {
  const { numClasses } = data;
  let flops = 0;
  let lowFlops = 0;
  let largest = 0;
  let largestTrainings = 1;
  let trials = 0;
  let trainingsRun = 0;
  for (const approach of APPROACHES) {
    const settings = spec.approaches[approach];
    if (!settings) continue;
    const cost = perSample[approach];
    if (!cost) throw new Error(`no FLOPs counted for approach ${approach}`);
    for (const size of spec.sizes) {
      // Every learning-rate candidate trains, and under k-fold every fold and the final training (spec/trial-work.ts,
      // which the ETA of a run counts with too); pruning stops hopeless candidates sooner: this is an upper bound.
      const trainings = trialTrainings(spec, approach, size, numClasses)!;
      const trial = trialFlops(spec, approach, size, numClasses, cost, data.testCount)!;
      const earlyTrial = trialFlops(spec, approach, size, numClasses, cost, data.testCount, true)!;
      flops += trial * spec.seeds.length;
      lowFlops += earlyTrial * spec.seeds.length;
      largest = Math.max(largest, trial);
      largestTrainings = Math.max(largestTrainings, trainings.count);
      trials += spec.seeds.length;
      // each training builds its model and pays its first evaluation: the fixed cost counts once per training
      trainingsRun += trainings.count * spec.seeds.length;
    }
  }
  let pretrainFlops = 0;
  if (spec.pretrain && data.sourcePool !== undefined) {
    const train = (perSample.scratch ?? Object.values(perSample)[0])?.train ?? 0;
    pretrainFlops = train * spec.pretrain.epochs * data.sourcePool;
  }
  const rate = throughput.flopsPerSecond;
  const pretrainSeconds = pretrainFlops / rate;
  const overhead = throughput.trialOverheadSeconds ?? 0;
  // Workers beyond the cores other work leaves free share them: count only the free ones (at least one).
  const cores = throughput.cores ?? availableParallelism();
  // The load average counts this process's own work too (init decodes the data just before measuring): one less.
  const otherThen = Math.max(0, (throughput.loadAverage ?? 0) - 1);
  const otherNow = Math.max(0, (throughput.loadNow ?? throughput.loadAverage ?? 0) - 1);
  const free = Math.max(1, Math.floor(cores - otherNow + 0.5));
  const parallel = Math.max(1, Math.min(workers, trials, free));
  // With more runnable processes than cores, each gets a share of one: the measured speed had the share of its time,
  // a worker now has the share of now, beside the other work and the run's own workers (a single process for
  // pretraining). A speed measured on a quiet machine and reused under load is slowed by the ratio, never sped up.
  const share = (others: number, ours: number) => Math.min(1, cores / (others + ours));
  const slowdown = (ours: number) => Math.max(1, share(otherThen, 1) / share(otherNow, ours));
  const loadSlowdown = slowdown(parallel);
  const perWorker =
    (throughput.startupSeconds ?? 0) + (throughput.dataSeconds ?? 0) + (throughput.modelLoadSeconds ?? 0);
  const startup = perWorker * Math.ceil(Math.min(workers, trials) / parallel) * loadSlowdown;
  const pretrainTime = pretrainSeconds * slowdown(1);
  const spread = (work: number) =>
    ((work / rate + trainingsRun * overhead) / parallel) * loadSlowdown + pretrainTime + startup;
  return {
    trials,
    flops: flops + pretrainFlops,
    lowFlops: lowFlops + pretrainFlops,
    workers,
    parallel,
    loadSlowdown,
    seconds: spread(flops),
    lowSeconds: spread(lowFlops),
    largestTrialSeconds: (largest / rate + largestTrainings * overhead) * loadSlowdown,
    startupSeconds: startup,
    pretrainSeconds: pretrainTime,
    trialOverheadSeconds: overhead,
  };
}
