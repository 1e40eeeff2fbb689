/**
 * Adam with one kernel per variable on the `wasm` backend.
 *
 * tfjs's `AdamOptimizer` updates each variable with 14 element-wise kernels and 8 scalar tensors; for a small model
 * the cost is the engine's per-kernel bookkeeping rather than arithmetic (about 110 of the reference CNN's 270 kernel
 * calls per training step). `createAdam` returns an `AdamOptimizer` whose update, on wasm, is one pass over the
 * variable, its moments and its gradient on the wasm heap: a small WebAssembly function (`adam` in wat/scalar-kernels.wat), or
 * this module's JavaScript loop where the backend's memory cannot be reached. Each operation is rounded to float32 as
 * the stock ops round it (WebAssembly's f32 arithmetic; in JavaScript `Math.fround` of a double result, which is the
 * float32 result for +, −, ×, ÷ and √), so the weights it produces are the stock optimizer's, bit for bit. On other backends, and for other dtypes, the stock update runs. State,
 * `getWeights`/`setWeights` and `dispose` are the stock optimizer's.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { scalarKernels, type AdamStep } from './scalar-kernels.js';

export const ADAM_UPDATE_KERNEL = 'TransferBenchAdamUpdate';

interface AdamUpdateAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
  /** 1 − β1ᵗ and 1 − β2ᵗ as float32, as the stock optimizer computes them. */
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
}

const f = Math.fround;

/** The WebAssembly update on the backend's memory, or null where it cannot run. */
function adamStepFor(backend: BackendWasm): AdamStep | null {
  return scalarKernels(backend)?.adam ?? null;
}

/** Inputs value, m, v, gradient (float32, one shape); outputs the new value, m and v. */
const adamUpdateWasm: KernelFunc = (params) => {
  const backend = params.backend as BackendWasm;
  const { value, m, v, gradient } = params.inputs;
  if (value === undefined || m === undefined || v === undefined || gradient === undefined) {
    throw new Error(`${ADAM_UPDATE_KERNEL}: inputs value, m, v and gradient are required`);
  }
  const a = params.attrs as unknown as AdamUpdateAttrs;
  const outs: TensorInfo[] = [value, m, v].map((t) => backend.makeOutput(t.shape, 'float32'));
  // views taken after makeOutput: an allocation can grow (and so replace) the wasm memory
  const [outValue, outM, outV] = outs.map((t) => backend.typedArrayFromHeap(t) as Float32Array) as [
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  const wasmStep = adamStepFor(backend);
  if (wasmStep !== null) {
    const at = (t: TensorInfo): number =>
      (backend.dataIdMap.get(t.dataId) as unknown as { memoryOffset: number }).memoryOffset;
    wasmStep(
      at(value),
      at(m),
      at(v),
      at(gradient),
      at(outs[0]!),
      at(outs[1]!),
      at(outs[2]!),
      outValue.length,
      a.beta1,
      1 - a.beta1,
      a.beta2,
      1 - a.beta2,
      a.oneMinusAccBeta1,
      a.oneMinusAccBeta2,
      a.epsilon,
      -a.learningRate,
    );
    return outs;
  }
  const x = backend.typedArrayFromHeap(value) as Float32Array;
  const m0 = backend.typedArrayFromHeap(m) as Float32Array;
  const v0 = backend.typedArrayFromHeap(v) as Float32Array;
  const g = backend.typedArrayFromHeap(gradient) as Float32Array;
  // the scalars as the stock optimizer makes them: float32 tensors of JavaScript numbers
  const b1 = f(a.beta1);
  const oneMinusB1 = f(1 - a.beta1);
  const b2 = f(a.beta2);
  const oneMinusB2 = f(1 - a.beta2);
  const c1 = f(a.oneMinusAccBeta1);
  const c2 = f(a.oneMinusAccBeta2);
  const eps = f(a.epsilon);
  const minusLr = f(-a.learningRate);
  for (let i = 0; i < x.length; i++) {
    const gi = g[i]!;
    // newM = m·β1 + g·(1−β1); newV = v·β2 + g²·(1−β2)
    const mi = f(f(m0[i]! * b1) + f(gi * oneMinusB1));
    const vi = f(f(v0[i]! * b2) + f(f(gi * gi) * oneMinusB2));
    outM[i] = mi;
    outV[i] = vi;
    // value + (m̂ / (√v̂ + ε))·(−lr), m̂ = newM/(1−β1ᵗ), v̂ = newV/(1−β2ᵗ)
    const step = f(f(mi / c1) / f(f(Math.sqrt(f(vi / c2))) + eps));
    outValue[i] = f(f(step * minusLr) + x[i]!);
  }
  return outs;
};

/** The stock optimizer's state, private in its type declarations. */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
}

