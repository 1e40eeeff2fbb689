/**
 * A 1×1 convolution with stride 1 as one matrix product on the `wasm` backend.
 *
 * Such a convolution (every expansion and projection of a MobileNet) is [b·h·w, ci] · [ci, co]. tfjs-backend-wasm
 * 4.22 runs it through an XNNPACK convolution operator, created (and its weights packed) again for every new filter,
 * so at every training step; its `BatchMatMul` runs XNNPACK's fully connected operator, which the same shapes take
 * 10–30 % less time through (timed alone, 2026-12-07: 32×112·112×1280, 32×336·336×56 … the partial top of
 * mobilenet-split, where these products are about a fifth of a step). Both operators multiply with the same GEMM
 * micro-kernels, accumulating in the same order from a zero bias: the values are the same bit for bit
 * (test/unit/backend/wasm-conv1x1.test.ts). The gradients are unchanged (`Conv2DBackpropInput`,
 * `Conv2DBackpropFilter`: wasm-conv2d-gradient.ts, matrix products already for 1×1).
 *
 * When the output has at least SWAP_RATIO times as many channels as the product has rows (MobileNet's expansions and
 * Conv_1 at 1×1 spatial: 32 rows), the product is computed with its operands swapped (productTransposedBack): the
 * same values bit for bit, without packing the filter. wasm-conv2d-gradient.ts does the same for the input gradient.
 *
 * Every other convolution (larger filters, strides, dilations, explicit padding, NCHW) goes to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { replaceWasmKernel } from './replace-wasm-kernel.js';
import { runWasmKernel } from './run-wasm-kernel.js';

/** `t`, a [rows, cols] matrix (whatever its shape says), transposed: a new [cols, rows] tensor the caller disposes. */
function transposed(backend: KernelBackend, t: TensorInfo, rows: number, cols: number): TensorInfo {
  return runWasmKernel(backend, 'Transpose', { x: { ...t, shape: [rows, cols] } }, { perm: [1, 0] });
}

/**
 * A product a·b ([m, k]·[k, n]) computed as (bᵀ·aᵀ)ᵀ: given `left` = bᵀ ([n, k]) and `right` = aᵀ ([k, m]), returns
 * (left·right)ᵀ as [m, n]. Each value is the same sum of the same products in the same order of k (a product of two
 * floats does not depend on their order), so the values are those of a·b bit for bit; what changes is the operand
 * XNNPACK packs as its weights: `right` (m columns) instead of b (n columns). With weights new at every training step
 * (so packed at every call) and m, the batch's rows, small beside n, that is the cheaper product: packing b took
 * longer than the multiplication itself for MobileNet's wide layers (32×112·112×1280: 0.8 ms, against 0.4 ms this
 * way, timed alone on 2026-12-07).
 */
export function productTransposedBack(
  backend: KernelBackend,
  left: TensorInfo,
  right: TensorInfo,
  n: number,
  k: number,
  m: number,
): TensorInfo {
  const product = runWasmKernel(
    backend,
    'BatchMatMul',
    { a: { ...left, shape: [1, n, k] }, b: { ...right, shape: [1, k, m] } },
    { transposeA: false, transposeB: false },
  );
  try {
    return transposed(backend, product, n, m);
  } finally {
    backend.disposeData(product.dataId);
  }
}

/** Products swap their operands (productTransposedBack) when n is at least this many times m. */
export const SWAP_RATIO = 3;

/** `v` (a stride or dilation attribute) is 1 in both directions. */
function ones(v: number | [number, number] | undefined): boolean {
  if (v === undefined) return true;
  return typeof v === 'number' ? v === 1 : v[0] === 1 && v[1] === 1;
}

function makeConv2dWasm(stock: KernelFunc): KernelFunc {
  return (params) => {
    const { x, filter } = params.inputs;
    const attrs = (params.attrs ?? {}) as unknown as tf.Conv2DAttrs;
    if (x === undefined || filter === undefined) return stock(params);
    const [kh, kw, ci, co] = filter.shape;
    const [n, h, w, c] = x.shape;
    const plain =
      kh === 1 &&
      kw === 1 &&
      x.shape.length === 4 &&
      x.dtype === 'float32' &&
      filter.dtype === 'float32' &&
      attrs.dataFormat !== 'NCHW' &&
      c === ci &&
      ones(attrs.strides) &&
      ones(attrs.dilations) &&
      (attrs.pad === 'valid' || attrs.pad === 'same' || attrs.pad === 0);
    if (!plain || n === undefined || h === undefined || w === undefined || ci === undefined || co === undefined) {
      return stock(params);
    }
    const backend = params.backend as KernelBackend;
    const rows = n * h * w;
    if (co >= SWAP_RATIO * rows) {
      // y = x·W as (Wᵀ·xᵀ)ᵀ: XNNPACK packs xᵀ (rows columns), not W (co columns)
      const wt = transposed(backend, filter, ci, co);
      const xt = transposed(backend, x, rows, ci);
      try {
        return { ...productTransposedBack(backend, wt, xt, co, ci, rows), shape: [n, h, w, co] };
      } finally {
        backend.disposeData(wt.dataId);
        backend.disposeData(xt.dataId);
      }
    }
    const product = runWasmKernel(
      backend,
      'BatchMatMul',
      { a: { ...x, shape: [1, rows, ci] }, b: { ...filter, shape: [1, ci, co] } },
      { transposeA: false, transposeB: false },
    );
    return { ...product, shape: [n, h, w, co] };
  };
}

let registered = false;

/** Replaces the wasm backend's `Conv2D` with the one above. Idempotent. */
export function registerWasmConv1x1(): void {
  if (registered) return;
  registered = true;
  replaceWasmKernel(tf.Conv2D, makeConv2dWasm);
}
