/**
 * `UnsortedSegmentSum` for the wasm backend, which has none. tfjs-core's gradient of `Gather` (so of every embedding
 * look-up, models/text-models.ts) sums the rows of the incoming gradient that share an index with it; without this
 * kernel a text model cannot train on wasm. A loop over the rows on the wasm heap: out[ids[i]] += x[i], rows whose
 * id is outside [0, numSegments) dropped, as TensorFlow does. float32 and int32.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

const segmentSumWasm: KernelFunc = (params) => {
  const { x, segmentIds } = params.inputs;
  if (x === undefined || segmentIds === undefined)
    throw new Error('UnsortedSegmentSum (wasm): x and segmentIds are required');
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`UnsortedSegmentSum (wasm): dtype ${x.dtype} is not supported`);
  }
  const { numSegments } = params.attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const backend = params.backend as BackendWasm;
  const ids = segmentIds.shape.reduce((n, d) => n * d, 1);
  const rest = x.shape.slice(segmentIds.shape.length);
  const row = rest.reduce((n, d) => n * d, 1);
  const out: TensorInfo = backend.makeOutput([numSegments, ...rest], x.dtype);
  // views taken after makeOutput: an allocation can grow (and so replace) the wasm memory
  const dst = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
  const src = backend.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const seg = backend.typedArrayFromHeap(segmentIds) as Int32Array | Float32Array;
  dst.fill(0);
  for (let i = 0; i < ids; i++) {
    const s = seg[i]!;
    if (s < 0 || s >= numSegments) continue;
    const to = s * row;
    const from = i * row;
    for (let k = 0; k < row; k++) dst[to + k]! += src[from + k]!;
  }
  return out;
};

let registered = false;

/** Registers the kernel above for wasm, unless wasm has one already. Idempotent. */
export function registerWasmSegmentSum(): void {
  if (registered) return;
  registered = true;
  if (tf.getKernel(tf.UnsortedSegmentSum, 'wasm') !== undefined) return;
  tf.registerKernel({ kernelName: tf.UnsortedSegmentSum, backendName: 'wasm', kernelFunc: segmentSumWasm });
}
