/**
 * Everything `transfer-bench init` (and the app's suite builder) does before writing a suite: look at the target
 * data and the source, draft the suite, run the pre-run checks a `run` makes, and estimate the run time from the
 * FLOPs of its trials and a throughput measured here.
 */
import { resolve } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { selectBackend } from '../backend/select-backend.js';
import type { BackendChoice } from '../domain.js';
import { UserError } from '../errors.js';
import { loadModel } from '../models/model-io.js';
import { isModelSource, prepareModel, type PrepareOptions } from '../models/model-source.js';
import type { SuiteSpec } from '../spec/suite-schema.js';
import { checkSuite } from '../train/check-suite.js';
import type { CheckSummary } from '../train/jobs.js';
import {
  approachFlops,
  estimateRun,
  measureBatchSize,
  measureThroughput,
  type ApproachFlops,
  type RunEstimate,
  type StartupCosts,
} from './estimate.js';
import {
  cachedSeconds,
  cachedThroughput,
  throughputNow,
  cachedWorkerStart,
  modelFileKey,
  type CachedThroughput,
} from './throughput-cache.js';
import { dataKind, inspectData, type DataInspection, type InspectOptions } from './inspect-data.js';
import { draftSuite, type DraftSource } from './suite-draft.js';

export interface InitOptions {
  target: string;
  /** A folder, a CSV file, a TensorFlow.js model.json (or its folder), a Keras .h5/.keras file or a catalogue name. */
  source?: string | undefined;
  /** Layer of a brought model to cut at; default `features` when it has one, else the layer below its output. */
  cutLayer?: string | undefined;
  /** Where the suite file goes: paths in it are relative to its folder; null: absolute paths (no file yet). */
  suiteDir: string | null;
  name?: string | undefined;
  inspect?: InspectOptions;
  backend?: BackendChoice;
  /** How a catalogue model is fetched (progress, a folder of hand-placed files). */
  prepare?: PrepareOptions;
  /** Seconds of measured training for the throughput; 0 skips the estimate. */
  measureSeconds?: number;
  /** Starts a worker as a run will and answers its seconds to "ready" (runner/worker-start-time.ts), for the estimate. */
  measureWorkerStart?: (backend: BackendChoice) => Promise<number>;
}

