import * as tf from '@tensorflow/tfjs-core';

/**
 * The TensorFlow.js flags a browser page trains with, set before its backend starts (the GPU workers' page and the
 * gradient test's page alike).
 */
export function setPageFlags(): void {
  // Software WebGL (SwiftShader) is allowed: it is labelled as software, and it is what a machine without a GPU has.
  tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
  // One WebGL program per operation and rank, with the shapes passed as uniforms, in place of one program per shape:
  // a trial meets many shapes (training batches, the last smaller batch, evaluation batches) and every new program is
  // compiled by the driver. On SwiftShader this halves the first trial of a page (an MLP's from 10.4-11.7 s to
  // 4.7 s, docs/performance.md); the arithmetic is the same.
  tf.env().set('WEBGL_USE_SHAPES_UNIFORMS', true);
}
