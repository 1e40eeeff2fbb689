/**
 * The functions of wat/training-kernels.wat, typed, on a wasm backend's memory; see that file for what each does.
 * Every pointer is a byte offset into the backend's memory (`heapOffset`).
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { backendMemory, watExports } from './wat-module.js';

export const TRAINING_KERNELS_MODULE = 'training-kernels';

export interface TrainingKernels {
  clip_grad(dy: number, x: number, out: number, n: number, lo: number, hi: number): void;
  relu_grad(dy: number, x: number, out: number, n: number, hi: number): void;
  channel_shifted_moments(x: number, k: number, rows: number, rowBytes: number, s1: number, s2: number): void;
  channel_sum_and_dot(
    dy: number,
    x: number,
    mean: number,
    rows: number,
    rowBytes: number,
    sumDy: number,
    sumDyX: number,
  ): void;
  channel_centred_dot(a: number, ca: number, b: number, cb: number, rows: number, rowBytes: number, out: number): void;
  channel_affine(
    a: number,
    pa: number,
    b: number,
    pb: number,
    pc: number,
    out: number,
    rows: number,
    rowBytes: number,
  ): void;
  depthwise_grad(
    mode: 0 | 1,
    xf: number,
    dy: number,
    out: number,
    batch: number,
    height: number,
    width: number,
    rowBytes: number,
    outHeight: number,
    outWidth: number,
    filterHeight: number,
    filterWidth: number,
    strideHeight: number,
    strideWidth: number,
    padTop: number,
    padLeft: number,
  ): void;
}

/** The kernels on `backend`'s memory, or null where they cannot run (module not loaded, no SIMD): use JavaScript. */
export function trainingKernels(backend: BackendWasm): TrainingKernels | null {
  const memory = backendMemory(backend);
  if (memory === undefined) return null;
  return watExports(TRAINING_KERNELS_MODULE, memory) as TrainingKernels | null;
}

/** Byte offset of a tensor's data in the wasm backend's memory. */
export function heapOffset(backend: BackendWasm, t: TensorInfo): number {
  return (backend.dataIdMap.get(t.dataId) as unknown as { memoryOffset: number }).memoryOffset;
}
