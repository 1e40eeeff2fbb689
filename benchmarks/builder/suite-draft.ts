/**
 * A ready suite for a user's data, from what inspectData found: a fixed test split, log-spaced sizes (no two within
 * ×1.5 of each other) from a few examples per class to the whole pool, three seeds, every approach the source allows with budgets suited to the
 * data's size, and the architecture that fits. Pure: the same inspection gives the same suite.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { looksLikeCatalogueName } from '../spec/model-catalogue.js';
import type {
  ApproachSettings,
  ArchitectureSpec,
  DatasetSource,
  PixelScaling,
  SuiteSpec,
} from '../spec/suite-schema.js';
import { suiteSpec } from '../spec/suite-schema.js';
import type { DataInspection } from './inspect-data.js';

export type DraftSource =
  | { kind: 'data'; inspection: DataInspection }
  | {
      kind: 'model';
      /** A file, or a catalogue name (kept as it is). */
      path: string;
      cutLayer: string;
      sha256?: string;
      inputShape?: number[];
      /** How the model's training scaled pixels, when known: the suite then scales them so. */
      pixelScaling?: PixelScaling;
    };

export interface DraftOptions {
  target: DataInspection;
  source?: DraftSource | undefined;
  /** Folder the suite file will be written to: paths inside it are written relative to it; null: every path absolute. */
  suiteDir: string | null;
  name?: string;
  seeds?: number[];
}

/** Held-out test examples per class: 20% of the smallest class, at most 100, leaving at least 2 per class to train. */
export function chooseTestPerClass(target: DataInspection): number {
  if (target.testPath !== undefined) {
    const smallest = Math.min(...target.classes.map((c) => c.testCount ?? 0));
    const empty = target.classes.find((c) => (c.testCount ?? 0) === 0);
    if (empty) throw new UserError(`the test data ${target.testPath} has no examples of class "${empty.name}"`);
    return smallest;
  }
  const smallest = target.classes.reduce((a, c) => (c.count < a.count ? c : a));
  if (smallest.count < 3) {
    throw new UserError(
      `class "${smallest.name}" of ${target.path} has ${smallest.count} example${smallest.count === 1 ? '' : 's'}: each class needs at least 3 (one to test, one to train, one to validate); add examples to it`,
    );
  }
  return Math.max(1, Math.min(100, Math.floor(smallest.count * 0.2), smallest.count - 2));
}

/** 1, 2, 2.5, 5 × 10ⁿ: sizes people read easily. */
function niceNumbers(upTo: number): number[] {
  const out: number[] = [];
  for (let p = 1; p <= upTo * 10; p *= 10) for (const m of [1, 2, 2.5, 5]) out.push(Math.round(m * p));
  return out.filter((v) => v <= upTo);
}

/** Neighbouring sizes closer than this ratio measure nearly the same thing (100 and 128): one of them is dropped. */
export const MIN_SIZE_RATIO = 1.5;

/**
 * Log-spaced training-set sizes from `min` to `max` (both included): at most `count`, rounded to easy numbers,
 * each at least MIN_SIZE_RATIO times the one before (no 100 beside 128). `max` itself is the last size (the largest
 * the pool allows).
 */
export function logSizes(min: number, max: number, count = 8): number[] {
  if (max < min) return [max];
  if (max === min) return [min];
  const steps = Math.min(count - 1, Math.max(1, Math.floor(Math.log(max / min) / Math.log(MIN_SIZE_RATIO))));
  const nice = niceNumbers(max);
  const interior = new Set<number>();
  for (let i = 1; i < steps; i++) {
    const ideal = min * Math.pow(max / min, i / steps);
    const closest = nice.reduce((best, v) =>
      Math.abs(Math.log(v / ideal)) < Math.abs(Math.log(best / ideal)) ? v : best,
    );
    interior.add(closest);
  }
  const sizes = [min];
  for (const v of [...interior].sort((a, b) => a - b)) {
    if (v / sizes[sizes.length - 1]! >= MIN_SIZE_RATIO && max / v >= MIN_SIZE_RATIO) sizes.push(v);
  }
  sizes.push(max);
  return sizes;
}

/** The pool each size draws from: every example but the test set. */
export function poolSize(target: DataInspection, testPerClass: number): number {
  const total = target.classes.reduce((n, c) => n + c.count, 0);
  return target.testPath !== undefined ? total : total - testPerClass * target.classes.length;
}

