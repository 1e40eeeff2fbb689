/**
 * Batch normalisation in training mode as two kernels on the `wasm` backend: one forward, one backward.
 *
 * tfjs-layers 4.22 normalises a training batch with `moments` (Mean, SquaredDifference, Mean) and `batchNorm`
 * (FusedBatchNorm), and tfjs-core differentiates each of those ops apart: together about a third of a MobileNetV2
 * training step on wasm, in dozens of small kernels per layer (bench:perf's kernel profile: Multiply, Mean, Sum,
 * FusedBatchNorm, Sub, …). Here, over the rows r of x (every axis but the last, the channels c; R rows):
 *
 *     forward:   mean = Σ_r x / R,  var = Σ_r (x − mean)² / R,  y = (x − mean)·γ/√(var + ε) + β
 *     backward:  dβ = Σ_r dy,  dγ = Σ_r dy·(x − mean)/√(var + ε),
 *                dx = γ/√(var + ε) · (dy − dβ/R − (x − mean)·dγ/(R·√(var + ε)))
 *
 * the textbook gradient of the normalised output with respect to x through the batch's mean and variance, which is
 * what tfjs-core's chain of op gradients computes, up to float rounding. The forward pass takes both moments in one
 * pass over x shifted by its first row (Σ (x − k) and Σ (x − k)², k near the mean, so no cancellation of raw
 * moments), then writes y in a second; the backward pass takes both sums in one and writes dx in a second. Each is
 * a function of
 * wat/training-kernels.wat (SIMD over channels, for channels a multiple of 4) or a JavaScript loop otherwise.
 *
 * `useFusedTrainingBatchNorm()` wraps tfjs-layers' `BatchNormalization.call`: a layer that trains, called with
 * `training: true` on the last axis with its scale and centre, on a backend that has these kernels, normalises with
 * them and updates its moving mean and variance exactly as tfjs-layers does (value − (value − batch statistic) ×
 * (1 − momentum), in float32, computed in the forward kernel). Everything else (inference, frozen layers, other backends) takes tfjs-layers' own code.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { GradConfig, KernelFunc, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, trainingKernels, type TrainingKernels } from './training-kernels.js';

export const BATCH_NORM_TRAIN_KERNEL = 'TransferBenchBatchNormTrain';
export const BATCH_NORM_TRAIN_GRAD_KERNEL = 'TransferBenchBatchNormTrainGrad';

interface Attrs {
  epsilon: number;
  /** The layer's momentum: the forward kernel also returns the moved averages (see movedAverage). */
  momentum?: number;
}

/**
 * value − (value − statistic)·(1 − momentum) per channel, in float32 step by step as tfjs-layers computes it with
 * Sub, Mul and Sub: its moving-average update, without three kernels per statistic.
 */
function movedAverage(value: Float32Array, statistic: Float32Array, momentum: number, out: Float32Array): void {
  const decay = f(1 - momentum);
  for (let c = 0; c < value.length; c++) out[c] = f(value[c]! - f(f(value[c]! - statistic[c]!) * decay));
}

const f = Math.fround;

/** Rows and channels of x, normalised over every axis but the last. */
function layout(x: TensorInfo): { rows: number; channels: number } {
  const channels = x.shape[x.shape.length - 1] ?? 1;
  return { rows: tf.util.sizeFromShape(x.shape) / channels, channels };
}

/** Float32 arrays of `n` values in the wasm heap, to pass to the module, and their release. */
function scratch(backend: BackendWasm, count: number, n: number): TensorInfo[] {
  return Array.from({ length: count }, () => backend.makeOutput([n], 'float32'));
}

const view = (backend: BackendWasm, t: TensorInfo): Float32Array => backend.typedArrayFromHeap(t) as Float32Array;

/**
 * The batch's mean and (biased) variance per channel into `mean` and `variance`, by the SIMD module: one pass over x
 * shifted by its first row (`shift`, a scratch of `channels` floats). The forward kernel and, where the mean and
 * variance were not kept, the backward kernel both take them from here, so they agree bit for bit.
 */
