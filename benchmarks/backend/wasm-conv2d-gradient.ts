/**
 * The filter gradient of a 2-D convolution for the `wasm` backend.
 *
 * `@tensorflow/tfjs-backend-wasm` 4.22 registers `Conv2D`, `Conv2DBackpropInput` and `MaxPoolGrad` but not
 * `Conv2DBackpropFilter`, so the stock `Conv2D` gradient fails there and CNNs cannot train. With `x` in NHWC,
 * padded as the forward pass pads it, and `dy` the output gradient:
 *
 *     dW[kh, kw, ci, co] = Σ_{b, oh, ow} x[b, oh·s + kh, ow·s + kw, ci] · dy[b, oh, ow, co]
 *
 * which is a forward convolution of `x` transposed to [ci, H, W, b] by `dy` transposed to [OH, OW, b, co] used as
 * the filter, with dilation `s` and the forward pass's padding; its output is [ci, ≥KH, ≥KW, co], cropped to
 * [ci, KH, KW, co] and transposed back to [KH, KW, ci, co]. Every step is one of the wasm backend's own kernels
 * (Transpose, Conv2D, Slice), so the work runs in XNNPACK. Padding is the convolution's explicit `pad` attribute:
 * XNNPACK pads as it convolves, so no padded copy is made.
 *
 * The wasm backend's own `Conv2DBackpropInput` is a plain loop, not XNNPACK, and was the slowest kernel of a CNN
 * training step (≈40 ms of ≈80 ms for the reference CNN at batch 64). For stride 1 the input gradient is also a
 * forward convolution: `dy`, padded by KH−1−padTop above (and what completes the input height below; likewise for
 * width), convolved with the filter rotated by 180° and with its channel axes swapped. We use that for
 * stride 1, and for other strides a matrix product and a scatter (backpropInputByColumns). A 1×1 filter gradient
 * with stride 1 is one matrix product.
 *
 * Both are registered as kernels *for the wasm backend only*: the stock `Conv2D` gradient then works unchanged and
 * the other backends keep their own kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { replaceWasmKernel } from './replace-wasm-kernel.js';
import { runWasmKernel } from './run-wasm-kernel.js';
import { productTransposedBack, SWAP_RATIO } from './wasm-conv1x1.js';

const BACKEND = 'wasm';

type Shape4 = [number, number, number, number];

/**
 * The `pad` attribute of a convolution that zero-pads its input by these amounts in height and width: XNNPACK pads
 * as it convolves, so no padded copy of the input is made.
 */
function explicitPad(pad: { top: number; bottom: number; left: number; right: number }): 'valid' | number[][] {
  if (pad.top === 0 && pad.bottom === 0 && pad.left === 0 && pad.right === 0) return 'valid';
  return [
    [0, 0],
    [pad.top, pad.bottom],
    [pad.left, pad.right],
    [0, 0],
  ];
}

/** `kernel` names the kernel asking, so an error in the input gradient does not blame the filter gradient. */
function shape4(t: TensorInfo, kernel: 'Conv2DBackpropFilter' | 'Conv2DBackpropInput', what: string): Shape4 {
  const [a, b, c, d] = t.shape;
  if (t.shape.length !== 4 || a === undefined || b === undefined || c === undefined || d === undefined) {
    throw new Error(`${kernel} (wasm): ${what} must be rank 4, got shape [${t.shape.join(', ')}]`);
  }
  return [a, b, c, d];
}