/** Smallest size: a few examples per class (5, or 2 when a class cannot spare 5), never below 2 per class. */
export function smallestSize(target: DataInspection, testPerClass: number): number {
  const k = target.classes.length;
  const spare = Math.min(
    ...target.classes.map((c) => (target.testPath !== undefined ? c.count : c.count - testPerClass)),
  );
  return k * Math.max(2, Math.min(5, spare));
}

/**
 * Budgets: the same cap of epochs for every approach (early stopping decides, on validation loss) and a floor of
 * 300 updates, so tiny subsets train and large ones do not run for ever: the cap falls from 40 epochs at 5,000
 * examples to 10 at 20,000 and above. Every approach tunes its learning rate over three values, as the built-in
 * suites do (the same grid for scratch, fine-tuning and partial; ten times higher for the linear probe's new head),
 * hopeless candidates stopped early.
 */
export function budgets(largestSize: number, hasSource: boolean): Partial<Record<string, ApproachSettings>> {
  const epochs = Math.max(10, Math.min(40, Math.round((40 * 5000) / Math.max(1, largestSize))));
  const common = {
    optimizer: 'adam' as const,
    batchSize: 32,
    epochs,
    minSteps: 300,
    patience: 5,
    pruneCandidates: true,
  };
  const grid = [0.001, 0.0003, 0.003];
  const all: Record<string, ApproachSettings> = { scratch: { ...common, learningRate: grid } };
  if (!hasSource) return all;
  all.finetune = { ...common, learningRate: grid };
  all['linear-probe'] = { ...common, learningRate: [0.01, 0.003, 0.03] };
  all.partial = { ...common, learningRate: grid, trainableBlocks: 1 };
  return all;
}

/**
 * Batch size for a model taking h×w images: 32 up to 128×128, then halved as the pixels grow (8 at 224×224), so a
 * training step's activations stay a few hundred MB (a MobileNetV2 at 224×224 in batches of 32 overflows the wasm
 * backend's memory: "Invalid typed array length").
 */
export function batchSizeFor(h: number, w: number): number {
  const fits = (32 * 128 * 128) / (h * w);
  return Math.max(4, Math.min(32, 2 ** Math.floor(Math.log2(fits))));
}

/**
 * The built-in architecture for the data: a CNN for images of 10 pixels or more a side, an MLP for other images and
 * numeric tables, Kim's text-cnn (the faster of the two text models) for text with an embedding of the vocabulary's size.
 */
export function chooseArchitecture(target: DataInspection): ArchitectureSpec {
  if (target.kind === 'text') {
    return {
      name: 'text-cnn',
      vocabularySize: target.vocabularySize,
      embeddingDim: 64,
      filters: 64,
      kernelSizes: [3, 4, 5],
      layers: 2,
      heads: 4,
      ffDim: 128,
    };
  }
  return target.kind === 'folder' && Math.min(...target.imageSize) >= 10 ? 'cnn' : 'mlp';
}

const KIND_WORDS = { csv: 'a table', folder: 'an image folder', text: 'a text table' } as const;

/** Relative to the suite's folder when inside it (the two can move together), else absolute. */
function relativePath(suiteDir: string | null, path: string): string {
  const full = resolve(path);
  if (suiteDir === null) return full;
  const rel = relative(suiteDir, full);
  if (rel === '') return '.';
  return rel.startsWith('..') || isAbsolute(rel) ? full : rel;
}

/** The dataset source of an inspection, paths relative to the suite's folder; `shape` overrides a folder's decode size. */
export function datasetOf(
  inspection: DataInspection,
  suiteDir: string | null,
  shape?: { imageSize: [number, number]; channels: 1 | 3 },
  text?: { sequenceLength: number; vocabularySize: number },
): DatasetSource {
  if (inspection.kind === 'text') {
    return {
      kind: 'text',
      path: relativePath(suiteDir, inspection.path),
      text: inspection.text,
      label: inspection.label,
      sequenceLength: text?.sequenceLength ?? inspection.sequenceLength,
      vocabularySize: text?.vocabularySize ?? inspection.vocabularySize,
      ...(inspection.testPath !== undefined ? { test: relativePath(suiteDir, inspection.testPath) } : {}),
    };
  }
  if (inspection.kind === 'folder') {
    return {
      kind: 'folder',
      dir: relativePath(suiteDir, inspection.path),
      imageSize: shape?.imageSize ?? inspection.imageSize,
      channels: shape?.channels ?? inspection.channels,
      ...(inspection.testPath !== undefined ? { test: relativePath(suiteDir, inspection.testPath) } : {}),
    };
  }
  return {
    kind: 'csv',
    path: relativePath(suiteDir, inspection.path),
    label: inspection.label,
    features: inspection.features,
    ...(inspection.testPath !== undefined ? { test: relativePath(suiteDir, inspection.testPath) } : {}),
  };
}

