/**
 * Turns a suite's dataset source into labelled images: every example (loadDataset), or a task with a fixed
 * held-out test set and a training pool (loadTask).
 */
import { resolve } from 'node:path';
import { UserError } from '../errors.js';
import type { DatasetSource } from '../spec/suite-schema.js';
import { chooseClasses, distinctLabelValues, formatValues, nameClasses } from './class-choice.js';
import { splitPerClass } from './fixed-split.js';
import type { SkippedFile } from './decode-cache.js';
import { readIdxPair } from './idx-reader.js';
import { describeExcluded, describeLoad, describeSkipped, listFolderSource, loadImageFolder } from './load-folder.js';
import { labelOrder, readTable, type Table } from './load-table.js';
import type { LabelledImages } from './labelled-images.js';
import { MNIST_DIGITS, loadMnistPackage } from './mnist-package.js';
import { indicesOfClasses, toLabelledImages } from './raw-examples.js';
import type { RawExamples } from './raw-examples.js';
import { loadTextTask } from './text-dataset.js';

export interface TaskData {
  pool: LabelledImages;
  test: LabelledImages;
  description: string;
  /** A table: inputs are standardised with statistics fitted on each trial's own training split. */
  standardise: boolean;
  /** Files that could not be read and were skipped (image folders), for the run's summary. */
  skipped: SkippedFile[];
  /** Lines for the run's summary about the data (e.g. the skipped files, up to 10 named). */
  notices: string[];
  /** A class in words for messages, by class index (e.g. `class "cat" (folder /data/cat)`). */
  classLabel: (classIndex: number) => string;
  /** A text dataset: the vocabulary its token ids index (see text-dataset.ts). */
  vocabulary?: string[];
}

type IdxSource = Extract<DatasetSource, { kind: 'idx' }>;
type MnistSource = Extract<DatasetSource, { kind: 'mnist' }>;
type FolderSource = Extract<DatasetSource, { kind: 'folder' }>;
type CsvSource = Extract<DatasetSource, { kind: 'csv' }>;

/** A source opened and its classes chosen; nothing converted yet. */
interface OpenedSource {
  /** e.g. "mnist package" or "Fashion-MNIST in /usr/share/datasets/fashion-mnist". */
  name: string;
  train: RawExamples;
  /** Examples from separate test files, when the source has them. */
  test?: RawExamples;
  /** Label values that become classes 0..k-1, in that order. */
  classes: number[];
  classNames: string[];
  standardise?: boolean;
  skipped?: SkippedFile[];
  /** How the data was read, for the run's summary. */
  notes?: string[];
  /** A class in words, by label value, when the source says more than its name (e.g. its folder). */
  describeClass?: (value: number) => string;
}

function openMnist(source: MnistSource): OpenedSource {
  const name = 'mnist package';
  const classes = source.classes ?? [...MNIST_DIGITS];
  const invalid = classes.filter((c) => c > 9);
  if (invalid.length > 0) {
    throw new UserError(`${name} has digits 0–9 only; "classes" asks for ${formatValues(invalid)}`);
  }
  return { name, train: loadMnistPackage(), classes, classNames: classes.map(String) };
}

/** "Fashion-MNIST" for the Fashion-MNIST folder, else "IDX": used to name files in messages. */
function idxDatasetName(dir: string): string {
  return /fashion[-_]?mnist/i.test(dir) ? 'Fashion-MNIST' : 'IDX';
}

