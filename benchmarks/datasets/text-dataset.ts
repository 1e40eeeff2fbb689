/**
 * A `text` dataset as a task: the fixed test split (as for tables), a vocabulary trained on the training pool only
 * (or read from a file, or given: a source task is encoded with its target's vocabulary, so that both mean the same
 * words by the same ids), and every text as `sequenceLength` token ids. The ids travel through the data pipeline
 * as a 1 × length × 1 "image" of floats, so trials, frozen features, task files and browser workers take text as
 * they take everything else; the text architectures reshape it back (models/text-models.ts).
 */
import { resolve } from 'node:path';
import { UserError } from '../errors.js';
import type { TextSource } from '../spec/suite-schema.js';
import { splitPerClass } from './fixed-split.js';
import type { LabelledImages } from './labelled-images.js';
import { labelOrder } from './load-table.js';
import type { TaskData } from './load-dataset.js';
import { readTextTable, type TextTable } from './text-table.js';
import { encodeTexts, readVocabulary, trainVocabulary, vocabularyHash } from './text-tokenizer.js';

function pick<T>(values: readonly T[], indices: Int32Array): T[] {
  return Array.from(indices, (i) => values[i]!);
}

function encoded(
  texts: string[],
  labels: string[],
  classNames: string[],
  vocabulary: readonly string[],
  length: number,
): { data: LabelledImages; truncated: number; unknown: number; total: number } {
  const index = new Map(classNames.map((c, k) => [c, k]));
  const { ids, truncated, unknown, total } = encodeTexts(texts, vocabulary, length);
  const data: LabelledImages = {
    images: ids,
    labels: Int32Array.from(labels, (l) => index.get(l)!),
    count: texts.length,
    height: 1,
    width: length,
    channels: 1,
    classNames: [...classNames],
  };
  return { data, truncated, unknown, total };
}

const percent = (part: number, whole: number): string => `${((100 * part) / Math.max(1, whole)).toFixed(1)}%`;

/** The task of a text source; `vocabulary` replaces the source's own (a source task takes its target's). */
export function loadTextTask(
  source: TextSource,
  testPerClass: number,
  opts: { baseDir: string; vocabulary?: readonly string[] | undefined },
): TaskData & { vocabulary: string[] } {
  const path = resolve(opts.baseDir, source.path);
  const train = readTextTable(path, { text: source.text, label: source.label });
  const classNames = labelOrder(train.labels);
  if (classNames.length < 2) {
    throw new UserError(
      `text table ${path}: the label column "${source.label}" has one value (${classNames[0]}); a classifier needs at least 2 classes`,
    );
  }
  const classes = classNames.map((_, k) => k);
  const describeClass = (k: number) => `class "${classNames[k]}" (label column "${source.label}")`;
  const labelIds = Int32Array.from(train.labels, (l) => classNames.indexOf(l));
  let poolPart: { texts: string[]; labels: string[] };
  let testPart: { texts: string[]; labels: string[] };
  let testNote: string;
  if (source.test) {
    const testPath = resolve(opts.baseDir, source.test);
    const test: TextTable = readTextTable(testPath, {
      text: source.text,
      label: source.label,
      what: 'test text table',
      allowSingletons: true,
    });
    const unknown = labelOrder(test.labels).filter((l) => !classNames.includes(l));
    if (unknown.length > 0) {
      throw new UserError(
        `test text table ${testPath} has labels ${unknown.join(', ')} that ${path} never uses (it has ${classNames.join(', ')})`,
      );
    }
    const split = splitPerClass(
      Int32Array.from(test.labels, (l) => classNames.indexOf(l)),
      classes,
      testPerClass,
      { minRest: 0, describeClass, purpose: `test text table ${testPath}` },
    );
    poolPart = { texts: train.texts, labels: train.labels };
    testPart = { texts: pick(test.texts, split.picked), labels: pick(test.labels, split.picked) };
    testNote = `${testPerClass} per class from ${testPath}, fixed`;
  } else {
    const split = splitPerClass(labelIds, classes, testPerClass, {
      minRest: 1,
      describeClass,
      purpose: `text table ${path}`,
    });
    poolPart = { texts: pick(train.texts, split.rest), labels: pick(train.labels, split.rest) };
    testPart = { texts: pick(train.texts, split.picked), labels: pick(train.labels, split.picked) };
    testNote = `${testPerClass} per class, fixed`;
  }
  let vocabulary: string[];
  let origin: string;
  if (opts.vocabulary) {
    vocabulary = [...opts.vocabulary];
    origin = "the target's";
  } else if (source.vocabulary) {
    const file = resolve(opts.baseDir, source.vocabulary);
    vocabulary = readVocabulary(file);
    origin = `from ${file}`;
  } else {
    vocabulary = trainVocabulary(poolPart.texts, source.vocabularySize);
    origin = 'trained on the training pool';
  }
  if (vocabulary.length > source.vocabularySize && !opts.vocabulary) {
    throw new UserError(
      `the vocabulary ${origin} has ${vocabulary.length} tokens, more than "vocabularySize" ${source.vocabularySize} of ${path}: raise vocabularySize (and the architecture's) to ${vocabulary.length}`,
    );
  }
  const length = source.sequenceLength;
  const pool = encoded(poolPart.texts, poolPart.labels, classNames, vocabulary, length);
  const test = encoded(testPart.texts, testPart.labels, classNames, vocabulary, length);
  const classSummary = classNames.length <= 10 ? `classes ${classNames.join(', ')}` : `${classNames.length} classes`;
  const tokens =
    `${length} tokens per text (${percent(pool.truncated, pool.data.count)} of the pool cut), word vocabulary of ` +
    `${vocabulary.length} ${origin} (sha256 ${vocabularyHash(vocabulary).slice(0, 12)}), ` +
    `${percent(test.unknown, test.total)} of the test words unknown`;
  const description = `text table ${path}, ${classSummary}: training pool ${pool.data.count}, test ${test.data.count} (${testNote}), ${tokens}`;
  return {
    pool: pool.data,
    test: test.data,
    description,
    standardise: false,
    skipped: [],
    notices: [`text table ${path}: ${tokens}`],
    classLabel: describeClass,
    vocabulary,
  };
}
