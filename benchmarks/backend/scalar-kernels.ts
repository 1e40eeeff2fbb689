/**
 * The functions of wat/scalar-kernels.wat (the Adam update, the 2×2 max-pool gradient, sums over leading axes),
 * typed, on a wasm backend's memory; see that file for what each does. Pointers are byte offsets into the memory.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { backendMemory, watExports } from './wat-module.js';

export const SCALAR_KERNELS_MODULE = 'scalar-kernels';

export type AdamStep = (
  value: number,
  m: number,
  v: number,
  g: number,
  outValue: number,
  outM: number,
  outV: number,
  n: number,
  beta1: number,
  oneMinusBeta1: number,
  beta2: number,
  oneMinusBeta2: number,
  oneMinusAccBeta1: number,
  oneMinusAccBeta2: number,
  epsilon: number,
  minusLearningRate: number,
) => void;

export type MaxPool2x2Grad = (
  x: number,
  g: number,
  dx: number,
  batch: number,
  outHeight: number,
  outWidth: number,
  inHeight: number,
  inWidth: number,
  channels: number,
) => void;

export type SumRows = (x: number, out: number, rows: number, columns: number) => void;

export interface ScalarKernels {
  adam: AdamStep;
  maxpool2x2_grad: MaxPool2x2Grad;
  sum_rows: SumRows;
}

/** The kernels on `memory` (a `WebAssembly.Memory`), or null where the module is not loaded or refused. */
export function scalarKernelsOn(memory: object): ScalarKernels | null {
  return watExports(SCALAR_KERNELS_MODULE, memory) as ScalarKernels | null;
}

/** The kernels on `backend`'s memory, or null where they cannot run: the caller takes its JavaScript path. */
export function scalarKernels(backend: BackendWasm): ScalarKernels | null {
  const memory = backendMemory(backend);
  return memory === undefined ? null : scalarKernelsOn(memory);
}
