/**
 * `Slice` for the wasm backend as block copies on the wasm heap.
 *
 * The gradient of every `ZeroPadding2D` of a MobileNetV2 (before its stride-2 depthwise convolutions) slices the
 * padding off the output gradient; the wasm backend's own `Slice` reads element by element with strides and was,
 * for the largest of them ([32, 49, 49, 48] → [32, 48, 48, 48] at 96×96), 9 % of a training step (bench:perf's
 * kernel profile). Here the trailing axes the slice keeps whole, and the innermost axis it cuts, form one contiguous
 * run per position of the outer axes, copied with `TypedArray.set`. Results are the stock kernel's, bit for bit;
 * strings go to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { replaceWasmKernel } from './replace-wasm-kernel.js';

type Heap = Float32Array | Int32Array | Uint8Array;

function makeSliceWasm(stock: KernelFunc): KernelFunc {
  return (params) => {
    const { x } = params.inputs;
    if (x === undefined) throw new Error('Slice (wasm): input x is required');
    if (x.dtype === 'string' || x.dtype === 'complex64') return stock(params);
    const attrs = params.attrs as unknown as tf.SliceAttrs;
    const [begin, size] = tf.slice_util.parseSliceParams(x, attrs.begin, attrs.size) as [number[], number[]];
    const shape = x.shape;
    const rank = shape.length;
    const backend = params.backend as BackendWasm;
    const out: TensorInfo = backend.makeOutput(size, x.dtype);
    if (size.some((d) => d === 0)) return out;
    // views taken after makeOutput: an allocation can grow (and so replace) the wasm memory
    const dst = backend.typedArrayFromHeap(out) as Heap;
    const src = backend.typedArrayFromHeap(x) as Heap;
    if (rank === 0) {
      dst.set(src);
      return out;
    }
    // the run: axes from `inner` on are copied as one block (whole axes, and the innermost cut one)
    let inner = rank - 1;
    while (inner > 0 && begin[inner] === 0 && size[inner] === shape[inner]) inner--;
    const strides = new Array<number>(rank);
    strides[rank - 1] = 1;
    for (let d = rank - 2; d >= 0; d--) strides[d] = strides[d + 1]! * shape[d + 1]!;
    const run = size[inner]! * strides[inner]!;
    let written = 0;
    const copy = (d: number, offset: number): void => {
      if (d === inner) {
        const start = offset + begin[d]! * strides[d]!;
        dst.set(src.subarray(start, start + run), written);
        written += run;
        return;
      }
      for (let i = 0; i < size[d]!; i++) copy(d + 1, offset + (begin[d]! + i) * strides[d]!);
    };
    copy(0, 0);
    return out;
  };
}

let registered = false;

/** Replaces the wasm backend's `Slice` with the one above. Idempotent. */
export function registerWasmSlice(): void {
  if (registered) return;
  registered = true;
  replaceWasmKernel(tf.Slice, makeSliceWasm);
}
