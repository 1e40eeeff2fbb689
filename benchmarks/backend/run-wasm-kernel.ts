import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * Runs one of the wasm backend's kernels directly, from inside another kernel: no engine bookkeeping, no gradient
 * tape. The caller owns the result and disposes it (`backend.disposeData(result.dataId)`) unless it returns it.
 */
export function runWasmKernel(
  backend: KernelBackend,
  name: string,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap,
): TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`the wasm backend has no ${name} kernel`);
  const out = kernel.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`wasm kernel ${name} returned several outputs`);
  return out;
}