function openIdx(source: IdxSource, baseDir: string): OpenedSource {
  const dir = resolve(baseDir, source.dir);
  const dataset = idxDatasetName(dir);
  const name = `${dataset} in ${dir}`;
  const trainLabelsPath = resolve(dir, source.train.labels);
  const train = readIdxPair(resolve(dir, source.train.images), trainLabelsPath, dataset);
  const classes = chooseClasses(train.labelValues, source.classes, `${dataset} labels file ${trainLabelsPath}`);
  const trainRaw = rawFromIdx(train);
  const present = distinctLabelValues(train.labelValues);
  let test: RawExamples | undefined;
  if (source.test) {
    const testLabelsPath = resolve(dir, source.test.labels);
    const pair = readIdxPair(resolve(dir, source.test.images), testLabelsPath, dataset);
    if (pair.rows !== train.rows || pair.cols !== train.cols) {
      throw new UserError(
        `${dataset} test images are ${pair.rows}×${pair.cols} but train images are ${train.rows}×${train.cols} (${resolve(dir, source.test.images)})`,
      );
    }
    const testLabels = distinctLabelValues(pair.labelValues);
    if (source.classes === undefined) {
      const unknown = testLabels.filter((v) => !classes.includes(v));
      if (unknown.length > 0) {
        throw new UserError(
          `${dataset} labels file ${testLabelsPath} has label ${formatValues(unknown)}, which the train labels file ${trainLabelsPath} never uses (it has ${formatValues(classes)})`,
        );
      }
    }
    present.push(...testLabels);
    test = rawFromIdx(pair);
  }
  const largest = Math.max(...present);
  const classNames = nameClasses(classes, source.classNames, largest, name);
  return test ? { name, train: trainRaw, test, classes, classNames } : { name, train: trainRaw, classes, classNames };
}

function rawFromIdx(pair: ReturnType<typeof readIdxPair>): RawExamples {
  const { count, rows, cols, pixels, labelValues } = pair;
  return { pixels, labelValues, count, height: rows, width: cols, channels: 1 };
}

async function openFolder(source: FolderSource, baseDir: string): Promise<OpenedSource> {
  const listings = listFolderSource(source, baseDir);
  const settings = { imageSize: source.imageSize, channels: source.channels };
  const train = await loadImageFolder(listings.train, settings);
  const test = listings.test ? await loadImageFolder(listings.test, settings) : undefined;
  const classNames = listings.train.classNames;
  const classes = classNames.map((_, k) => k);
  const folderOf = (value: number): string => resolve(listings.train.dir, classNames[value] ?? String(value));
  const name = `image folder ${listings.train.dir}`;
  const opened: OpenedSource = {
    name,
    train: train.examples,
    classes,
    classNames,
    skipped: [...train.skipped, ...(test?.skipped ?? [])],
    notes: [
      ...describeExcluded([...listings.train.excluded, ...(listings.test?.excluded ?? [])]),
      describeLoad(train),
      ...(test ? [describeLoad(test)] : []),
    ],
    describeClass: (value) => `class "${classNames[value]}" (folder ${folderOf(value)})`,
  };
  if (test) opened.test = test.examples;
  return opened;
}

function tableExamples(table: Table, classNames: string[]): RawExamples {
  const index = new Map(classNames.map((c, k) => [c, k]));
  return {
    pixels: table.values,
    labelValues: Int32Array.from(table.labels, (l) => index.get(l) ?? -1),
    count: table.count,
    height: 1,
    width: 1,
    channels: table.featureNames.length,
  };
}

function openCsv(source: CsvSource, baseDir: string): OpenedSource {
  const path = resolve(baseDir, source.path);
  const train = readTable(path, { label: source.label, features: source.features });
  const classNames = labelOrder(train.labels);
  if (classNames.length < 2) {
    throw new UserError(
      `table ${path}: the label column "${source.label}" has one value (${classNames[0]}); a classifier needs at least 2 classes`,
    );
  }
  const classes = classNames.map((_, k) => k);
  const opened: OpenedSource = {
    name: `table ${path}`,
    train: tableExamples(train, classNames),
    classes,
    classNames,
    standardise: true,
    describeClass: (value) => `class "${classNames[value]}" (label column "${source.label}")`,
  };
  if (source.test) {
    const testPath = resolve(baseDir, source.test);
    const test = readTable(testPath, { label: source.label, features: train.featureNames, what: 'test table' });
    const unknown = labelOrder(test.labels).filter((l) => !classNames.includes(l));
    if (unknown.length > 0) {
      throw new UserError(
        `test table ${testPath} has labels ${unknown.join(', ')} that ${path} never uses (it has ${classNames.join(', ')})`,
      );
    }
    opened.test = tableExamples(test, classNames);
  }
  return opened;
}

