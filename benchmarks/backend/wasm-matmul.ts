/**
 * Transposed matrix products on the `wasm` backend at XNNPACK speed.
 *
 * tfjs-backend-wasm 4.22's `BatchMatMul` runs XNNPACK's fully-connected operator only for one matrix pair without
 * transposes; with `transposeA` or `transposeB` (every dense layer's gradient: dX = dY·Wᵀ, dW = Xᵀ·dY) it falls back
 * to a plain blocked triple loop several times slower, which made the dense layers' gradients a sixth of the
 * reference CNN's training step. We transpose the operand first with the wasm `Transpose` kernel (one pass over the
 * operand) and hand the product without transposes to the stock kernel. Batched products (rank > 2 with a batch
 * above 1) and other dtypes go to the stock kernel unchanged.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { replaceWasmKernel } from './replace-wasm-kernel.js';
import { runWasmKernel } from './run-wasm-kernel.js';

/** Number of matrices in a (batched) matrix operand. */
function batchOf(t: TensorInfo): number {
  return t.shape.slice(0, -2).reduce((a, b) => a * b, 1);
}

/** `t` as one matrix, transposed: [..., r, c] with batch 1 → [c, r]. */
function transposed(backend: KernelBackend, t: TensorInfo): TensorInfo {
  const rows = t.shape[t.shape.length - 2]!;
  const cols = t.shape[t.shape.length - 1]!;
  return runWasmKernel(backend, 'Transpose', { x: { ...t, shape: [rows, cols] } }, { perm: [1, 0] });
}

function makeBatchMatMulWasm(stock: KernelFunc): KernelFunc {
  return (params) => {
    const { a, b } = params.inputs;
    const attrs = (params.attrs ?? {}) as unknown as tf.BatchMatMulAttrs;
    if (a === undefined || b === undefined) throw new Error('BatchMatMul (wasm): inputs a and b are required');
    if (!attrs.transposeA && !attrs.transposeB) return stock(params);
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || batchOf(a) !== 1 || batchOf(b) !== 1) return stock(params);
    if (a.shape.length < 2 || b.shape.length < 2) return stock(params);
    const backend = params.backend as KernelBackend;
    const temporaries: TensorInfo[] = [];
    try {
      const a2 = attrs.transposeA ? transposed(backend, a) : a;
      if (attrs.transposeA) temporaries.push(a2);
      const b2 = attrs.transposeB ? transposed(backend, b) : b;
      if (attrs.transposeB) temporaries.push(b2);
      const out = stock({ inputs: { a: a2, b: b2 }, backend, attrs: { transposeA: false, transposeB: false } });
      if (Array.isArray(out)) throw new Error('BatchMatMul (wasm) returned several outputs');
      // the stock kernel shapes its output from its (rank-2) inputs; keep the caller's leading batch dimensions of 1
      const rank = Math.max(a.shape.length, b.shape.length);
      return { ...out, shape: [...new Array<number>(rank - 2).fill(1), ...out.shape.slice(-2)] };
    } finally {
      for (const t of temporaries) backend.disposeData(t.dataId);
    }
  };
}

let registered = false;

/** Replaces the wasm backend's `BatchMatMul` with the one above. Idempotent. */
export function registerWasmMatMul(): void {
  if (registered) return;
  registered = true;
  replaceWasmKernel(tf.BatchMatMul, makeBatchMatMulWasm);
}