const conv2dBackpropFilterWasm: KernelFunc = (params) => {
  const backend = params.backend as KernelBackend;
  const { x, dy } = params.inputs;
  if (x === undefined || dy === undefined) throw new Error('Conv2DBackpropFilter (wasm): inputs x and dy are required');
  const attrs = (params.attrs ?? {}) as unknown as tf.Conv2DBackpropFilterAttrs;
  if (attrs.dataFormat === 'NCHW') throw new Error("Conv2DBackpropFilter (wasm) supports only dataFormat 'NHWC'");

  const xShape = shape4(x, 'Conv2DBackpropFilter', 'x');
  const dyShape = shape4(dy, 'Conv2DBackpropFilter', 'dy');
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const [kh, kw, ci, co] = attrs.filterShape;
  const { top, bottom, left, right } = info.padInfo;
  if (dyShape[3] !== co) throw new Error(`Conv2DBackpropFilter (wasm): dy has ${dyShape[3]} channels, filter ${co}`);

  if (kh === 1 && kw === 1 && info.strideHeight === 1 && info.strideWidth === 1 && top + bottom + left + right === 0) {
    // A 1×1 convolution is a matrix product over the rows b·h·w: dW = xᵀ·dy, on XNNPACK (see wasm-matmul.ts).
    const rows = xShape[0] * xShape[1] * xShape[2];
    const product = runWasmKernel(
      backend,
      'BatchMatMul',
      { a: { ...x, shape: [1, rows, ci] }, b: { ...dy, shape: [1, rows, co] } },
      { transposeA: true, transposeB: false },
    );
    return { ...product, shape: [1, 1, ci, co] };
  }

  const temporaries: TensorInfo[] = [];
  const keep = (t: TensorInfo): TensorInfo => {
    temporaries.push(t);
    return t;
  };
  try {
    // [b, H, W, ci] → [ci, H, W, b]: input channels become the batch, the batch becomes the channels.
    const xt = keep(runWasmKernel(backend, 'Transpose', { x }, { perm: [3, 1, 2, 0] }));
    // [b, OH, OW, co] → [OH, OW, b, co]: the output gradient becomes the filter.
    const dyt = keep(runWasmKernel(backend, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] }));
    const conv = keep(
      runWasmKernel(
        backend,
        'Conv2D',
        { x: xt, filter: dyt },
        {
          strides: [1, 1],
          pad: explicitPad({ top, bottom, left, right }),
          dataFormat: 'NHWC',
          dilations: [info.strideHeight, info.strideWidth],
        },
      ),
    );
    const convShape = shape4(conv, 'Conv2DBackpropFilter', 'the intermediate convolution');
    let cropped = conv;
    if (convShape[1] !== kh || convShape[2] !== kw) {
      cropped = keep(runWasmKernel(backend, 'Slice', { x: conv }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] }));
    }
    // [ci, KH, KW, co] → [KH, KW, ci, co]
    return runWasmKernel(backend, 'Transpose', { x: cropped }, { perm: [1, 2, 0, 3] });
  } finally {
    for (const t of temporaries) backend.disposeData(t.dataId);
  }
};

/**
 * The input gradient for any stride as a matrix product and a scatter: the columns dy·Wᵀ ([b·OH·OW, KH·KW·ci], on
 * XNNPACK through wasm-matmul.ts) each add into the input positions their output position read (col2im). The stock
 * kernel's loop took 7 % of a MobileNetV2 step for its first convolution alone (3×3, stride 2, whose gradient with
 * respect to the image tfjs-core's fused convolution computes though nothing needs it).
 */
function backpropInputByColumns(
  backend: KernelBackend,
  dy: TensorInfo,
  filter: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const rows = batchSize * outHeight * outWidth;
  const taps = filterHeight * filterWidth * inChannels;
  const columns = runWasmKernel(
    backend,
    'BatchMatMul',
    { a: { ...dy, shape: [1, rows, outChannels] }, b: { ...filter, shape: [1, taps, outChannels] } },
    { transposeA: false, transposeB: true },
  );
  try {
    const wasm = backend as BackendWasm;
    const out: TensorInfo = wasm.makeOutput(info.inShape, 'float32');
    // views taken after makeOutput: an allocation can grow (and so replace) the wasm memory
    const dx = wasm.typedArrayFromHeap(out) as Float32Array;
    const cols = wasm.typedArrayFromHeap(columns) as Float32Array;
    dx.fill(0);
    const { top, left } = info.padInfo;
    const xRow = inWidth * inChannels;
    let r = 0;
    for (let b = 0; b < batchSize; b++) {
      const xBatch = b * inHeight * xRow;
      for (let oh = 0; oh < outHeight; oh++) {
        const h0 = oh * strideHeight - top;
        for (let ow = 0; ow < outWidth; ow++, r++) {
          const w0 = ow * strideWidth - left;
          for (let kh = 0; kh < filterHeight; kh++) {
            const h = h0 + kh;
            if (h < 0 || h >= inHeight) continue;
            for (let kw = 0; kw < filterWidth; kw++) {
              const w = w0 + kw;
              if (w < 0 || w >= inWidth) continue;
              const xBase = xBatch + h * xRow + w * inChannels;
              const cBase = r * taps + (kh * filterWidth + kw) * inChannels;
              for (let c = 0; c < inChannels; c++) dx[xBase + c]! += cols[cBase + c]!;
            }
          }
        }
      }
    }
    return out;
  } finally {
    backend.disposeData(columns.dataId);
  }
}