function batchMoments(
  backend: BackendWasm,
  kernels: TrainingKernels,
  x: TensorInfo,
  mean: TensorInfo,
  variance: TensorInfo,
  shift: TensorInfo,
): void {
  const { rows, channels } = layout(x);
  const [xs, k] = [x, shift].map((u) => view(backend, u)) as [Float32Array, Float32Array];
  k.set(xs.subarray(0, channels));
  const at = (t: TensorInfo) => heapOffset(backend, t);
  kernels.channel_shifted_moments(at(x), at(shift), rows, channels * 4, at(mean), at(variance));
  const [m, v, t] = [mean, variance, shift].map((u) => view(backend, u)) as Float32Array[];
  for (let c = 0; c < channels; c++) {
    const d = m![c]! / rows;
    m![c] = t![c]! + d;
    v![c] = Math.max(0, v![c]! / rows - d * d);
  }
}

/** The same moments by JavaScript loops (where the module cannot run: channels not a multiple of 4, no SIMD). */
function batchMomentsLoop(xs: Float32Array, channels: number, m: Float32Array, v: Float32Array): void {
  const rows = xs.length / channels;
  m.fill(0);
  v.fill(0);
  for (let i = 0; i < xs.length; i++) m[i % channels]! += xs[i]!;
  for (let c = 0; c < channels; c++) m[c] = m[c]! / rows;
  for (let i = 0; i < xs.length; i++) v[i % channels]! += (xs[i]! - m[i % channels]!) ** 2;
  for (let c = 0; c < channels; c++) v[c] = v[c]! / rows;
}

const batchNormTrainWasm: KernelFunc = ({ inputs, backend: b, attrs }) => {
  const backend = b as BackendWasm;
  const { x, scale, offset, movingMean, movingVariance } = inputs;
  if (x === undefined || scale === undefined || offset === undefined)
    throw new Error(`${BATCH_NORM_TRAIN_KERNEL}: inputs x, scale and offset are required`);
  const { epsilon, momentum } = attrs as unknown as Attrs;
  const { rows, channels } = layout(x);
  const y = backend.makeOutput(x.shape, 'float32');
  const mean = backend.makeOutput([channels], 'float32');
  const variance = backend.makeOutput([channels], 'float32');
  const moving = movingMean !== undefined && movingVariance !== undefined && momentum !== undefined;
  const moved = moving ? [0, 1].map(() => backend.makeOutput([channels], 'float32')) : [];
  /** The outputs, with the moved averages when the moving statistics came in (views taken now: no more allocations). */
  const outputs = (): TensorInfo[] => {
    if (!moving) return [y, mean, variance];
    const [m, v, mm, mv, newM, newV] = [mean, variance, movingMean, movingVariance, ...moved].map((t) =>
      view(backend, t!),
    ) as Float32Array[];
    movedAverage(mm!, m!, momentum, newM!);
    movedAverage(mv!, v!, momentum, newV!);
    return [y, mean, variance, ...moved];
  };
  const kernels = channels % 4 === 0 ? trainingKernels(backend) : null;
  if (kernels !== null) {
    const [pa, pb, pc] = scratch(backend, 3, channels) as [TensorInfo, TensorInfo, TensorInfo];
    try {
      const at = (t: TensorInfo) => heapOffset(backend, t);
      const rowBytes = channels * 4;
      batchMoments(backend, kernels, x, mean, variance, pc);
      const [m, v, g, o, s, zero, t] = [mean, variance, scale, offset, pa, pb, pc].map((u) =>
        view(backend, u),
      ) as Float32Array[];
      for (let c = 0; c < channels; c++) {
        s![c] = g![c]! / Math.sqrt(v![c]! + epsilon);
        t![c] = o![c]! - m![c]! * s![c]!;
      }
      zero!.fill(0);
      kernels.channel_affine(at(x), at(pa), at(x), at(pb), at(pc), at(y), rows, rowBytes);
    } finally {
      for (const t of [pa, pb, pc]) backend.disposeData(t.dataId);
    }
    return outputs();
  }
  const [xs, ys, m, v, g, o] = [x, y, mean, variance, scale, offset].map((t) => view(backend, t)) as Float32Array[];
  batchMomentsLoop(xs!, channels, m!, v!);
  const s = new Float32Array(channels);
  const t = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    s[c] = g![c]! / Math.sqrt(v![c]! + epsilon);
    t[c] = o![c]! - m![c]! * s[c]!;
  }
  for (let i = 0; i < xs!.length; i++) ys![i] = f(xs![i]! * s[i % channels]!) + t[i % channels]!;
  return outputs();
};

