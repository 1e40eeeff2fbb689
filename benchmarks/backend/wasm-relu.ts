/**
 * ReLU and ReLU6 (every activation of a MobileNet) in one kernel each way on the `wasm` backend.
 *
 * tfjs-layers 4.22's `ReLU` layer with a `maxValue` (MobileNet's ReLU6) is `relu` then `clipByValue`, and tfjs-core
 * differentiates `relu` as `mul(dy, cast(step(x), 'float32'))`: with clipByValue's gradient, six kernel calls per layer
 * and step (two in the forward pass, each cloning its input for the tape, and four in the backward pass). On the
 * partial top of mobilenet-split, where every tensor is 32×1×1×C, a step's cost is mostly the number of kernel calls,
 * not their arithmetic, and these were 54 of its 366. Here:
 *
 * - `ReluGrad` (dy, x; attribute `hi`, +∞ when absent): relu's gradient, or relu-then-clip's when `hi` is finite, in one
 *   SIMD pass (wat/training-kernels.wat `relu_grad`, a JavaScript loop where that module cannot run). The `Relu`
 *   gradient uses it on wasm, so a plain ReLU's backward pass is one kernel.
 * - `ClippedRelu` (x; attribute `hi`): the ReLU layer's forward pass with `maxValue`, the wasm backend's own `Relu` and
 *   `ClipByValue` run from one kernel (so its values are theirs), recorded on the tape once with its input; its
 *   gradient is `ReluGrad` with the same `hi`. `useOneKernelRelu` wraps tfjs-layers' `ReLU.call` to use it on a
 *   backend that has it.
 *
 * Both give the values of the stock ops bit for bit, signed zeros included: dy where 0 < x ≤ hi, +0 where x > hi,
 * dy·0 where x ≤ 0, NaN where x is NaN (test/unit/backend/wasm-relu.test.ts against the cpu backend).
 * The `Relu` gradient is registered for every backend, as tfjs-core registers it; without a `ReluGrad` kernel (or
 * for other dtypes) it is tfjs-core's own.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { GradConfig, KernelBackend, KernelFunc, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runWasmKernel } from './run-wasm-kernel.js';
import { heapOffset, trainingKernels } from './training-kernels.js';

export const RELU_GRAD_KERNEL = 'TransferBenchReluGrad';
export const CLIPPED_RELU_KERNEL = 'TransferBenchClippedRelu';

interface ReluAttrs {
  /** Upper clip of the forward pass; +∞ (or absent) for a plain ReLU. */
  hi?: number;
}

const reluGradWasm: KernelFunc = ({ inputs, backend: b, attrs }) => {
  const backend = b as BackendWasm;
  const { dy, x } = inputs;
  if (dy === undefined || x === undefined) throw new Error(`${RELU_GRAD_KERNEL}: inputs dy and x are required`);
  const hi = (attrs as unknown as ReluAttrs | undefined)?.hi ?? Infinity;
  const out: TensorInfo = backend.makeOutput(x.shape, 'float32');
  const n = tf.util.sizeFromShape(x.shape);
  const kernels = trainingKernels(backend);
  if (kernels !== null) {
    kernels.relu_grad(heapOffset(backend, dy), heapOffset(backend, x), heapOffset(backend, out), n, hi);
    return out;
  }
  // views taken after makeOutput: an allocation can grow (and so replace) the wasm memory
  const o = backend.typedArrayFromHeap(out) as Float32Array;
  const g = backend.typedArrayFromHeap(dy) as Float32Array;
  const v = backend.typedArrayFromHeap(x) as Float32Array;
  const fhi = Math.fround(hi);
  for (let i = 0; i < n; i++) {
    const s = v[i]!;
    o[i] = s > 0 ? (s <= fhi ? g[i]! : 0) : s !== s ? NaN : g[i]! * 0;
  }
  return out;
};

const clippedReluWasm: KernelFunc = ({ inputs, backend: b, attrs }) => {
  const backend = b as KernelBackend;
  const { x } = inputs;
  if (x === undefined) throw new Error(`${CLIPPED_RELU_KERNEL}: input x is required`);
  const hi = (attrs as unknown as ReluAttrs).hi ?? Infinity;
  const relu = runWasmKernel(backend, tf.Relu, { x }, {});
  try {
    return runWasmKernel(backend, tf.ClipByValue, { x: relu }, { clipValueMin: 0, clipValueMax: hi });
  } finally {
    backend.disposeData(relu.dataId);
  }
};

const clippedReluGradient: GradConfig = {
  kernelName: CLIPPED_RELU_KERNEL,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    if (x === undefined) throw new Error(`${CLIPPED_RELU_KERNEL}: its input was not saved`);
    const hi = (attrs as unknown as ReluAttrs).hi ?? Infinity;
    return { x: () => tf.engine().runKernel(RELU_GRAD_KERNEL, { dy: dy as Tensor, x }, { hi }) as Tensor };
  },
};

interface ReluLayer {
  maxValue?: number;
  call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor | Tensor[];
}

let registered = false;

/**
 * Registers the two kernels for wasm, the `Relu` gradient that uses `ReluGrad`, and wraps tfjs-layers' `ReLU.call`
 * (a layer with a `maxValue`, on a float32 input, on a backend with `ClippedRelu`). Idempotent.
 */
export function useOneKernelRelu(): void {
  if (registered) return;
  registered = true;
  const stock = tf.getGradient(tf.Relu);
  if (stock === undefined) throw new Error('tfjs-core has no Relu gradient to extend');
  tf.registerKernel({ kernelName: RELU_GRAD_KERNEL, backendName: 'wasm', kernelFunc: reluGradWasm });
  tf.registerKernel({ kernelName: CLIPPED_RELU_KERNEL, backendName: 'wasm', kernelFunc: clippedReluWasm });
  tf.registerGradient(clippedReluGradient);
  const reluGradient: GradConfig = {
    kernelName: tf.Relu,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const grad = dy as Tensor;
      const [x] = saved;
      if (x === undefined || grad.dtype !== 'float32' || x.dtype !== 'float32') return stock.gradFunc(dy, saved, attrs);
      if (tf.getKernel(RELU_GRAD_KERNEL, tf.getBackend()) === undefined) return stock.gradFunc(dy, saved, attrs);
      return { x: () => tf.engine().runKernel(RELU_GRAD_KERNEL, { dy: grad, x }) as Tensor };
    },
  };
  tf.registerGradient(reluGradient);
  const prototype = Object.getPrototypeOf(tfl.layers.reLU({})) as ReluLayer;
  const stockCall = prototype.call;
  prototype.call = function call(this: ReluLayer, inputs, kwargs) {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    const oneKernel =
      typeof this.maxValue === 'number' &&
      input !== undefined &&
      (!Array.isArray(inputs) || inputs.length === 1) &&
      input.dtype === 'float32' &&
      tf.getKernel(CLIPPED_RELU_KERNEL, tf.getBackend()) !== undefined;
    if (!oneKernel) return stockCall.call(this, inputs, kwargs);
    return tf.engine().runKernel(CLIPPED_RELU_KERNEL, { x: input }, { hi: this.maxValue! }) as Tensor;
  };
}
