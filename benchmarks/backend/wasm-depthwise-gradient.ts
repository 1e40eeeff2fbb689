/**
 * The gradients of a depthwise 2-D convolution for the `wasm` backend.
 *
 * `@tensorflow/tfjs-backend-wasm` 4.22 registers `DepthwiseConv2dNative` but neither of its backprops, so the stock
 * gradient fails there and MobileNet-class models cannot train. With `x` [B, H, W, C], the filter `w`
 * [KH, KW, C, M] (M the channel multiplier), the output gradient `dy` [B, OH, OW, C·M], stride s and the forward
 * pass's top/left padding (pt, pl), each output position (oh, ow) reads input row h = oh·s + kh − pt and column
 * w = ow·s + kw − pl, so
 *
 *     dx[b, h, w, c]       = Σ_{kh, kw, m} dy[b, oh, ow, c·M + m] · w[kh, kw, c, m]
 *     dW[kh, kw, c, m]     = Σ_{b, oh, ow} x[b, h, w, c] · dy[b, oh, ow, c·M + m]
 *
 * summed over the output positions whose window covers (h, w) (a position outside the input is padding: zero).
 * Both run here as JavaScript loops over the wasm heap (as wasm-maxpool-gradient.ts does), one pass over the output
 * positions with the channel loop innermost, where NHWC keeps it contiguous. Measured by bench:perf, the filter
 * gradient is then the largest single kernel of a MobileNetV2 step at 96×96 (13 % of it, measured under load): the
 * next speed-up to make, e.g. as one XNNPACK convolution per channel group.
 *
 * For stride 1 and multiplier 1 (every depthwise layer of MobileNetV2 but the four stride-2 ones) the input gradient
 * is itself a depthwise convolution: `dy` padded by KH−1−pt above (and what completes the input below; likewise in
 * width), convolved 'valid' with the filter rotated by 180°. That case runs on the wasm backend's own
 * `DepthwiseConv2dNative` (XNNPACK) instead of the loop.
 *
 * On a 1×1 image (the partial top of mobilenet-split) the input gradient is a per-channel multiply by the filter's one
 * tap that reads the image (wasm-depthwise-1x1.ts), with the values of the convolution above.
 *
 * Registered for the wasm backend only, so tfjs-core's stock `DepthwiseConv2dNative` gradient works unchanged and the
 * other backends keep their own kernels. Dilations other than 1 are refused, as tfjs-core's gradient refuses them.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, trainingKernels, type TrainingKernels } from './training-kernels.js';
import { channelProduct, pointTapOffset } from './wasm-depthwise-1x1.js';

const BACKEND = 'wasm';

type Shape4 = [number, number, number, number];

function shape4(t: TensorInfo | readonly number[], kernel: string, what: string): Shape4 {
  const shape = Array.isArray(t) ? (t as readonly number[]) : (t as TensorInfo).shape;
  const [a, b, c, d] = shape;
  if (shape.length !== 4 || a === undefined || b === undefined || c === undefined || d === undefined) {
    throw new Error(`${kernel} (wasm): ${what} must be rank 4, got shape [${shape.join(', ')}]`);
  }
  return [a, b, c, d];
}

/** Geometry shared by both kernels, from the forward convolution's input and filter shapes and attributes. */
function geometry(
  kernel: string,
  inShape: Shape4,
  filterShape: Shape4,
  attrs: {
    strides: number | [number, number];
    dilations: number | [number, number];
    pad: unknown;
    dimRoundingMode?: unknown;
  },
): tf.backend_util.Conv2DInfo {
  const dilations = attrs.dilations ?? 1;
  const [dh, dw] = typeof dilations === 'number' ? [dilations, dilations] : dilations;
  if (dh !== 1 || dw !== 1) throw new Error(`${kernel} (wasm): dilations other than 1 are not supported`);
  return tf.backend_util.computeConv2DInfo(
    inShape,
    filterShape,
    attrs.strides,
    1,
    attrs.pad as 'valid',
    attrs.dimRoundingMode as 'floor' | undefined,
    true,
    'channelsLast',
  );
}

