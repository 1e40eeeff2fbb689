/**
 * Turns a suite's dataset source into labelled images: every example (loadDataset), or a task with a fixed
 * held-out test set and a training pool (loadTask).
 */
import { resolve } from 'node:path';
import { UserError } from '../errors.js';
import type { DatasetSource } from '../spec/suite-schema.js';
import { chooseClasses, distinctLabelValues, formatValues, nameClasses } from './class-choice.js';
import { splitPerClass } from './fixed-split.js';
import { readIdxPair } from './idx-reader.js';
import type { LabelledImages } from './labelled-images.js';
import { MNIST_DIGITS, loadMnistPackage } from './mnist-package.js';
import { indicesOfClasses, toLabelledImages } from './raw-examples.js';
import type { RawExamples } from './raw-examples.js';

export interface TaskData {
  pool: LabelledImages;
  test: LabelledImages;
  description: string;
}

type IdxSource = Extract<DatasetSource, { kind: 'idx' }>;
type MnistSource = Extract<DatasetSource, { kind: 'mnist' }>;

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

function openSource(source: DatasetSource, baseDir: string): OpenedSource {
  return source.kind === 'mnist' ? openMnist(source) : openIdx(source, baseDir);
}

/**
 * All examples of a source (for an `idx` source: the train files, then the test files when given), labels
 * remapped to 0..k-1 in the order of `classes` when given, else in ascending label order.
 */
export function loadDataset(source: DatasetSource, opts: { baseDir: string }): LabelledImages {
  const opened = openSource(source, opts.baseDir);
  const parts = [opened.train, ...(opened.test ? [opened.test] : [])].map((raw) => ({
    raw,
    indices: indicesOfClasses(raw.labelValues, opened.classes),
  }));
  return toLabelledImages(parts, opened.classes, opened.classNames);
}

function classDescriber(opened: OpenedSource): (value: number) => string {
  return (value) => {
    const name = opened.classNames[opened.classes.indexOf(value)] ?? String(value);
    return name === String(value) ? `class ${value}` : `class "${name}" (label ${value})`;
  };
}

function shapeOf(data: LabelledImages): string {
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
export function loadTask(source: DatasetSource, testPerClass: number, opts: { baseDir: string }): TaskData {
  const opened = openSource(source, opts.baseDir);
  const describeClass = classDescriber(opened);
  const { classes, classNames } = opened;
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
    const description = `${opened.name}, ${classSummary(opened)}: training pool ${pool.count} (train files), test ${test.count} (${testPerClass} per class from the test files, fixed), ${shapeOf(pool)}`;
    return { pool, test, description };
  }
  const split = splitPerClass(opened.train.labelValues, classes, testPerClass, {
    minRest: 1,
    describeClass,
    purpose: opened.name,
  });
  const pool = toLabelledImages([{ raw: opened.train, indices: split.rest }], classes, classNames);
  const test = toLabelledImages([{ raw: opened.train, indices: split.picked }], classes, [...classNames]);
  const description = `${opened.name}, ${classSummary(opened)}: training pool ${pool.count}, test ${test.count} (${testPerClass} per class, fixed), ${shapeOf(pool)}`;
  return { pool, test, description };
}
