/**
 * Browser entry for the gradient test (bundled by test/integration/gpu-parity.test.ts): the gradients of the
 * reference CNN's loss with respect to its trainable weights, on the webgpu or webgl backend of the page, with the GPU
 * workers' flags.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-layers';
import { setPageFlags } from '../../benchmarks/gpu/page/page-flags.js';
import { buildModel } from '../../benchmarks/models/architectures.js';
import { crossEntropy } from '../../benchmarks/train/metrics.js';

export async function cnnGradients(
  backend: string,
  images: Float32Array,
  labels: Int32Array,
  shape: [number, number, number],
  numClasses: number,
): Promise<Float32Array[]> {
  setPageFlags();
  if (!(await tf.setBackend(backend))) throw new Error(`no ${backend} backend`);
  await tf.ready();
  const model = buildModel('cnn', shape, numClasses, 0);
  const x = tf.tensor4d(images, [labels.length, ...shape]);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { grads } = tf.variableGrads(() => crossEntropy(model.apply(x, { training: true }) as tf.Tensor, y), variables);
  const out = await Promise.all(variables.map(async (v) => (await grads[v.name]!.data()) as Float32Array));
  model.dispose();
  tf.dispose([x, y, ...Object.values(grads)]);
  return out;
}

(globalThis as unknown as { cnnGradients: typeof cnnGradients }).cnnGradients = cnnGradients;
