/**
 * Everything `transfer-bench init` (and the app's suite builder) does before writing a suite: look at the target
 * data and the source, draft the suite, run the pre-run checks a `run` makes, and estimate the run time from the
 * FLOPs of its trials and a throughput measured here.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { selectBackend } from '../backend/select-backend.js';
import type { BackendChoice } from '../domain.js';
import { UserError } from '../errors.js';
import { loadModel } from '../models/model-io.js';
import type { SuiteSpec } from '../spec/suite-schema.js';
import { checkSuite } from '../train/check-suite.js';
import type { CheckSummary } from '../train/jobs.js';
import { approachFlops, estimateRun, measureThroughput, type ApproachFlops, type RunEstimate } from './estimate.js';
import { cachedThroughput, type CachedThroughput } from './throughput-cache.js';
import { dataKind, inspectData, type DataInspection, type InspectOptions } from './inspect-data.js';
import { draftSuite, type DraftSource } from './suite-draft.js';

export interface InitOptions {
  target: string;
  /** A folder, a CSV file, or a TensorFlow.js model.json (or its folder). */
  source?: string | undefined;
  /** Layer of a brought model to cut at; default `features` when it has one, else the layer below its output. */
  cutLayer?: string | undefined;
  /** Where the suite file goes: paths in it are relative to its folder; null: absolute paths (no file yet). */
  suiteDir: string | null;
  name?: string | undefined;
  inspect?: InspectOptions;
  backend?: BackendChoice;
  /** Seconds of measured training for the throughput; 0 skips the estimate. */
  measureSeconds?: number;
}

export interface InitResult {
  spec: SuiteSpec;
  target: DataInspection;
  source?: DataInspection | { kind: 'model'; path: string; cutLayer: string; inputShape: number[] };
  check: CheckSummary;
  throughput?: CachedThroughput;
  /** FLOPs per training sample of each approach, from which the estimate was made (and edits re-estimated). */
  flops?: ApproachFlops;
  /** The input shape the models take (a brought model's: images are fitted to it). */
  inputShape?: [number, number, number];
  estimate?: RunEstimate;
  /** What keeps this suite from answering well (a test set too small to tell the approaches apart), one line each. */
  warnings: string[];
}

/** Fewest test examples with which a few points between approaches can be told apart. */
export const MIN_TEST_EXAMPLES = 100;
/** Largest standard error of a test accuracy, in points, before the test set is called too small. */
export const MAX_TEST_STANDARD_ERROR = 2;

/**
 * A warning when a test set of `testSize` examples is too small to separate the approaches: fewer than 100
 * examples, or a standard error of the accuracy above 2 points (at 50% accuracy, where it is largest: 50/√n points).
 * Null when it is large enough.
 */
export function testSetWarning(testSize: number, noun = 'images'): string | null {
  const se = 50 / Math.sqrt(Math.max(1, testSize));
  if (testSize >= MIN_TEST_EXAMPLES && se <= MAX_TEST_STANDARD_ERROR) return null;
  // Two approaches on the same test set: their difference's 95% interval is about ±1.96·√2·se wide.
  const resolvable = 1.96 * Math.SQRT2 * se;
  return `the test set has ${testSize} ${noun} (each one ${(100 / Math.max(1, testSize)).toFixed(1)} points of accuracy; standard error up to ${se.toFixed(1)} points): approaches closer than about ${Math.round(resolvable)} points cannot be told apart. Add ${noun} per class, or give a larger test set with --test`;
}

function isModel(path: string): boolean {
  const full = resolve(path);
  if (full.endsWith('.json')) return true;
  return existsSync(full) && statSync(full).isDirectory() && existsSync(resolve(full, 'model.json'));
}

