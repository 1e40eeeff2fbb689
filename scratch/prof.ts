import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../benchmarks/backend/select-backend.js';
import { referenceTrainingStep, measureTrainingThroughput } from '../benchmarks/perf/measure.js';
import { profileKernels, formatTopKernels } from '../benchmarks/perf/kernel-profile.js';
const backend = (process.argv[2] ?? 'wasm') as 'wasm';
await selectBackend(backend);
console.log(tf.getBackend(), tf.env().getAsync ? await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') : '');
const t = referenceTrainingStep('cnn', 64);
const p = await profileKernels(t.step, { repeats: 10, warmup: 3, clock: 'cpu' });
console.log(`step ${p.stepMs.toFixed(2)} ms`);
for (const l of formatTopKernels(p, 25)) console.log(l);
t.dispose();
for (let i = 0; i < 3; i++) {
  const r = await measureTrainingThroughput('cnn', { warmupSteps: 3, steps: 30 });
  console.log(`cnn: ${Math.round(r.samplesPerSecond)} samples/s`);
}
