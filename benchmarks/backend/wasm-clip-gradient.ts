/**
 * The gradient of `clipByValue` (every ReLU6 of a MobileNet) in one kernel on the `wasm` backend.
 *
 * tfjs-core computes it as `where(logicalAnd(greaterEqual(x, min), lessEqual(x, max)), dy, zerosLike(dy))`: five
 * kernels and four full-size temporaries per layer, together a sixth of a MobileNetV2 training step on wasm (measured
 * by bench:perf's kernel profile). `ClipByValueGrad` does it in one SIMD pass (wat/training-kernels.wat `clip_grad`,
 * or a JavaScript loop where that module cannot run), with the same values: dy where min ≤ x ≤ max, else 0 (NaN
 * included).
 *
 * The gradient of `ClipByValue` is registered for every backend, as tfjs-core registers it; on a backend without a
 * `ClipByValueGrad` kernel it is tfjs-core's own.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, trainingKernels } from './training-kernels.js';

export const CLIP_GRAD_KERNEL = 'TransferBenchClipByValueGrad';

interface ClipAttrs {
  clipValueMin: number;
  clipValueMax: number;
}

const clipGradWasm: KernelFunc = ({ inputs, backend: b, attrs }) => {
  const backend = b as BackendWasm;
  const { dy, x } = inputs;
  if (dy === undefined || x === undefined) throw new Error(`${CLIP_GRAD_KERNEL}: inputs dy and x are required`);
  const { clipValueMin: lo, clipValueMax: hi } = attrs as unknown as ClipAttrs;
  const out: TensorInfo = backend.makeOutput(x.shape, 'float32');
  const n = tf.util.sizeFromShape(x.shape);
  const kernels = trainingKernels(backend);
  if (kernels !== null) {
    kernels.clip_grad(heapOffset(backend, dy), heapOffset(backend, x), heapOffset(backend, out), n, lo, hi);
    return out;
  }
  // views taken after makeOutput: an allocation can grow (and so replace) the wasm memory
  const o = backend.typedArrayFromHeap(out) as Float32Array;
  const g = backend.typedArrayFromHeap(dy) as Float32Array;
  const v = backend.typedArrayFromHeap(x) as Float32Array;
  const flo = Math.fround(lo);
  const fhi = Math.fround(hi);
  for (let i = 0; i < n; i++) o[i] = v[i]! >= flo && v[i]! <= fhi ? g[i]! : 0;
  return out;
};

let registered = false;

/** Registers the kernel for wasm and the `ClipByValue` gradient that uses it. Idempotent. */
export function registerWasmClipGradient(): void {
  if (registered) return;
  registered = true;
  const stock = tf.getGradient(tf.ClipByValue);
  if (stock === undefined) throw new Error('tfjs-core has no ClipByValue gradient to extend');
  tf.registerKernel({ kernelName: CLIP_GRAD_KERNEL, backendName: 'wasm', kernelFunc: clipGradWasm });
  const config: GradConfig = {
    kernelName: tf.ClipByValue,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const grad = dy as tf.Tensor;
      const [x] = saved;
      if (x === undefined || grad.dtype !== 'float32' || x.dtype !== 'float32') return stock.gradFunc(dy, saved, attrs);
      if (tf.getKernel(CLIP_GRAD_KERNEL, tf.getBackend()) === undefined) return stock.gradFunc(dy, saved, attrs);
      return {
        x: () =>
          tf.engine().runKernel(CLIP_GRAD_KERNEL, { dy: grad, x }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor,
      };
    },
  };
  tf.registerGradient(config);
}
