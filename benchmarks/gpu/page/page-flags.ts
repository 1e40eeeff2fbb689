import * as tf from '@tensorflow/tfjs-core';

/**
 * The TensorFlow.js flags a browser page trains with, set before its backend starts: the GPU workers' page, and the
 * gradient test's page, so that the test checks what the workers run.
 */
export function setPageFlags(): void {
  // Software WebGL (SwiftShader) is allowed: it is labelled as software, and it is what a machine without a GPU has.
  tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
  // WEBGL_USE_SHAPES_UNIFORMS stays off (TensorFlow.js' default): it compiles fewer programs, so a page's first trial
  // is shorter, but SwiftShader then trained the CNN 17% slower (docs/development.md, "What the tests cost"), and a
  // benchmark's figure is its steady speed.
}
