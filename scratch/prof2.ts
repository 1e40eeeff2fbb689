import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { selectBackend } from '../benchmarks/backend/select-backend.js';
import { buildModel } from '../benchmarks/models/architectures.js';
import { profileKernels, formatTopKernels } from '../benchmarks/perf/kernel-profile.js';
await selectBackend('wasm');
const model = buildModel('cnn', [28, 28, 1], 10, 1);
const opt = tf.train.adam(0.001);
const xs = tf.randomUniform([64, 28, 28, 1]);
const ys = tf.oneHot(tf.randomUniform([64], 0, 10, 'int32'), 10);
const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
const step = async () => {
  const loss = opt.minimize(() => tf.mean(tfl.metrics.categoricalCrossentropy(ys, model.apply(xs, { training: true }) as tf.Tensor)) as tf.Scalar, true, vars)!;
  await loss.data(); loss.dispose();
};
const p = await profileKernels(step, { repeats: 20, warmup: 5, clock: 'cpu' });
console.log(`step ${p.stepMs.toFixed(2)} ms cpu`);
for (const l of formatTopKernels(p, Number(process.argv[2] ?? 12))) console.log(l);