/** A name for the suite from the data's file or folder name: letters, digits, ".", "_" and "-". */
export function suiteName(path: string): string {
  const base = resolve(path).split(/[\\/]/).filter(Boolean).pop() ?? 'my-data';
  const cleaned = base
    .replace(/\.csv$/i, '')
    .replace(/[^a-z0-9._-]+/gi, '-')
    .replace(/^[^a-z0-9]+/i, '');
  return cleaned || 'my-data';
}

export function draftSuite(options: DraftOptions): SuiteSpec {
  const { target, source, suiteDir } = options;
  const testPerClass = chooseTestPerClass(target);
  const pool = poolSize(target, testPerClass);
  const sizes = logSizes(smallestSize(target, testPerClass), pool);
  const architecture = chooseArchitecture(target);
  const draft: Record<string, unknown> = {
    name: options.name ?? suiteName(target.path),
    description: source
      ? `Fine-tuning against training from scratch on ${target.path} (${target.classes.length} classes), written by transfer-bench init.`
      : `Training from scratch only on ${target.path} (${target.classes.length} classes), written by transfer-bench init without a source: it measures how accuracy grows with data, not whether fine-tuning helps (init again with --source for that).`,
    architecture,
    target: { dataset: datasetOf(target, suiteDir), testPerClass },
    sizes,
    seeds: options.seeds ?? [0, 1, 2],
    approaches: budgets(sizes[sizes.length - 1]!, source !== undefined),
    validationFraction: 0.2,
    evalEverySteps: 25,
  };
  if (source?.kind === 'data') {
    const s = source.inspection;
    if (s.kind !== target.kind) {
      throw new UserError(
        `the source ${s.path} is ${KIND_WORDS[s.kind]} but the target ${target.path} is ${KIND_WORDS[target.kind]}: pretrain on the same kind of data`,
      );
    }
    if (s.kind === 'csv' && target.kind === 'csv') {
      const missing = target.features.filter((f) => !s.features.includes(f));
      if (missing.length > 0) {
        throw new UserError(
          `the source table ${s.path} has no column ${missing.map((m) => `"${m}"`).join(', ')}: pretraining needs the target's feature columns`,
        );
      }
    }
    const sourcePool = s.classes.reduce((n, c) => n + c.count, 0);
    const sourceTest = Math.max(1, Math.min(100, Math.floor(Math.min(...s.classes.map((c) => c.count)) * 0.1)));
    const shape = target.kind === 'folder' ? { imageSize: target.imageSize, channels: target.channels } : undefined;
    // a text source takes the target's sequence length (and, when it runs, its vocabulary)
    const dataset = datasetOf(s, suiteDir, shape, target.kind === 'text' ? target : undefined);
    if (dataset.kind === 'csv' && target.kind === 'csv') dataset.features = target.features;
    draft.pretrain = {
      dataset,
      epochs: sourcePool > 20_000 ? 3 : 5,
      learningRate: 0.001,
      batchSize: 64,
      seed: 0,
      testPerClass: sourceTest,
    };
  } else if (source?.kind === 'model') {
    const [h, w] = source.inputShape ?? [];
    if (h && w) {
      const batchSize = batchSizeFor(h, w);
      for (const settings of Object.values(draft.approaches as Record<string, ApproachSettings>)) {
        settings.batchSize = batchSize;
      }
    }
    draft.pretrainedModel = {
      path: looksLikeCatalogueName(source.path) ? source.path : relativePath(suiteDir, source.path),
      cutLayer: source.cutLayer,
      ...(source.sha256 ? { sha256: source.sha256 } : {}),
      ...(source.inputShape?.length === 3 ? { inputShape: source.inputShape } : {}),
    };
    if (source.pixelScaling) draft.pixelScaling = source.pixelScaling;
  }
  const parsed = suiteSpec.safeParse(draft);
  if (!parsed.success) throw new Error(`init drafted an invalid suite: ${parsed.error.message}`);
  return parsed.data;
}