async function openSource(source: DatasetSource, baseDir: string): Promise<OpenedSource> {
  switch (source.kind) {
    case 'mnist':
      return openMnist(source);
    case 'idx':
      return openIdx(source, baseDir);
    case 'folder':
      return openFolder(source, baseDir);
    case 'csv':
      return openCsv(source, baseDir);
    case 'text':
      throw new Error('a text dataset is read with its vocabulary: use loadTask');
  }
}

/**
 * All examples of a source (for an `idx` source: the train files, then the test files when given), labels
 * remapped to 0..k-1 in the order of `classes` when given, else in ascending label order.
 */
export async function loadDataset(source: DatasetSource, opts: { baseDir: string }): Promise<LabelledImages> {
  const opened = await openSource(source, opts.baseDir);
  const parts = [opened.train, ...(opened.test ? [opened.test] : [])].map((raw) => ({
    raw,
    indices: indicesOfClasses(raw.labelValues, opened.classes),
  }));
  return toLabelledImages(parts, opened.classes, opened.classNames);
}

function classDescriber(opened: OpenedSource): (value: number) => string {
  if (opened.describeClass) return opened.describeClass;
  return (value) => {
    const name = opened.classNames[opened.classes.indexOf(value)] ?? String(value);
    return name === String(value) ? `class ${value}` : `class "${name}" (label ${value})`;
  };
}

function shapeOf(data: LabelledImages, opened: OpenedSource): string {
  if (opened.standardise) return `${data.channels} features`;
  return `${data.height}×${data.width}×${data.channels}`;
}

function classSummary(opened: OpenedSource): string {
  const names = opened.classNames;
  return names.length <= 10 ? `classes ${names.join(', ')}` : `${names.length} classes`;
}

/**
 * Fixed split independent of any trial seed: `testPerClass` examples per class form the test set, the rest
 * is the training pool. For an `idx` source with a `test` pair, the test set is drawn from the test files
 * (testPerClass per class, fixed) and the pool is all of `train` (of the chosen classes).
 */
export async function loadTask(
  source: DatasetSource,
  testPerClass: number,
  opts: { baseDir: string; vocabulary?: readonly string[] | undefined },
): Promise<TaskData> {
  if (source.kind === 'text') return loadTextTask(source, testPerClass, opts);
  const opened = await openSource(source, opts.baseDir);
  const describeClass = classDescriber(opened);
  const { classes, classNames } = opened;
  const skipped = opened.skipped ?? [];
  const extra = {
    standardise: opened.standardise ?? false,
    skipped,
    notices: [...(opened.notes ?? []), ...describeSkipped(skipped)],
    classLabel: (k: number) => describeClass(classes[k] as number),
  };
  if (opened.test) {
    const split = splitPerClass(opened.test.labelValues, classes, testPerClass, {
      minRest: 0,
      describeClass,
      purpose: `${opened.name}, test files`,
    });
    const pool = toLabelledImages(
      [{ raw: opened.train, indices: indicesOfClasses(opened.train.labelValues, classes) }],
      classes,
      classNames,
    );
    const test = toLabelledImages([{ raw: opened.test, indices: split.picked }], classes, [...classNames]);
    const description = `${opened.name}, ${classSummary(opened)}: training pool ${pool.count} (train files), test ${test.count} (${testPerClass} per class from the test files, fixed), ${shapeOf(pool, opened)}`;
    return { pool, test, description, ...extra };
  }
  const split = splitPerClass(opened.train.labelValues, classes, testPerClass, {
    minRest: 1,
    describeClass,
    purpose: opened.name,
  });
  const pool = toLabelledImages([{ raw: opened.train, indices: split.rest }], classes, classNames);
  const test = toLabelledImages([{ raw: opened.train, indices: split.picked }], classes, [...classNames]);
  const description = `${opened.name}, ${classSummary(opened)}: training pool ${pool.count}, test ${test.count} (${testPerClass} per class, fixed), ${shapeOf(pool, opened)}`;
  return { pool, test, description, ...extra };
}
