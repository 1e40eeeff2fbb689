import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../benchmarks/backend/select-backend.js';
import { conv2dBackpropFilterWasm as oldF } from './old-conv.js';
await selectBackend('wasm');
const newF = tf.getKernel('Conv2DBackpropFilter', 'wasm')!.kernelFunc;
const backend = tf.backend();
function minTime(f: () => void | number, reps = 30): number {
  let best = Infinity;
  for (let i = 0; i < reps; i++) { const s = performance.now(); const r = f(); const t = typeof r === 'number' ? r : performance.now() - s; best = Math.min(best, t); }
  return best;
}
for (const [xs, ds] of [[[64,28,28,1],[64,26,26,16]], [[64,13,13,16],[64,11,11,32]]] as const) {
  const x = tf.randomNormal(xs as unknown as number[]); const dy = tf.randomNormal(ds as unknown as number[]);
  const attrs = { strides: [1,1], pad: 'valid', dataFormat: 'NHWC', filterShape: [3,3,xs[3],ds[3]] };
  const run = (k: tf.KernelFunc) => () => { const x2 = tf.add(x, 0); const dy2 = tf.add(dy, 0); const s = performance.now(); const o = k({ inputs: { x: x2, dy: dy2 }, backend, attrs: attrs as never }) as tf.TensorInfo; backend.disposeData(o.dataId); const e = performance.now(); x2.dispose(); dy2.dispose(); return e - s; };
  for (let r = 0; r < 3; r++) console.log(xs.join('x'), 'old', minTime(run(oldF)).toFixed(3), 'new', minTime(run(newF)).toFixed(3));
}
