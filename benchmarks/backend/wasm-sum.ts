/**
 * `Sum` over leading axes on the `wasm` backend without a transpose.
 *
 * tfjs-backend-wasm 4.22 reduces only innermost axes, so a sum over the leading ones (every bias gradient: dy
 * [batch, height, width, channels] summed to [channels]; batch normalisation's gradients) first transposes the whole
 * tensor. Here a small WebAssembly function (`sum_rows` in wat/scalar-kernels.wat) adds the rows of x viewed as
 * [rows, columns] into the output, column by column in row order: the order the stock kernel adds them in after its
 * transpose, in float32. Other sums go to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { replaceWasmKernel } from './replace-wasm-kernel.js';
import { scalarKernels } from './scalar-kernels.js';

function memoryOffset(backend: BackendWasm, t: TensorInfo): number {
  return (backend.dataIdMap.get(t.dataId) as unknown as { memoryOffset: number }).memoryOffset;
}

function makeSumWasm(stock: KernelFunc): KernelFunc {
  return (params) => {
    const { x } = params.inputs;
    if (x === undefined || x.dtype !== 'float32') return stock(params);
    const attrs = (params.attrs ?? {}) as unknown as tf.SumAttrs;
    const rank = x.shape.length;
    const axes = [...new Set(tf.util.parseAxisParam(attrs.axis, x.shape))].sort((a, b) => a - b);
    const k = axes.length;
    // leading axes only, not all of them
    if (k === 0 || k === rank || axes.some((a, i) => a !== i)) return stock(params);
    const backend = params.backend as BackendWasm;
    const sumRows = scalarKernels(backend)?.sum_rows ?? null;
    if (sumRows === null) return stock(params);
    const rows = x.shape.slice(0, k).reduce((a, b) => a * b, 1);
    const columns = x.shape.slice(k).reduce((a, b) => a * b, 1);
    const outShape = attrs.keepDims ? [...new Array<number>(k).fill(1), ...x.shape.slice(k)] : x.shape.slice(k);
    const out = backend.makeOutput(outShape, 'float32');
    sumRows(memoryOffset(backend, x), memoryOffset(backend, out), rows, columns);
    return out;
  };
}

let registered = false;

/** Replaces the wasm backend's `Sum` with the one above. Idempotent. */
export function registerWasmSum(): void {
  if (registered) return;
  registered = true;
  replaceWasmKernel(tf.Sum, makeSumWasm);
}
