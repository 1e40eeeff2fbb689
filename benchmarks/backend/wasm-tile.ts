/**
 * `Tile` for the wasm backend as block copies on the wasm heap.
 *
 * tfjs-core's gradient of `FusedBatchNorm` tiles per-channel values to the shape of the activations
 * ([1, 1, 1, C] → [B, H, W, C]) for each batch normalisation layer; the wasm backend's own `Tile` computes every
 * output element's source index in a loop and was the largest kernel of a MobileNetV2 training step (a third of its
 * time at 96×96). Here the input is copied once and each dimension, innermost first, is completed by repeating the
 * block just written (`copyWithin`), so the work is a few memory copies per dimension. Any dtype stored in a typed
 * array on the heap; other dtypes (strings) go to the stock kernel. Results are identical to the stock kernel's.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { replaceWasmKernel } from './replace-wasm-kernel.js';

type Heap = Float32Array | Int32Array | Uint8Array;

function makeTileWasm(stock: KernelFunc): KernelFunc {
  return (params) => {
    const { x } = params.inputs;
    if (x === undefined) throw new Error('Tile (wasm): input x is required');
    if (x.dtype === 'string' || x.dtype === 'complex64') return stock(params);
    const reps = (params.attrs as unknown as tf.TileAttrs).reps;
    const shape = x.shape;
    if (reps.length !== shape.length) return stock(params);
    const outShape = shape.map((d, i) => d * reps[i]!);
    const backend = params.backend as BackendWasm;
    const out: TensorInfo = backend.makeOutput(outShape, x.dtype);
    if (outShape.some((d) => d === 0)) return out;
    // views taken after makeOutput: an allocation can grow (and so replace) the wasm memory
    const dst = backend.typedArrayFromHeap(out) as Heap;
    const src = backend.typedArrayFromHeap(x) as Heap;
    const rank = shape.length;
    if (rank === 0) {
      dst.set(src);
      return out;
    }
    // outStrides[d]: elements of the output spanned by one step along dimension d
    const outStrides = new Array<number>(rank);
    outStrides[rank - 1] = 1;
    for (let d = rank - 2; d >= 0; d--) outStrides[d] = outStrides[d + 1]! * outShape[d + 1]!;
    const inStrides = new Array<number>(rank);
    inStrides[rank - 1] = 1;
    for (let d = rank - 2; d >= 0; d--) inStrides[d] = inStrides[d + 1]! * shape[d + 1]!;

    /** Writes the tiled block of input block `inOffset` (dimension `d` onwards) at `outOffset`. */
    const fill = (d: number, inOffset: number, outOffset: number): void => {
      const inner = d === rank - 1;
      if (inner) {
        dst.set(src.subarray(inOffset, inOffset + shape[d]!), outOffset);
      } else {
        for (let i = 0; i < shape[d]!; i++) fill(d + 1, inOffset + i * inStrides[d]!, outOffset + i * outStrides[d]!);
      }
      // one tile along d is written: repeat it reps[d] − 1 times
      const block = shape[d]! * outStrides[d]!;
      for (let r = 1; r < reps[d]!; r++) dst.copyWithin(outOffset + r * block, outOffset, outOffset + block);
    };
    fill(0, 0, 0);
    return out;
  };
}

let registered = false;

/** Replaces the wasm backend's `Tile` with the one above. Idempotent. */
export function registerWasmTile(): void {
  if (registered) return;
  registered = true;
  replaceWasmKernel(tf.Tile, makeTileWasm);
}
