/**
 * Training throughput of the reference workloads on every backend that loads here.
 *
 *     npx tsx benchmarks/perf/main.ts [backend …] [--only section,…]   (default: tensorflow-gpu tensorflow wasm cpu,
 *                                                                      every section; names in SECTIONS)
 *
 * Prints one line per workload and backend, e.g. `cnn wasm: 812 samples/s`, and says which backends were skipped and
 * why. Figures are per process (one core on wasm and cpu); the machine's other load makes them noisy.
 * Then, each a section of its own (see SECTIONS):
 * - the reference MLP and CNN on wasm side by side with PyTorch on one thread, where python3-torch is installed;
 * - the share of the CNN's training step per kernel on wasm (the top five, in CPU time);
 * - one fixed batch of CNN trials through the suite runner with one and with two worker processes (process start-up
 *   included), alternated over five rounds, with the CPU of each run by kind of thread and the ratio that CPU allows
 *   on two cores: `workers 2 vs 1: 1.85×`;
 * - the text models' training rate on wasm: `text-cnn wasm: N samples/s` (perf/text-models.ts);
 * - decoding an image folder with sharp, reading it back from the decode cache, and loading it again after one file
 *   changed: `folder decode: N images/s`, `folder re-decode after one changed file: X ms (N images)`.
 */
import { selectBackend } from '../backend/select-backend.js';
import { BACKENDS } from '../domain.js';
import type { BackendName } from '../domain.js';
import { formatFolderDecode, measureFolderDecode } from './folder-decode.js';
import { formatTopKernels, profileKernels } from './kernel-profile.js';
import { mobilenetSection } from './mobilenet.js';
import { textModelsSection } from './text-models.js';
import {
  DEFAULT_STEPS,
  REFERENCE_CLASSES,
  REFERENCE_INPUT_SHAPE,
  formatThroughput,
  measureBackend,
  referenceTrainingStep,
} from './measure.js';
import { compareWithTorch, formatSideBySide } from './torch-comparison.js';
import { availableParallelism } from 'node:os';
import { treeCpuTotal, type TreeCpu } from './process-cpu.js';
import { timeFixedBatch, type BatchTime } from './worker-speedup.js';
import { gpuThroughputSection } from './gpu-throughput.js';

const WORKER_BATCH_TRIALS = 8;
/** Rounds of 1 then 2 workers; the medians are printed. */
const WORKER_ROUNDS = 5;
/** Rounds of ours-then-PyTorch; the medians are printed. */
const TORCH_ROUNDS = 5;

/** What a section knows of the run: the backends asked for. */
interface Context {
  backends: BackendName[];
}

/** One part of the report: prints its lines (or one line saying why it was skipped). Add new ones to SECTIONS. */
type Section = (context: Context) => Promise<void>;

const throughputPerBackend: Section = async ({ backends }) => {
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
};

const sideBySideWithTorch: Section = async ({ backends }) => {
  if (!backends.includes('wasm')) return;
  await selectBackend('wasm');
  const compared = await compareWithTorch(['mlp', 'cnn'], TORCH_ROUNDS);
  if (!compared.ok) {
    console.log(`skipped the PyTorch comparison: ${compared.reason}`);
    return;
  }
  for (const result of compared.results) console.log(formatSideBySide(result, 'wasm'));
};

const cnnKernelShares: Section = async ({ backends }) => {
  if (!backends.includes('wasm')) return;
  await selectBackend('wasm');
  const training = referenceTrainingStep('cnn');
  try {
    // CPU time: on a busy machine it is disturbed less than elapsed time, and wasm computes on this thread
    const profile = await profileKernels(training.step, { repeats: 10, warmup: 3, clock: 'cpu' });
    console.log(`cnn wasm step (batch 64): ${profile.stepMs.toFixed(1)} ms of CPU, top kernels:`);
    for (const line of formatTopKernels(profile, 5)) console.log(line);
  } finally {
    training.dispose();
  }
};

