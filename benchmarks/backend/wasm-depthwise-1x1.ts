/**
 * Depthwise convolutions on a 1×1 image for the `wasm` backend: a per-channel multiply.
 *
 * In mobilenet-split's partial top (features 2×2, block_13's stride-2 depthwise convolution brings them to 1×1),
 * three of four depthwise convolutions see a 1×1 image with a 3×3 filter and 'same' padding: the output's one position
 * reads the input's one position through the filter's centre tap, every other tap reads padding. So, with the tap
 * (pt, pl) (the top and left padding):
 *
 *     y[b, c]  = x[b, c] · w[pt, pl, c]        dx[b, c] = dy[b, c] · w[pt, pl, c]
 *
 * XNNPACK (the stock kernel, and the input gradient's convolution in wasm-depthwise-gradient.ts) computes the same
 * product and adds the other taps' products with zero, which only turns a −0 into +0: the `+ 0` below does the same,
 * so the values are bit for bit XNNPACK's (test/unit/backend/wasm-depthwise-1x1.test.ts). What is saved is the
 * operator XNNPACK creates and packs the weights of on every call (the weights change every step), and for the input
 * gradient the Pad and Reverse kernels run before it. The filter gradient needs nothing here: its loop
 * (wasm-depthwise-gradient.ts) already visits only the taps inside the image.
 *
 * Only for channel multiplier 1 and dilation 1, float32, a 1×1 input and output, a centre tap inside the filter;
 * anything else goes to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { replaceWasmKernel } from './replace-wasm-kernel.js';

/** The offset of the filter's only tap that reads a 1×1 input, or null where the shortcut does not apply. */
export function pointTapOffset(info: tf.backend_util.Conv2DInfo): number | null {
  const { inHeight, inWidth, outHeight, outWidth, inChannels, outChannels, filterHeight, filterWidth } = info;
  if (inHeight !== 1 || inWidth !== 1 || outHeight !== 1 || outWidth !== 1) return null;
  if (inChannels !== outChannels || info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  const { top, left } = info.padInfo;
  if (top < 0 || left < 0 || top >= filterHeight || left >= filterWidth) return null;
  return (top * filterWidth + left) * inChannels;
}

/** out[b, c] = a[b, c]·w[tap + c] + 0 (see above) over `rows` rows of `channels`, as a new tensor of `shape`. */
export function channelProduct(
  backend: BackendWasm,
  a: TensorInfo,
  filter: TensorInfo,
  tap: number,
  shape: number[],
): TensorInfo {
  const out: TensorInfo = backend.makeOutput(shape, 'float32');
  // views taken after makeOutput: an allocation can grow (and so replace) the wasm memory
  const o = backend.typedArrayFromHeap(out) as Float32Array;
  const v = backend.typedArrayFromHeap(a) as Float32Array;
  const w = backend.typedArrayFromHeap(filter) as Float32Array;
  const channels = shape[shape.length - 1]!;
  const n = o.length;
  for (let r = 0; r < n; r += channels) {
    for (let c = 0; c < channels; c++) o[r + c] = v[r + c]! * w[tap + c]! + 0;
  }
  return out;
}

function makeDepthwiseWasm(stock: KernelFunc): KernelFunc {
  return (params) => {
    const { x, filter } = params.inputs;
    if (x === undefined || filter === undefined) return stock(params);
    if (x.dtype !== 'float32' || filter.dtype !== 'float32' || x.shape.length !== 4 || filter.shape.length !== 4)
      return stock(params);
    const attrs = (params.attrs ?? {}) as unknown as tf.DepthwiseConv2dNativeAttrs;
    if (attrs.dataFormat === 'NCHW') return stock(params);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      attrs.strides,
      attrs.dilations ?? 1,
      attrs.pad,
      attrs.dimRoundingMode,
      true,
      'channelsLast',
    );
    const tap = pointTapOffset(info);
    if (tap === null) return stock(params);
    return channelProduct(params.backend as BackendWasm, x, filter, tap, info.outShape);
  };
}

let registered = false;

/** Replaces the wasm backend's `DepthwiseConv2dNative` with the one above. Idempotent. */
export function registerWasmDepthwise1x1(): void {
  if (registered) return;
  registered = true;
  replaceWasmKernel(tf.DepthwiseConv2dNative, makeDepthwiseWasm);
}