/** Runs another wasm kernel directly (no engine bookkeeping: the caller disposes the result). */
function runWasmKernel(
  backend: KernelBackend,
  name: string,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap,
): TensorInfo {
  const kernel = tf.getKernel(name, BACKEND);
  if (kernel === undefined) throw new Error(`the wasm backend has no ${name} kernel`);
  const out = kernel.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`wasm kernel ${name} returned several outputs`);
  return out;
}

/**
 * Calls `visit(xBase, dyBase, filterBase)` for every (b, oh, ow, kh, kw) whose input position lies inside the image:
 * the offsets of x[b, h, w, 0], dy[b, oh, ow, 0] and filter[kh, kw, 0, 0]. Channels are the caller's inner loop.
 */
function forEachTap(
  info: tf.backend_util.Conv2DInfo,
  visit: (xBase: number, dyBase: number, filterBase: number) => void,
): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  const xRow = inWidth * inChannels;
  const filterRow = filterWidth * outChannels;
  let dyBase = 0;
  for (let b = 0; b < batchSize; b++) {
    const xBatch = b * inHeight * xRow;
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - top;
      const khFrom = Math.max(0, -h0);
      const khTo = Math.min(filterHeight, inHeight - h0);
      for (let ow = 0; ow < outWidth; ow++, dyBase += outChannels) {
        const w0 = ow * strideWidth - left;
        const kwFrom = Math.max(0, -w0);
        const kwTo = Math.min(filterWidth, inWidth - w0);
        for (let kh = khFrom; kh < khTo; kh++) {
          const xLine = xBatch + (h0 + kh) * xRow;
          for (let kw = kwFrom; kw < kwTo; kw++) {
            visit(xLine + (w0 + kw) * inChannels, dyBase, kh * filterRow + kw * outChannels);
          }
        }
      }
    }
  }
}

/**
 * One of the two gradients (mode 0: filter, from x; mode 1: input, from the filter) by wat/training-kernels.wat's
 * `depthwise_grad`: SIMD over channels, for multiplier 1 and channels a multiple of 4.
 */
function runDepthwiseGrad(
  backend: BackendWasm,
  kernels: TrainingKernels,
  mode: 0 | 1,
  xf: TensorInfo,
  dy: TensorInfo,
  out: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): void {
  kernels.depthwise_grad(
    mode,
    heapOffset(backend, xf),
    heapOffset(backend, dy),
    heapOffset(backend, out),
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels * 4,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  );
}

/** dx by the loop above (or its SIMD form): any stride, any multiplier. */
function backpropInputLoop(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): TensorInfo {
  const out: TensorInfo = backend.makeOutput(info.inShape, 'float32');
  // views taken after makeOutput: an allocation can grow (and so replace) the wasm memory
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  const g = backend.typedArrayFromHeap(dy) as Float32Array;
  const f = backend.typedArrayFromHeap(filter) as Float32Array;
  dx.fill(0);
  const channels = info.inChannels;
  const multiplier = info.outChannels / channels;
  const kernels = multiplier === 1 && channels % 4 === 0 ? trainingKernels(backend) : null;
  if (kernels !== null) {
    runDepthwiseGrad(backend, kernels, 1, filter, dy, out, info);
  } else if (multiplier === 1) {
    forEachTap(info, (xBase, dyBase, fBase) => {
      for (let c = 0; c < channels; c++) dx[xBase + c]! += g[dyBase + c]! * f[fBase + c]!;
    });
  } else {
    forEachTap(info, (xBase, dyBase, fBase) => {
      for (let c = 0, o = 0; c < channels; c++) {
        let sum = 0;
        for (let m = 0; m < multiplier; m++, o++) sum += g[dyBase + o]! * f[fBase + o]!;
        dx[xBase + c]! += sum;
      }
    });
  }
  return out;
}