const workerSpeedup: Section = async ({ backends }) => {
  const batchBackend = backends.includes('wasm') ? 'wasm' : backends[0]!;
  // 1 and 2 workers alternated, so that a change of the machine's load falls on both; medians printed
  const rounds: { one: BatchTime; two: BatchTime }[] = [];
  for (let round = 0; round < WORKER_ROUNDS; round++) {
    const one = await timeFixedBatch(1, WORKER_BATCH_TRIALS, batchBackend);
    rounds.push({ one, two: await timeFixedBatch(2, WORKER_BATCH_TRIALS, batchBackend) });
  }
  const medianRound = (pick: (r: (typeof rounds)[number]) => BatchTime): BatchTime =>
    [...rounds.map(pick)].sort((a, b) => a.seconds - b.seconds)[Math.floor(rounds.length / 2)]!;
  const one = medianRound((r) => r.one);
  const two = medianRound((r) => r.two);
  console.log(
    `fixed batch (${WORKER_BATCH_TRIALS} CNN trials, ${batchBackend}): 1 worker ${one.seconds.toFixed(1)} s, ` +
      `2 workers ${two.seconds.toFixed(1)} s (medians of ${WORKER_ROUNDS} rounds, alternated; ` +
      `2 vs 1 per round: ${rounds.map((r) => (r.one.seconds / r.two.seconds).toFixed(2)).join(', ')})`,
  );
  console.log(`workers 2 vs 1: ${(one.seconds / two.seconds).toFixed(2)}×`);
  for (const [label, batch] of [
    ['1 worker', one],
    ['2 workers', two],
  ] as const) {
    if (batch.cpu) console.log(`  ${label}: ${describeBatchCpu(batch.cpu, batch.seconds)}`);
  }
  if (two.cpu) {
    const cores = Math.min(2, availableParallelism());
    const bound = one.seconds / (treeCpuTotal(two.cpu) / cores);
    console.log(
      `  the 2-worker run's CPU on ${cores} cores takes at least ${(treeCpuTotal(two.cpu) / cores).toFixed(1)} s: ` +
        `2 vs 1 at most ${bound.toFixed(2)}× with this CPU, however the trials are scheduled`,
    );
  }
};

function describeBatchCpu(cpu: TreeCpu, seconds: number): string {
  return (
    `${treeCpuTotal(cpu).toFixed(1)} CPU s in ${seconds.toFixed(1)} s (workers' main threads ${cpu.childMain.toFixed(1)}, ` +
    `their other threads (V8's compilers and garbage collector) ${cpu.childHelpers.toFixed(1)}, this process ${cpu.self.toFixed(1)})`
  );
}

const folderDecode: Section = async () => {
  for (const line of formatFolderDecode(await measureFolderDecode())) console.log(line);
};

/** The report's sections in order, by the name `--only` takes. */
const SECTIONS: Record<string, Section> = {
  throughput: throughputPerBackend,
  gpu: ({ backends }) => gpuThroughputSection(backends),
  pytorch: sideBySideWithTorch,
  'cnn-kernels': cnnKernelShares,
  workers: workerSpeedup,
  mobilenet: ({ backends }) => mobilenetSection(backends),
  text: ({ backends }) => textModelsSection(backends),
  'folder-decode': folderDecode,
};

interface Options {
  backends: BackendName[];
  sections: string[];
}

/** `[backend …] [--only section,…]`: every backend and section by default. */
function parseArgs(args: string[]): Options {
  const at = args.indexOf('--only');
  const only = at >= 0 ? (args[at + 1] ?? '').split(',').filter(Boolean) : Object.keys(SECTIONS);
  const rest = at >= 0 ? [...args.slice(0, at), ...args.slice(at + 2)] : args;
  const unknownSections = only.filter((name) => !Object.hasOwn(SECTIONS, name));
  if (at >= 0 && only.length === 0) unknownSections.push('(none given)');
  if (unknownSections.length > 0) {
    throw new Error(
      `unknown section ${unknownSections.join(', ')} after --only: choose from ${Object.keys(SECTIONS).join(', ')}`,
    );
  }
  const unknown = rest.filter((a) => !(BACKENDS as readonly string[]).includes(a));
  if (unknown.length > 0) {
    throw new Error(`unknown backend ${unknown.join(', ')}: choose from ${BACKENDS.join(', ')}`);
  }
  return { backends: rest.length === 0 ? [...BACKENDS] : (rest as BackendName[]), sections: only };
}

async function main(): Promise<void> {
  const { backends, sections } = parseArgs(process.argv.slice(2));
  for (const [name, section] of Object.entries(SECTIONS)) if (sections.includes(name)) await section({ backends });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
