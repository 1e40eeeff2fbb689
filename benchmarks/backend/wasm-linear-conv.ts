/**
 * A convolution without bias or activation as tfjs-core's plain `conv2d` op on the `wasm` backend, not its fused one.
 *
 * tfjs-layers 4.22 calls `tf.fused.conv2d` for every Conv2D layer, MobileNet's 1×1 convolutions included (no bias,
 * linear activation: batch normalisation follows). While a gradient is recorded, the fused op wraps its `FusedConv2D`
 * kernel in a custom gradient: one more engine call per layer and step, and three tensors cloned for the tape (input,
 * filter and output) where the plain `Conv2D` kernel's gradient keeps two (input and filter). Both gradients call the
 * same two kernels, `Conv2DBackpropInput` and `Conv2DBackpropFilter`, with the same arguments (the fused op's
 * activation gradient is the identity when linear), and on wasm `Conv2D` and `FusedConv2D` without a bias run the
 * same XNNPACK convolution: the values are the same bit for bit (test/unit/backend/wasm-linear-conv.test.ts). On the
 * partial top of mobilenet-split, where a step's cost is the number of kernel calls, that is 18 of its engine calls.
 *
 * `useLinearConvAsConv2d` replaces `tf.fused.conv2d` (the object tfjs-layers calls through) with a function that takes
 * the plain op for a call without bias, with a linear activation, on the wasm backend, and the stock one otherwise:
 * what tfjs-core's fused op does itself outside a gradient.
 */
import * as tf from '@tensorflow/tfjs-core';
import { routeLinearFused } from './wasm-linear-fused.js';

type FusedConv2dArgs = Parameters<typeof tf.fused.conv2d>[0];

/** Makes `tf.fused.conv2d` without bias and activation the plain `conv2d` on wasm (see above). Idempotent. */
export function useLinearConvAsConv2d(): void {
  routeLinearFused<FusedConv2dArgs>('conv2d', (args) =>
    tf.conv2d(
      args.x as tf.Tensor4D,
      args.filter as tf.Tensor4D,
      args.strides,
      args.pad,
      args.dataFormat,
      args.dilations,
      args.dimRoundingMode,
    ),
  );
}
