import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc } from '@tensorflow/tfjs-core';

/**
 * Replaces the wasm backend's own kernel `name` by `wrap(stock kernel function)`, keeping the stock kernel's setup
 * (which binds the wasm functions a fallback calls) and disposal. Does nothing where wasm has no such kernel.
 */
export function replaceWasmKernel(name: string, wrap: (stock: KernelFunc) => KernelFunc): void {
  const stock = tf.getKernel(name, 'wasm');
  if (stock === undefined) return;
  tf.unregisterKernel(name, 'wasm');
  const config: tf.KernelConfig = { kernelName: name, backendName: 'wasm', kernelFunc: wrap(stock.kernelFunc) };
  if (stock.setupFunc !== undefined) config.setupFunc = stock.setupFunc;
  if (stock.disposeFunc !== undefined) config.disposeFunc = stock.disposeFunc;
  tf.registerKernel(config);
}