async function modelSource(path: string, cutLayer: string | undefined) {
  const model = await loadModel(path);
  try {
    const names = model.layers.map((l) => l.name);
    const cut = cutLayer ?? (names.includes('features') ? 'features' : names[names.length - 2]);
    if (!cut || !names.includes(cut)) {
      throw new UserError(
        `model ${path} has no layer "${cutLayer}" to cut at (its layers: ${names.join(', ')}); give --cut-layer`,
      );
    }
    const inputShape = (model.inputs[0]?.shape ?? []).slice(1).map((d) => d ?? 0);
    return { kind: 'model' as const, path: resolve(path), cutLayer: cut, inputShape };
  } finally {
    model.dispose();
  }
}

export async function initSuite(options: InitOptions): Promise<InitResult> {
  const inspect: InspectOptions = { ...options.inspect };
  let model: Awaited<ReturnType<typeof modelSource>> | undefined;
  if (options.source !== undefined && isModel(options.source)) {
    model = await modelSource(options.source, options.cutLayer);
    const [h, w, c] = model.inputShape;
    if (dataKind(resolve(options.target)) === 'folder' && h && w && (c === 1 || c === 3)) {
      // The images are decoded to the size the brought model takes.
      inspect.imageSize ??= [h, w];
      inspect.channels ??= c;
    }
  }
  const target = await inspectData(options.target, inspect);
  let source: DataInspection | undefined;
  if (options.source !== undefined && !model) {
    source = await inspectData(options.source, {
      ...(target.kind === 'folder' ? { imageSize: target.imageSize, channels: target.channels } : {}),
      ...(target.kind === 'csv' ? { features: target.features, label: inspect.label } : {}),
      ...(inspect.onProgress ? { onProgress: inspect.onProgress } : {}),
    });
  }
  const draftSource: DraftSource | undefined = model
    ? { kind: 'model', path: model.path, cutLayer: model.cutLayer }
    : source
      ? { kind: 'data', inspection: source }
      : undefined;
  const spec = draftSuite({ target, source: draftSource, suiteDir: options.suiteDir, name: options.name });
  const baseDir = options.suiteDir ?? '/';
  const base = spec.pretrainedModel
    ? { path: resolve(baseDir, spec.pretrainedModel.path), cutLayer: spec.pretrainedModel.cutLayer }
    : null;
  const check = await checkSuite({ spec, baseDir, base });
  const warning = testSetWarning(check.testSize, target.kind === 'folder' ? 'images' : 'rows');
  const result: InitResult = { spec, target, check, warnings: warning ? [warning] : [] };
  if (model) result.source = model;
  else if (source) result.source = source;
  if ((options.measureSeconds ?? 1.5) > 0) {
    const selecting = performance.now();
    const backend = await selectBackend(options.backend ?? 'auto');
    const startupSeconds = (performance.now() - selecting) / 1000;
    const dataShape: [number, number, number] =
      target.kind === 'folder' ? [...target.imageSize, target.channels] : [1, 1, target.features.length];
    const [h, w, c] = model?.inputShape ?? [];
    // Every approach trains the brought model's architecture, on inputs fitted to its input.
    const inputShape: [number, number, number] = model && h && w && c ? [h, w, c] : dataShape;
    const brought = model ? { model: await loadModel(model.path), cutLayer: model.cutLayer } : undefined;
    try {
      const { numClasses } = check;
      const throughput = await cachedThroughput(
        {
          backend: backend.name,
          architecture: spec.architecture,
          inputShape,
          numClasses,
          model: model?.path ?? null,
          cutLayer: model?.cutLayer ?? null,
        },
        async () => ({
          ...(await measureThroughput(spec, inputShape, numClasses, backend, options.measureSeconds, brought)),
          startupSeconds,
        }),
      );
      const flops = approachFlops(spec, inputShape, numClasses, brought);
      result.throughput = throughput;
      result.flops = flops;
      result.inputShape = inputShape;
      result.estimate = estimateRun(
        spec,
        {
          inputShape,
          numClasses,
          testCount: check.testSize,
          ...(source ? { sourcePool: source.classes.reduce((n, c) => n + c.count, 0) } : {}),
        },
        throughput,
        undefined,
        flops,
      );
    } finally {
      brought?.model.dispose();
    }
  }
  return result;
}
