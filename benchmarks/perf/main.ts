/**
 * Training throughput of the reference workloads on every backend that loads here.
 *
 *     npx tsx benchmarks/perf/main.ts [backend …]     (default: tensorflow-gpu tensorflow wasm cpu)
 *
 * Prints one line per workload and backend, e.g. `cnn wasm: 812 samples/s`, and says which backends were skipped and
 * why. Figures are per process (one core on wasm and cpu); the machine's other load makes them noisy.
 * Then times one fixed batch of CNN trials through the suite runner with one and with two worker processes
 * (process start-up included) and prints `workers 2 vs 1: 1.85×`.
 */
import { BACKENDS } from '../domain.js';
import type { BackendName } from '../domain.js';
import {
  DEFAULT_STEPS,
  REFERENCE_CLASSES,
  REFERENCE_INPUT_SHAPE,
  formatThroughput,
  measureBackend,
} from './measure.js';
import { timeFixedBatch } from './worker-speedup.js';

const WORKER_BATCH_TRIALS = 8;

function parseBackends(args: string[]): BackendName[] {
  if (args.length === 0) return [...BACKENDS];
  const unknown = args.filter((a) => !(BACKENDS as readonly string[]).includes(a));
  if (unknown.length > 0) {
    throw new Error(`unknown backend ${unknown.join(', ')}: choose from ${BACKENDS.join(', ')}`);
  }
  return args as BackendName[];
}

async function main(): Promise<void> {
  const backends = parseBackends(process.argv.slice(2));
  const [h, w, c] = REFERENCE_INPUT_SHAPE;
  console.log(
    `reference workloads: Adam, batch 64, synthetic ${h}×${w}×${c} images, ${REFERENCE_CLASSES} classes; ` +
      `mlp ${DEFAULT_STEPS.mlp.steps} steps, cnn ${DEFAULT_STEPS.cnn.steps} steps (cnn cpu: 1 step), after a warm-up`,
  );
  for (const backend of backends) {
    const measured = await measureBackend(backend);
    if (measured.skipped) {
      console.log(`skipped ${backend}: ${measured.reason}`);
      continue;
    }
    console.log(`${backend} device: ${measured.info.device}`);
    for (const result of measured.results) console.log(formatThroughput(result));
  }
  const batchBackend = backends.includes('wasm') ? 'wasm' : backends[0]!;
  const one = await timeFixedBatch(1, WORKER_BATCH_TRIALS, batchBackend);
  const two = await timeFixedBatch(2, WORKER_BATCH_TRIALS, batchBackend);
  console.log(
    `fixed batch (${WORKER_BATCH_TRIALS} CNN trials, ${batchBackend}): 1 worker ${one.toFixed(1)} s, 2 workers ${two.toFixed(1)} s`,
  );
  console.log(`workers 2 vs 1: ${(one / two).toFixed(2)}×`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
