import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../benchmarks/backend/select-backend.js';
import { referenceTrainingStep } from '../benchmarks/perf/measure.js';
await selectBackend('wasm');
const t = referenceTrainingStep('cnn', 64);
for (let i = 0; i < 3; i++) await t.step();
const agg = new Map<string, { n: number; ms: number }>();
for (let r = 0; r < 10; r++) {
  const info = await tf.profile(() => t.step());
  for (const k of info.kernels) {
    const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
    const e = agg.get(key) ?? { n: 0, ms: 0 };
    e.n++; e.ms += k.kernelTimeMs as number; agg.set(key, e);
  }
}
for (const [k, e] of [...agg].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30)) console.log((e.ms / 10).toFixed(3), (e.n / 10), k);
t.dispose();
