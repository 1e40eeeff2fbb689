import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmAdam } from './wasm-adam.js';
import { useFusedTrainingBatchNorm } from './wasm-batch-norm.js';
import { registerWasmClipGradient } from './wasm-clip-gradient.js';
import { registerMeanGradient } from './mean-gradient.js';
import { useOneKernelRelu } from './wasm-relu.js';
import { SCALAR_KERNELS_MODULE } from './scalar-kernels.js';
import { TRAINING_KERNELS_MODULE } from './training-kernels.js';
import { loadWatModule } from './wat-loader.js';
import { registerWasmConv2dGradients } from './wasm-conv2d-gradient.js';
import { registerWasmConv1x1 } from './wasm-conv1x1.js';
import { registerWasmDepthwiseGradients } from './wasm-depthwise-gradient.js';
import { registerWasmDepthwise1x1 } from './wasm-depthwise-1x1.js';
import { useLinearConvAsConv2d } from './wasm-linear-conv.js';
import { useLinearMatMulAsMatMul } from './wasm-linear-matmul.js';
import { registerWasmIdentity } from './wasm-identity.js';
import { registerWasmMatMul } from './wasm-matmul.js';
import { registerWasmMaxPoolGradient } from './wasm-maxpool-gradient.js';
import { registerWasmSlice } from './wasm-slice.js';
import { registerWasmSum } from './wasm-sum.js';
import { registerWasmTile } from './wasm-tile.js';
import { registerWasmSegmentSum } from './wasm-segment-sum.js';
import { guardWasmMemory, type GuardedBackend } from './wasm-memory.js';

let pathsSet = false;

/**
 * The folder holding tfjs-backend-wasm's `.wasm` binaries, with a trailing separator. In Node the backend reads them
 * from disk and, without `setWasmPaths`, looks for them beside the calling script.
 */
export function wasmBinaryDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + sep;
}

/**
 * Makes `wasm` the active backend, with the Conv2D, depthwise and MaxPool gradient kernels it lacks, runs slowly or
 * gets wrong, transposed matrix products on XNNPACK, a one-kernel Adam update, copy-free Identity, sums over leading
 * axes without a transpose, ReLU6 in one kernel each way, depthwise convolutions of a 1×1 image as a multiply, convolutions and matrix products without bias as the plain ops, batch
 * normalisation in training and block-copy Slice (see wasm-conv2d-gradient.ts, wasm-conv1x1.ts (1×1 convolutions as one matrix product), wasm-depthwise-gradient.ts,
 * wasm-depthwise-1x1.ts, wasm-linear-conv.ts, wasm-linear-matmul.ts, wasm-maxpool-gradient.ts, wasm-matmul.ts, wasm-adam.ts, wasm-identity.ts, wasm-sum.ts,
 * wasm-clip-gradient.ts, mean-gradient.ts (a mean of one value's gradient as a reshape), wasm-relu.ts, wasm-batch-norm.ts, wasm-slice.ts; SIMD kernels in wat/*.wat).
 */
export async function activateWasm(): Promise<void> {
  if (!pathsSet) {
    setWasmPaths(wasmBinaryDir());
    pathsSet = true;
  }
  registerWasmConv2dGradients();
  registerWasmConv1x1();
  registerWasmMaxPoolGradient();
  registerWasmMatMul();
  registerWasmDepthwiseGradients();
  registerWasmDepthwise1x1();
  useLinearConvAsConv2d();
  useLinearMatMulAsMatMul();
  registerWasmTile();
  registerWasmAdam();
  registerWasmIdentity();
  registerWasmSum();
  registerWasmClipGradient();
  registerMeanGradient();
  useOneKernelRelu();
  registerWasmSlice();
  useFusedTrainingBatchNorm();
  await loadWatModule(TRAINING_KERNELS_MODULE);
  await loadWatModule(SCALAR_KERNELS_MODULE);
  // the gradient of an embedding look-up (text models)
  registerWasmSegmentSum();
  // Emscripten's Node glue adds process handlers that rethrow every uncaught exception and unhandled rejection from
  // inside its own minified source, which then fills the console; Node's defaults already end the process.
  const before = {
    uncaughtException: process.listeners('uncaughtException'),
    unhandledRejection: process.listeners('unhandledRejection'),
  };
  try {
    const ok = await tf.setBackend('wasm');
    if (!ok) throw new Error('the wasm backend failed to initialise');
    await tf.ready();
    // a tensor too large for the 32-bit memory: one clear error, not a crash (wasm-memory.ts)
    guardWasmMemory(tf.backend() as unknown as GuardedBackend);
  } finally {
    for (const listener of process.listeners('uncaughtException')) {
      if (!before.uncaughtException.includes(listener)) process.removeListener('uncaughtException', listener);
    }
    for (const listener of process.listeners('unhandledRejection')) {
      if (!before.unhandledRejection.includes(listener)) process.removeListener('unhandledRejection', listener);
    }
  }
}
