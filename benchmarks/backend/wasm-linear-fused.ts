/**
 * What wasm-linear-conv.ts and wasm-linear-matmul.ts share: tfjs-layers calls a fused op (`tf.fused.conv2d`,
 * `tf.fused.matMul`) for every layer, and on wasm a call without bias, with a linear activation, is cheaper through
 * the plain op (each file says why, and what its test holds it to).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';

/** The arguments of a fused op that decide whether it is linear. */
interface FusedArgs {
  bias?: unknown;
  activation?: string;
  preluActivationWeights?: unknown;
}

const routed = new Set<string>();

/**
 * Replaces `tf.fused[name]` (the object tfjs-layers calls through) with a function that calls `plain` for a call
 * without bias, with a linear activation, on the wasm backend, and the stock op otherwise. Once per name.
 */
export function routeLinearFused<Args extends FusedArgs>(
  name: 'conv2d' | 'matMul',
  plain: (args: Args) => Tensor,
): void {
  if (routed.has(name)) return;
  routed.add(name);
  const fused = tf.fused as unknown as Record<string, (args: Args) => Tensor>;
  const stock = fused[name]!;
  fused[name] = (args) =>
    args.bias == null &&
    (args.activation ?? 'linear') === 'linear' &&
    args.preluActivationWeights == null &&
    tf.getBackend() === 'wasm'
      ? plain(args)
      : stock(args);
}