export interface InitResult {
  spec: SuiteSpec;
  target: DataInspection;
  source?: DataInspection | { kind: 'model'; path: string; cutLayer: string; inputShape: number[]; sha256: string };
  check: CheckSummary;
  throughput?: CachedThroughput;
  /** FLOPs per training sample of each approach, from which the estimate was made (and edits re-estimated). */
  flops?: ApproachFlops;
  /** The input shape the models take (a brought model's: images are fitted to it). */
  inputShape?: [number, number, number];
  estimate?: RunEstimate;
  /** What each worker pays before its first trial, measured (in the estimate). */
  startup?: StartupCosts;
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

/**
 * Where to cut a brought model when neither the user nor the catalogue says: its `features` layer when it has one; its
 * output itself when that is a feature map (a backbone without a top, as Keras Applications' `include_top=False`
 * gives: cutting below it would drop its last activation, `out_relu` in MobileNetV2); else the layer below its output
 * (the classifier head).
 */
export function defaultCutLayer(model: LayersModel): string | undefined {
  const names = model.layers.map((l) => l.name);
  if (names.includes('features')) return 'features';
  const outputRank = model.outputs[0]?.shape.length ?? 0;
  return outputRank >= 3 ? names[names.length - 1] : names[names.length - 2];
}

async function modelSource(path: string, cutLayer: string | undefined, prepare: PrepareOptions) {
  const prepared = await prepareModel(path, '.', prepare);
  const model = await loadModel(prepared.path);
  try {
    const names = model.layers.map((l) => l.name);
    const cut = cutLayer ?? prepared.cutLayer ?? defaultCutLayer(model);
    if (!cut || !names.includes(cut)) {
      throw new UserError(
        `model ${path} has no layer "${cutLayer}" to cut at (its layers: ${names.join(', ')}); give --cut-layer`,
      );
    }
    const inputShape = (model.inputs[0]?.shape ?? []).slice(1).map((d) => d ?? 0);
    return {
      kind: 'model' as const,
      // a catalogue name stays a name; a file is recorded where it is
      path: prepared.kind === 'catalogue' ? path : resolve(path),
      enginePath: prepared.path,
      cutLayer: cut,
      inputShape,
      sha256: prepared.sha256,
      ...(prepared.pixelScaling ? { pixelScaling: prepared.pixelScaling } : {}),
    };
  } finally {
    model.dispose();
  }
}

export async function initSuite(options: InitOptions): Promise<InitResult> {
  const inspect: InspectOptions = { ...options.inspect };
  let model: Awaited<ReturnType<typeof modelSource>> | undefined;
  const measuring = (options.measureSeconds ?? 1.5) > 0;
  const bringsModel = options.source !== undefined && isModelSource(options.source);
  // A brought model is loaded (and checked) on a backend: it must be ready before the first tensor.
  const selecting = performance.now();
  const backend = measuring || bringsModel ? await selectBackend(options.backend ?? 'auto') : undefined;
  // what a trial's worker pays too, before its first step (part of the estimate)
  const startupSeconds = (performance.now() - selecting) / 1000;
  if (options.source !== undefined && bringsModel) {
    model = await modelSource(options.source, options.cutLayer, options.prepare ?? {});
    const [h, w] = model.inputShape;
    if (dataKind(resolve(options.target)) === 'folder' && h && w) {
      // Images are decoded at their own size up to the model's input, in their own channels; each batch is then
      // fitted to the model's input (resized, grayscale repeated to RGB, pixels scaled: train/input-adapter.ts).
      inspect.maxSide ??= Math.min(h, w);
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
    ? {
        kind: 'model',
        path: model.path,
        cutLayer: model.cutLayer,
        sha256: model.sha256,
        inputShape: model.inputShape,
        ...(model.pixelScaling ? { pixelScaling: model.pixelScaling } : {}),
      }
    : source
      ? { kind: 'data', inspection: source }
      : undefined;
  const spec = draftSuite({ target, source: draftSource, suiteDir: options.suiteDir, name: options.name });
  const baseDir = options.suiteDir ?? '/';
  const base = model ? { path: model.enginePath, cutLayer: model.cutLayer } : null;
  // the check decodes the data as each worker does before its first trial: timed for the estimate
  const checking = performance.now();
  const check = await checkSuite({ spec, baseDir, base });
  const dataSeconds = await cachedSeconds(
    { measurement: 'data', via: 'init', target: resolve(options.target), test: options.inspect?.test ?? null },
    (performance.now() - checking) / 1000,
  );
  const warning = testSetWarning(check.testSize, target.kind === 'folder' ? 'images' : 'rows');
  const result: InitResult = { spec, target, check, warnings: warning ? [warning] : [] };
  if (model) result.source = model;
  else if (source) result.source = source;
  if (measuring && backend) {
    const dataShape: [number, number, number] =
      target.kind === 'folder'
        ? [...target.imageSize, target.channels]
        : target.kind === 'text'
          ? [1, target.sequenceLength, 1]
          : [1, 1, target.features.length];
    const [h, w, c] = model?.inputShape ?? [];
    // Every approach trains the brought model's architecture, on inputs fitted to its input.
    const inputShape: [number, number, number] = model && h && w && c ? [h, w, c] : dataShape;
    const loading = performance.now();
    const brought = model ? { model: await loadModel(model.enginePath), cutLayer: model.cutLayer } : undefined;
    const modelLoadSeconds = model
      ? await cachedSeconds(
          { measurement: 'model-load', model: modelFileKey(model.enginePath) },
          (performance.now() - loading) / 1000,
        )
      : 0;
    try {
      const { numClasses } = check;
      const throughput = await cachedThroughput(
        {
          backend: backend.name,
          device: backend.device,
          architecture: spec.architecture,
          batchSize: measureBatchSize(spec),
          inputShape,
          numClasses,
          model: modelFileKey(model?.enginePath),
          cutLayer: model?.cutLayer ?? null,
        },
        async () => ({
          ...(await measureThroughput(spec, inputShape, numClasses, backend, options.measureSeconds, brought)),
          startupSeconds,
        }),
      );
      const measureStart = options.measureWorkerStart;
      const workerStart = measureStart
        ? await cachedWorkerStart(backend.name, () => measureStart(options.backend ?? 'auto'))
        : null;
      result.startup = {
        workerSeconds: workerStart?.seconds ?? throughput.startupSeconds ?? startupSeconds,
        workerMeasured: workerStart !== null,
        dataSeconds,
        modelLoadSeconds,
      };
      const flops = approachFlops(spec, inputShape, numClasses, brought);
      const throughputAtLoad = throughputNow(throughput);
      result.throughput = throughputAtLoad;
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
        {
          ...throughputAtLoad,
          startupSeconds: result.startup.workerSeconds,
          dataSeconds,
          modelLoadSeconds,
        },
        undefined,
        flops,
      );
    } finally {
      brought?.model.dispose();
    }
  }
  return result;
}