/** dx for stride 1 and multiplier 1 as a depthwise convolution in XNNPACK, or null where that does not apply. */
function backpropInputByConvolution(
  backend: KernelBackend,
  dy: TensorInfo,
  filter: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): TensorInfo | null {
  if (info.strideHeight !== 1 || info.strideWidth !== 1 || info.outChannels !== info.inChannels) return null;
  const { filterHeight: kh, filterWidth: kw, inHeight: h, inWidth: w, outHeight, outWidth } = info;
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  const bottom = h + kh - 1 - outHeight - top;
  const right = w + kw - 1 - outWidth - left;
  if (top < 0 || left < 0 || bottom < 0 || right < 0) return null;
  const temporaries: TensorInfo[] = [];
  try {
    let padded = dy;
    if (top + bottom + left + right > 0) {
      const paddings = [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ];
      padded = runWasmKernel(backend, 'PadV2', { x: dy }, { paddings, constantValue: 0 });
      temporaries.push(padded);
    }
    const flipped = runWasmKernel(backend, 'Reverse', { x: filter }, { dims: [0, 1] });
    temporaries.push(flipped);
    return runWasmKernel(
      backend,
      'DepthwiseConv2dNative',
      { x: padded, filter: flipped },
      { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] },
    );
  } finally {
    for (const t of temporaries) backend.disposeData(t.dataId);
  }
}

const backpropInputWasm: KernelFunc = (params) => {
  const name = 'DepthwiseConv2dNativeBackpropInput';
  const { dy, filter } = params.inputs;
  if (dy === undefined || filter === undefined) throw new Error(`${name} (wasm): inputs dy and filter are required`);
  const attrs = (params.attrs ?? {}) as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const info = geometry(name, shape4(attrs.inputShape, name, 'inputShape'), shape4(filter, name, 'filter'), attrs);
  const backend = params.backend as BackendWasm;
  // a 1×1 image: one tap, a per-channel multiply (wasm-depthwise-1x1.ts)
  const tap = dy.dtype === 'float32' && filter.dtype === 'float32' ? pointTapOffset(info) : null;
  if (tap !== null) return channelProduct(backend, dy, filter, tap, info.inShape);
  return backpropInputByConvolution(backend, dy, filter, info) ?? backpropInputLoop(backend, dy, filter, info);
};

const backpropFilterWasm: KernelFunc = (params) => {
  const name = 'DepthwiseConv2dNativeBackpropFilter';
  const { x, dy } = params.inputs;
  if (x === undefined || dy === undefined) throw new Error(`${name} (wasm): inputs x and dy are required`);
  const attrs = (params.attrs ?? {}) as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const info = geometry(name, shape4(x, name, 'x'), shape4(attrs.filterShape, name, 'filterShape'), attrs);
  const backend = params.backend as BackendWasm;
  const out: TensorInfo = backend.makeOutput(attrs.filterShape, 'float32');
  const dw = backend.typedArrayFromHeap(out) as Float32Array;
  const xs = backend.typedArrayFromHeap(x) as Float32Array;
  const g = backend.typedArrayFromHeap(dy) as Float32Array;
  dw.fill(0);
  const channels = info.inChannels;
  const multiplier = info.outChannels / channels;
  const kernels = multiplier === 1 && channels % 4 === 0 ? trainingKernels(backend) : null;
  if (kernels !== null) {
    runDepthwiseGrad(backend, kernels, 0, x, dy, out, info);
  } else if (multiplier === 1) {
    forEachTap(info, (xBase, dyBase, fBase) => {
      for (let c = 0; c < channels; c++) dw[fBase + c]! += xs[xBase + c]! * g[dyBase + c]!;
    });
  } else {
    forEachTap(info, (xBase, dyBase, fBase) => {
      for (let c = 0, o = 0; c < channels; c++) {
        const v = xs[xBase + c]!;
        for (let m = 0; m < multiplier; m++, o++) dw[fBase + o]! += v * g[dyBase + o]!;
      }
    });
  }
  return out;
};

let registered = false;

/**
 * Registers, for the wasm backend only, `DepthwiseConv2dNativeBackpropInput` and `...BackpropFilter`. Idempotent.
 * If a later tfjs-backend-wasm ships its own, that one is kept.
 */
export function registerWasmDepthwiseGradients(): void {
  if (registered) return;
  registered = true;
  const kernels: [string, KernelFunc][] = [
    [tf.DepthwiseConv2dNativeBackpropInput, backpropInputWasm],
    [tf.DepthwiseConv2dNativeBackpropFilter, backpropFilterWasm],
  ];
  for (const [kernelName, kernelFunc] of kernels) {
    if (tf.getKernel(kernelName, BACKEND) === undefined)
      tf.registerKernel({ kernelName, backendName: BACKEND, kernelFunc });
  }
}