const batchNormTrainGradWasm: KernelFunc = ({ inputs, backend: b, attrs }) => {
  const backend = b as BackendWasm;
  const { dy, x, scale } = inputs;
  if (dy === undefined || x === undefined || scale === undefined)
    throw new Error(`${BATCH_NORM_TRAIN_GRAD_KERNEL}: inputs dy, x and scale are required`);
  const { epsilon } = attrs as unknown as Attrs;
  const { rows, channels } = layout(x);
  const dx = backend.makeOutput(x.shape, 'float32');
  const dScale = backend.makeOutput([channels], 'float32');
  const dOffset = backend.makeOutput([channels], 'float32');
  const kernels = channels % 4 === 0 ? trainingKernels(backend) : null;
  // the batch's moments as the forward kernel took them (batchMoments), unless they came in
  const given = inputs['mean'] !== undefined && inputs['variance'] !== undefined;
  const moments = given ? [] : scratch(backend, 3, channels);
  const [mean, variance] = given ? [inputs['mean']!, inputs['variance']!] : (moments as [TensorInfo, TensorInfo]);
  try {
    if (!given && kernels !== null) batchMoments(backend, kernels, x, mean, variance, moments[2]!);
    if (!given && kernels === null) {
      batchMomentsLoop(view(backend, x), channels, view(backend, mean), view(backend, variance));
    }
    return batchNormGrad(backend, kernels, { dy, x, mean, variance, scale, dx, dScale, dOffset }, rows, epsilon);
  } finally {
    for (const t of moments) backend.disposeData(t.dataId);
  }
};

interface GradTensors {
  dy: TensorInfo;
  x: TensorInfo;
  mean: TensorInfo;
  variance: TensorInfo;
  scale: TensorInfo;
  dx: TensorInfo;
  dScale: TensorInfo;
  dOffset: TensorInfo;
}

