/**
 * `Identity` and same-dtype `Cast` on the `wasm` backend without copying.
 *
 * tfjs-backend-wasm 4.22 copies the whole tensor for both. The engine clones every tensor a gradient needs with
 * `Identity` while it records a training step (34 clones per step of the reference CNN, some of 700,000 floats), and
 * the ReLU gradient casts float32 to float32. Tensors are immutable and the wasm backend counts references to its
 * buffers (its `Reshape` shares the buffer the same way, as the cpu backend's `Identity` does), so the output can be
 * the input's buffer with one more reference. Strings and dtype changes go to the stock kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { replaceWasmKernel } from './replace-wasm-kernel.js';

function shared(params: Parameters<KernelFunc>[0], x: TensorInfo): TensorInfo {
  (params.backend as KernelBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

function makeIdentityWasm(stock: KernelFunc): KernelFunc {
  return (params) => {
    const { x } = params.inputs;
    if (x === undefined || x.dtype === 'string') return stock(params);
    return shared(params, x);
  };
}

function makeCastWasm(stock: KernelFunc): KernelFunc {
  return (params) => {
    const { x } = params.inputs;
    const { dtype } = (params.attrs ?? {}) as unknown as tf.CastAttrs;
    if (x === undefined || x.dtype === 'string' || x.dtype !== dtype) return stock(params);
    return shared(params, x);
  };
}

let registered = false;

/** Replaces the wasm backend's `Identity` and `Cast` with the ones above. Idempotent. */
export function registerWasmIdentity(): void {
  if (registered) return;
  registered = true;
  replaceWasmKernel(tf.Identity, makeIdentityWasm);
  replaceWasmKernel(tf.Cast, makeCastWasm);
}