/** Builds the stride-1 `Conv2DBackpropInput` on XNNPACK, falling back to `stock` (the wasm backend's own). */
function makeConv2dBackpropInputWasm(stock: KernelFunc): KernelFunc {
  return (params) => {
    const backend = params.backend as KernelBackend;
    const { dy, filter } = params.inputs;
    if (dy === undefined || filter === undefined) {
      throw new Error('Conv2DBackpropInput (wasm): inputs dy and filter are required');
    }
    const attrs = (params.attrs ?? {}) as unknown as tf.Conv2DBackpropInputAttrs;
    if (attrs.dataFormat === 'NCHW') return stock(params);
    const filterShape = shape4(filter, 'Conv2DBackpropInput', 'filter');
    const dyShape = shape4(dy, 'Conv2DBackpropInput', 'dy');
    const info = tf.backend_util.computeConv2DInfo(
      attrs.inputShape,
      filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      'channelsLast',
    );
    if (info.strideHeight !== 1 || info.strideWidth !== 1) return backpropInputByColumns(backend, dy, filter, info);
    const [kh, kw] = filterShape;
    const [, h, w] = attrs.inputShape;
    const { top: padTop, bottom: padBottom, left: padLeft, right: padRight } = info.padInfo;
    if (kh === 1 && kw === 1 && padTop + padBottom + padLeft + padRight === 0) {
      // 1×1: dx = dy·Wᵀ over the rows b·h·w, one matrix product on XNNPACK (see wasm-matmul.ts)
      const rows = dyShape[0] * dyShape[1] * dyShape[2];
      const [, , ci, co] = filterShape;
      if (ci >= SWAP_RATIO * rows) {
        // dx = dy·Wᵀ as (W·dyᵀ)ᵀ: XNNPACK packs dyᵀ (rows columns), not Wᵀ (ci columns), and W needs no transpose
        const dyt = runWasmKernel(backend, 'Transpose', { x: { ...dy, shape: [rows, co] } }, { perm: [1, 0] });
        try {
          return { ...productTransposedBack(backend, filter, dyt, ci, co, rows), shape: [...attrs.inputShape] };
        } finally {
          backend.disposeData(dyt.dataId);
        }
      }
      const product = runWasmKernel(
        backend,
        'BatchMatMul',
        { a: { ...dy, shape: [1, rows, dyShape[3]] }, b: { ...filter, shape: [1, filterShape[2], filterShape[3]] } },
        { transposeA: false, transposeB: true },
      );
      return { ...product, shape: [...attrs.inputShape] };
    }
    const top = kh - 1 - info.padInfo.top;
    const left = kw - 1 - info.padInfo.left;
    const bottom = h + kh - 1 - dyShape[1] - top;
    const right = w + kw - 1 - dyShape[2] - left;
    // Padding wider than the kernel would need a crop instead; no layer we build does that.
    if (top < 0 || left < 0 || bottom < 0 || right < 0) return stock(params);

    const temporaries: TensorInfo[] = [];
    const keep = (t: TensorInfo): TensorInfo => {
      temporaries.push(t);
      return t;
    };
    try {
      // [KH, KW, ci, co] rotated by 180° in space, then → [KH, KW, co, ci].
      const flipped = keep(runWasmKernel(backend, 'Reverse', { x: filter }, { dims: [0, 1] }));
      const swapped = keep(runWasmKernel(backend, 'Transpose', { x: flipped }, { perm: [0, 1, 3, 2] }));
      return runWasmKernel(
        backend,
        'Conv2D',
        { x: dy, filter: swapped },
        { strides: [1, 1], pad: explicitPad({ top, bottom, left, right }), dataFormat: 'NHWC', dilations: [1, 1] },
      );
    } finally {
      for (const t of temporaries) backend.disposeData(t.dataId);
    }
  };
}

let registered = false;

/**
 * Registers, for the wasm backend only, the `Conv2DBackpropFilter` kernel it lacks and a faster stride-1
 * `Conv2DBackpropInput`. Idempotent. Call it before training a CNN on wasm (before or after the backend starts).
 * If a later tfjs-backend-wasm ships its own `Conv2DBackpropFilter`, that one is kept.
 */
export function registerWasmConv2dGradients(): void {
  if (registered) return;
  registered = true;
  if (tf.getKernel(tf.Conv2DBackpropFilter, BACKEND) === undefined) {
    tf.registerKernel({
      kernelName: tf.Conv2DBackpropFilter,
      backendName: BACKEND,
      kernelFunc: conv2dBackpropFilterWasm,
    });
  }
  replaceWasmKernel(tf.Conv2DBackpropInput, makeConv2dBackpropInputWasm);
}
