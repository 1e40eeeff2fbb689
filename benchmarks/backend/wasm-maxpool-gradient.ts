/**
 * `MaxPoolGrad` for the wasm backend, on the wasm heap.
 *
 * The wasm backend's own kernel is slow (≈20 ms of a ≈50 ms training step of the reference CNN at batch 64; this
 * one takes ≈5 ms) and, with 'same' padding, drops the gradient of some windows at the padded edge (a 2×2/2 pool of a
 * 7×7 input loses some of its last column and row). Here each output position sends its gradient to the first
 * maximum of its window in row-major order, the window clipped to the input: the cpu backend's rule, which the tests
 * hold this to. Inputs other than float32 go to the stock kernel.
 *
 * The common 2×2 stride-2 unpadded pool runs a small WebAssembly function without branches
 * (`maxpool2x2_grad` in wat/scalar-kernels.wat): the reference CNN's 64×26×26×16 input takes 1.2 ms of CPU instead of 2.4–2.7 ms in
 * JavaScript, whose comparisons the processor mispredicts (measured under load, node, 40 repetitions). Other pools
 * run the JavaScript loop below.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { replaceWasmKernel } from './replace-wasm-kernel.js';
import { scalarKernels, type MaxPool2x2Grad } from './scalar-kernels.js';

/**
 * Adds each output position's gradient `g` to the first maximum of its window in `x` (row-major order, the window
 * clipped to the input).
 */
export function maxPoolGradInto(
  dx: Float32Array,
  x: Float32Array,
  g: Float32Array,
  info: tf.backend_util.Conv2DInfo,
): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  const rowStride = inWidth * channels;
  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    const batchBase = b * inHeight * rowStride;
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - top;
      const hFrom = Math.max(0, h0);
      const hTo = Math.min(inHeight, h0 + filterHeight);
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - left;
        const wFrom = Math.max(0, w0);
        const wTo = Math.min(inWidth, w0 + filterWidth);
        for (let c = 0; c < channels; c++, o++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let h = hFrom; h < hTo; h++) {
            let i = batchBase + h * rowStride + wFrom * channels + c;
            for (let w = wFrom; w < wTo; w++, i += channels) {
              const v = x[i]!;
              if (v > best) {
                best = v;
                at = i;
              }
            }
          }
          if (at >= 0) dx[at] = dx[at]! + g[o]!;
        }
      }
    }
  }
}

/** A 2×2 window with stride 2 and no padding: the windows tile the input without overlap. */
function isPlain2x2(info: tf.backend_util.Conv2DInfo): boolean {
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  return (
    filterHeight === 2 &&
    filterWidth === 2 &&
    strideHeight === 2 &&
    strideWidth === 2 &&
    padInfo.top === 0 &&
    padInfo.left === 0 &&
    info.outHeight * 2 <= info.inHeight &&
    info.outWidth * 2 <= info.inWidth
  );
}

/** Our 2×2 gradient function on the backend's memory, or null where it cannot run. */
function maxPool2x2GradFor(backend: BackendWasm): MaxPool2x2Grad | null {
  return scalarKernels(backend)?.maxpool2x2_grad ?? null;
}

function memoryOffset(backend: BackendWasm, t: TensorInfo): number {
  return (backend.dataIdMap.get(t.dataId) as unknown as { memoryOffset: number }).memoryOffset;
}

function makeMaxPoolGradWasm(stock: KernelFunc): KernelFunc {
  return (params) => {
    const { dy, input } = params.inputs;
    if (dy === undefined || input === undefined)
      throw new Error('MaxPoolGrad (wasm): inputs dy and input are required');
    if (input.dtype !== 'float32' || input.shape.length !== 4) return stock(params);
    const attrs = (params.attrs ?? {}) as unknown as tf.MaxPoolGradAttrs;
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      attrs.filterSize,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const backend = params.backend as BackendWasm;
    const out: TensorInfo = backend.makeOutput(input.shape, 'float32');
    // views taken after makeOutput: an allocation can grow (and so replace) the wasm memory
    const dx = backend.typedArrayFromHeap(out) as Float32Array;
    const x = backend.typedArrayFromHeap(input) as Float32Array;
    const g = backend.typedArrayFromHeap(dy) as Float32Array;
    const grad2x2 = isPlain2x2(info) ? maxPool2x2GradFor(backend) : null;
    if (grad2x2 !== null) {
      // it writes every window's values; an odd last row or column is in no window
      if (info.outHeight * 2 < info.inHeight || info.outWidth * 2 < info.inWidth) dx.fill(0);
      grad2x2(
        memoryOffset(backend, input),
        memoryOffset(backend, dy),
        memoryOffset(backend, out),
        info.batchSize,
        info.outHeight,
        info.outWidth,
        info.inHeight,
        info.inWidth,
        info.inChannels,
      );
    } else {
      dx.fill(0);
      maxPoolGradInto(dx, x, g, info);
    }
    return out;
  };
}

let registered = false;

/** Replaces the wasm backend's `MaxPoolGrad` with the one above (the stock kernel serves other dtypes). Idempotent. */
export function registerWasmMaxPoolGradient(): void {
  if (registered) return;
  registered = true;
  replaceWasmKernel(tf.MaxPoolGrad, makeMaxPoolGradWasm);
}
