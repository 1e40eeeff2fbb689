/**
 * `MaxPoolGrad` for the wasm backend, in JavaScript on the wasm heap.
 *
 * The wasm backend's own kernel is slow (≈20 ms of a ≈50 ms training step of the reference CNN at batch 64; this
 * one takes ≈5 ms) and, with 'same' padding, drops the gradient of some windows at the padded edge (a 2×2/2 pool of a
 * 7×7 input loses some of its last column and row). Here each output position sends its gradient to the first
 * maximum of its window in row-major order, the window clipped to the input: the cpu backend's rule, which the tests
 * hold this to. Inputs other than float32 go to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { replaceWasmKernel } from './replace-wasm-kernel.js';

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
    const dx = backend.typedArrayFromHeap(out);
    const x = backend.typedArrayFromHeap(input);
    const g = backend.typedArrayFromHeap(dy);
    dx.fill(0);
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