/** The backward pass proper (see the top of the file), into dx, dScale and dOffset. */
function batchNormGrad(
  backend: BackendWasm,
  kernels: TrainingKernels | null,
  { dy, x, mean, variance, scale, dx, dScale, dOffset }: GradTensors,
  rows: number,
  epsilon: number,
): TensorInfo[] {
  const channels = layout(x).channels;
  /** Per channel: dγ and dβ from the sums Σ dy·(x − mean) and Σ dy, and dx's coefficients pa·dy + pb·x + pc. */
  const coefficients = (
    sumDy: Float32Array,
    sumDyX: Float32Array,
    m: Float32Array,
    v: Float32Array,
    g: Float32Array,
    outScale: Float32Array,
    outOffset: Float32Array,
    pa: Float32Array,
    pb: Float32Array,
    pc: Float32Array,
  ): void => {
    for (let c = 0; c < channels; c++) {
      const inv = 1 / Math.sqrt(v[c]! + epsilon);
      const sdy = sumDy[c]!;
      const sdyx = sumDyX[c]!;
      outScale[c] = sdyx * inv;
      outOffset[c] = sdy;
      const a = g[c]! * inv;
      pa[c] = a;
      pb[c] = (-a * inv * inv * sdyx) / rows;
      pc[c] = (-a * sdy) / rows - pb[c]! * m[c]!;
    }
  };
  if (kernels !== null) {
    const temps = scratch(backend, 3, channels) as [TensorInfo, TensorInfo, TensorInfo];
    const [pa, pb, pc] = temps;
    try {
      const at = (t: TensorInfo) => heapOffset(backend, t);
      const rowBytes = channels * 4;
      kernels.channel_sum_and_dot(at(dy), at(x), at(mean), rows, rowBytes, at(dOffset), at(dScale));
      const [sumDy, sumDyX, m, v, g, a, bb, cc] = [dOffset, dScale, mean, variance, scale, pa, pb, pc].map((t) =>
        view(backend, t),
      ) as Float32Array[];
      coefficients(sumDy!, sumDyX!, m!, v!, g!, sumDyX!, sumDy!, a!, bb!, cc!);
      kernels.channel_affine(at(dy), at(pa), at(x), at(pb), at(pc), at(dx), rows, rowBytes);
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
    return [dx, dScale, dOffset];
  }
  const [g0, xs, m, v, g, out, outScale, outOffset] = [dy, x, mean, variance, scale, dx, dScale, dOffset].map((t) =>
    view(backend, t),
  ) as Float32Array[];
  const sumDy = new Float32Array(channels);
  const sumDyX = new Float32Array(channels);
  for (let i = 0; i < xs!.length; i++) {
    const c = i % channels;
    sumDy[c]! += g0![i]!;
    sumDyX[c]! += (xs![i]! - m![c]!) * g0![i]!;
  }
  const [pa, pb, pc] = [0, 1, 2].map(() => new Float32Array(channels)) as [Float32Array, Float32Array, Float32Array];
  coefficients(sumDy, sumDyX, m!, v!, g!, outScale!, outOffset!, pa, pb, pc);
  for (let i = 0; i < xs!.length; i++) {
    const c = i % channels;
    out![i] = g0![i]! * pa[c]! + xs![i]! * pb[c]! + pc[c]!;
  }
  return [dx, dScale, dOffset];
}

const gradient: GradConfig = {
  kernelName: BATCH_NORM_TRAIN_KERNEL,
  // x and scale only: the backward kernel takes the batch's moments from x again (bit for bit the forward kernel's),
  // which at small tensors costs less than the engine's two more clones and tape nodes per layer
  inputsToSave: ['x', 'scale'],
  gradFunc: (dys, saved, attrs) => {
    const dy = (Array.isArray(dys) ? dys[0] : dys) as Tensor;
    const [x, scale] = saved as [Tensor, Tensor];
    // One kernel gives all three gradients, but the engine calls each input's gradient inside a tidy of its own:
    // the first call keeps the small dγ and dβ as values for the other two.
    let perChannel: { dScale: Float32Array; dOffset: Float32Array } | undefined;
    const run = (): Tensor => {
      const [dx, dScale, dOffset] = tf
        .engine()
        .runKernel(BATCH_NORM_TRAIN_GRAD_KERNEL, { dy, x, scale }, attrs as unknown as tf.NamedAttrMap) as [
        Tensor,
        Tensor,
        Tensor,
      ];
      perChannel = { dScale: dScale.dataSync() as Float32Array, dOffset: dOffset.dataSync() as Float32Array };
      tf.dispose([dScale, dOffset]);
      return dx;
    };
    const channelGrad = (which: 'dScale' | 'dOffset') => (): Tensor => {
      if (perChannel === undefined) run().dispose();
      return tf.tensor1d(perChannel![which], 'float32');
    };
    return { x: run, scale: channelGrad('dScale'), offset: channelGrad('dOffset') };
  },
};

interface BatchNormLayer {
  trainable: boolean;
  axis: number;
  epsilon: number;
  momentum: number;
  scale: boolean;
  center: boolean;
  gamma: tfl.LayerVariable;
  beta: tfl.LayerVariable;
  movingMean: tfl.LayerVariable;
  movingVariance: tfl.LayerVariable;
  call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor | Tensor[];
}

let installed = false;

/** Registers the kernels (wasm), their gradient, and wraps BatchNormalization's call (see above). Idempotent. */
export function useFusedTrainingBatchNorm(): void {
  if (installed) return;
  installed = true;
  tf.registerKernel({ kernelName: BATCH_NORM_TRAIN_KERNEL, backendName: 'wasm', kernelFunc: batchNormTrainWasm });
  tf.registerKernel({
    kernelName: BATCH_NORM_TRAIN_GRAD_KERNEL,
    backendName: 'wasm',
    kernelFunc: batchNormTrainGradWasm,
  });
  tf.registerGradient(gradient);
  const prototype = Object.getPrototypeOf(tfl.layers.batchNormalization({})) as BatchNormLayer;
  const stockCall = prototype.call;
  prototype.call = function call(this: BatchNormLayer, inputs, kwargs) {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    const fused =
      kwargs['training'] === true &&
      this.trainable &&
      this.scale &&
      this.center &&
      input !== undefined &&
      (!Array.isArray(inputs) || inputs.length === 1) &&
      input.dtype === 'float32' &&
      input.rank >= 2 &&
      (this.axis === -1 || this.axis === input.rank - 1) &&
      tf.getKernel(BATCH_NORM_TRAIN_KERNEL, tf.getBackend()) !== undefined;
    if (!fused) return stockCall.call(this, inputs, kwargs);
    return tf.tidy(() => {
      const [y, , , movedMean, movedVariance] = tf.engine().runKernel(
        BATCH_NORM_TRAIN_KERNEL,
        {
          x: input,
          scale: this.gamma.read(),
          offset: this.beta.read(),
          movingMean: this.movingMean.read(),
          movingVariance: this.movingVariance.read(),
        },
        { epsilon: this.epsilon, momentum: this.momentum },
      ) as Tensor[];
      // as tfjs-layers' own update (moved in the kernel, see movedAverage)
      this.movingMean.write(movedMean!);
      this.movingVariance.write(movedVariance!);
      return y!;
    });
  };
}
