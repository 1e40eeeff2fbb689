/**
 * A matrix product without bias or activation as tfjs-core's plain `matMul` op on the `wasm` backend, not its fused
 * one.
 *
 * tfjs-layers 4.22 computes every Dense layer through `tf.fused.matMul`; a Dense layer whose activation cannot be fused
 * (softmax: every classifier head here) calls it without bias or activation and adds its bias after. While a gradient
 * is recorded, the fused op reshapes both operands to 3-D, wraps its `_FusedMatMul` kernel in a custom gradient and
 * reshapes the result back: five engine calls and three tensors cloned for the tape (both operands and the output)
 * where the plain `BatchMatMul` kernel is one call keeping two, and its gradient three more calls (reshapes of the
 * output gradient and of both operand gradients). Both gradients are the same two products (dA = dY·Bᵀ, dB = Aᵀ·dY,
 * wasm-matmul.ts), and on wasm `_FusedMatMul` without bias or activation and `BatchMatMul` run the same XNNPACK
 * product: the values are the same bit for bit (test/unit/backend/wasm-linear-matmul.test.ts).
 *
 * `useLinearMatMulAsMatMul` replaces `tf.fused.matMul` (the object tfjs-layers calls through) with a function that
 * takes the plain op for a call without bias, with a linear activation, on the wasm backend, and the stock one
 * otherwise, as wasm-linear-conv.ts does for convolutions.
 */
import * as tf from '@tensorflow/tfjs-core';
import { routeLinearFused } from './wasm-linear-fused.js';

type FusedMatMulArgs = Parameters<typeof tf.fused.matMul>[0];

/** Makes `tf.fused.matMul` without bias and activation the plain `matMul` on wasm (see above). Idempotent. */
export function useLinearMatMulAsMatMul(): void {
  routeLinearFused<FusedMatMulArgs>('matMul', (args) => tf.matMul(args.a, args.b, args.transposeA, args.transposeB));
}