/**
 * The update with m and v written over their own buffers (the `adam` function reads each element before it writes
 * it) and the new value in a fresh buffer, without a kernel dispatch: the new value tensor is made from that buffer
 * directly. For the small variables of a partial fine-tuning top (41 variables of a few hundred floats, bench:perf's
 * partial top profile) the kernel call's bookkeeping, its three allocations and three `assign`s are most of an
 * update's cost. The value itself gets a new buffer because the wasm backend caches XNNPACK operators (their packed
 * weights) by buffer: a convolution or matrix product would go on using the old weights if the buffer kept its id.
 * m and v are read by nothing else; when a buffer is shared all the same (reference count above 1, say a clone of the
 * optimizer's state), or the tensors do not live on the wasm heap, returns null and the caller runs the kernel.
 * Gives the same floats as the kernel (the same function).
 */
function updateInPlace(
  value: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  gradient: tf.Tensor,
  a: AdamUpdateAttrs,
): tf.Tensor | null {
  const backend = tf.backend() as BackendWasm;
  const wasmStep = adamStepFor(backend);
  if (wasmStep === null) return null;
  if (new Set([value.dataId, m.dataId, v.dataId, gradient.dataId]).size !== 4) return null;
  if (backend.refCount(m.dataId) !== 1 || backend.refCount(v.dataId) !== 1) return null;
  const out = backend.makeOutput(value.shape, 'float32');
  const at = (t: TensorInfo): number =>
    (backend.dataIdMap.get(t.dataId) as unknown as { memoryOffset: number | null }).memoryOffset ?? -1;
  const offsets = [value, m, v, gradient, out].map(at) as [number, number, number, number, number];
  if (offsets.some((o) => o < 0)) {
    backend.disposeData(out.dataId);
    return null;
  }
  const [pValue, pM, pV, pGradient, pOut] = offsets;
  wasmStep(
    pValue,
    pM,
    pV,
    pGradient,
    pOut,
    pM,
    pV,
    value.size,
    a.beta1,
    1 - a.beta1,
    a.beta2,
    1 - a.beta2,
    a.oneMinusAccBeta1,
    a.oneMinusAccBeta2,
    a.epsilon,
    -a.learningRate,
  );
  return tf.engine().makeTensorFromTensorInfo(out);
}

class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (tf.getBackend() !== 'wasm' || tf.getKernel(ADAM_UPDATE_KERNEL, 'wasm') === undefined) {
      super.applyGradients(variableGradients);
      return;
    }
    const entries = Array.isArray(variableGradients)
      ? variableGradients.map((g) => [g.name, g.tensor] as [string, tf.Tensor])
      : Object.entries(variableGradients);
    const variables = tf.engine().registeredVariables;
    if (entries.some(([name, g]) => g.dtype !== 'float32' || variables[name]?.dtype !== 'float32')) {
      super.applyGradients(variableGradients);
      return;
    }
    const state = this as unknown as AdamState;
    tf.tidy(() => {
      const attrs: AdamUpdateAttrs = {
        beta1: this.beta1,
        beta2: this.beta2,
        epsilon: this.epsilon,
        learningRate: this.learningRate,
        // sub(1, accBeta) in float32, as the stock optimizer computes it
        oneMinusAccBeta1: f(1 - state.accBeta1.dataSync()[0]!),
        oneMinusAccBeta2: f(1 - state.accBeta2.dataSync()[0]!),
      };
      entries.forEach(([name, gradient], i) => {
        const value = variables[name]!;
        state.accumulatedFirstMoment[i] ??= {
          originalName: `${name}/m`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        state.accumulatedSecondMoment[i] ??= {
          originalName: `${name}/v`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        const m = state.accumulatedFirstMoment[i].variable;
        const v = state.accumulatedSecondMoment[i].variable;
        const updated = updateInPlace(value, m, v, gradient, attrs);
        if (updated !== null) {
          value.assign(updated);
          return;
        }
        const [newValue, newM, newV] = tf
          .engine()
          .runKernel(ADAM_UPDATE_KERNEL, { value, m, v, gradient }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        m.assign(newM!);
        v.assign(newV!);
        value.assign(newValue!);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}

let registered = false;

/** Registers the fused update kernel for wasm. Idempotent. */
export function registerWasmAdam(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: ADAM_UPDATE_KERNEL, backendName: 'wasm', kernelFunc: adamUpdateWasm });
}

/**
 * Adam (β1 0.9, β2 0.999, ε the backend's, as `tf.train.adam`) with the fused update on wasm. The caller disposes it.
 */
export function createAdam(learningRate: number): tf.AdamOptimizer {
  return new FusedAdamOptimizer(learningRate, 0.9, 0.999);
}
