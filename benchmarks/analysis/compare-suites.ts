import { isDeepStrictEqual } from 'node:util';
import { MAX_COMPARED, MIN_COMPARED, type EpochRow, type SuiteRecord, type TrialRecord } from '../domain.js';
import { UserError } from '../errors.js';
import { describeArchitecture } from '../spec/describe-architecture.js';
import { testSetSize } from './accuracy-interval.js';
import { describeDataset } from '../spec/describe-dataset.js';
import { datasetPaths } from '../spec/suite-data-paths.js';
import type { DatasetSource, SuiteSpec } from '../spec/suite-schema.js';
import { analyzeSuite, type AnalysisOptions, type SuiteAnalysis } from './analyze-suite.js';
import { comparisonRows, summaryRows, type CsvRow } from './csv-rows.js';
import { suiteSources as sourcesOf } from '../spec/sources.js';

/**
 * Several finished suites side by side: the same target, different sources, backends or settings. Each suite keeps
 * its own analysis (the same numbers as its own report and CSV files); the combined tables put a suite's columns in
 * front of its rows.
 *
 * Suites that do not share a target are refused rather than warned about: their accuracies come from different test
 * sets, so curves overlaid on one axis would invite reading the gap between them as the effect of a source or a
 * backend when it is the difficulty of another task. Each suite's own answer (multiplier, crossover) already says
 * how much transfer helps on its task; comparing those across tasks is a reading of two reports, not one chart.
 */

/** What the comparison reads of one stored suite. */
export interface SuiteToCompare {
  suite: SuiteRecord;
  /** The folder the suite file was in: relative data paths resolve against it (two suites' `data/` may differ). */
  baseDir: string;
  trials: readonly TrialRecord[];
  epochs: readonly EpochRow[];
}

export interface ComparedSuite {
  id: number;
  name: string;
  /** "name #id": names the suite in the chart's legend, the tables and the CSV (two suites may share a name). */
  label: string;
  createdAt: string;
  finishedAt: string | null;
  /** The suite as it ran (its target is the one every compared suite shares). */
  spec: SuiteSpec;
  /** The pretraining task or the model brought, in words; empty for a suite without one (scratch only). */
  sources: string[];
  architecture: string;
  /** Where its trials ran: the backend and device recorded for the suite. */
  backend: string | null;
  device: string | null;
  sizes: number[];
  seeds: number[];
  trialsDone: number;
  trialsTotal: number;
  /** The suite's own analysis: verdict, comparisons against scratch (multipliers, crossover), summaries. */
  analysis: SuiteAnalysis;
  /** Its summary.csv rows. */
  summary: CsvRow[];
}

export interface SuiteComparison {
  /** In the order asked. */
  suites: ComparedSuite[];
  /** The target they share, in words. */
  target: string;
  tolerance: number;
  /** What differs between the suites (e.g. "source", "backend", "seeds"), so the reader knows what the gaps measure. */
  differences: string[];
  /** summary.csv of every suite, one after the other, each row led by the suite's columns. */
  combinedSummary: CsvRow[];
  /** comparison.csv (each variant against scratch: difference, data multiplier, crossover) of every suite, likewise. */
  combinedComparison: CsvRow[];
}

/** The pretraining sources or brought models of a suite, in words ("name: …" for each of several sources). */
export function suiteSources(spec: SuiteSpec): string[] {
  return sourcesOf(spec).map((s) => {
    const what = s.pretrain
      ? describeDataset(s.pretrain.dataset)
      : `model ${s.pretrainedModel!.path} cut at ${s.pretrainedModel!.cutLayer}`;
    return s.name === null ? what : `${s.name}: ${what}`;
  });
}

/** The target in words: its data and its test set. */
export function describeTarget(spec: SuiteSpec): string {
  const dataset = spec.target.dataset;
  const hasOwnTest = (dataset.kind === 'folder' || dataset.kind === 'csv' || dataset.kind === 'idx') && dataset.test;
  return `${describeDataset(dataset)}${hasOwnTest ? '' : `, ${spec.target.testPerClass} test examples per class`}`;
}

/** The target with every path it reads made absolute: what two suites must agree on to share a test set. */
function targetIdentity(spec: SuiteSpec, baseDir: string): { dataset: DatasetSource; paths: string[]; test: number } {
  return {
    dataset: spec.target.dataset,
    paths: datasetPaths(spec.target.dataset, baseDir),
    test: spec.target.testPerClass,
  };
}

/** Same target: the same data (paths resolved), classes and test set. Relative paths are compared resolved. */
function sameTarget(a: SuiteToCompare, b: SuiteToCompare): boolean {
  const x = targetIdentity(a.suite.spec, a.baseDir);
  const y = targetIdentity(b.suite.spec, b.baseDir);
  // Every path is in `paths`, resolved; the rest (kind, classes, image size, columns…) must be equal as written.
  const withoutPaths = (d: DatasetSource): Record<string, unknown> => {
    const {
      dir: _d,
      path: _p,
      test: _t,
      train: _r,
      ...rest
    } = d as Partial<Record<'dir' | 'path' | 'test' | 'train', unknown>> & DatasetSource;
    return rest;
  };
  return (
    x.test === y.test &&
    isDeepStrictEqual(x.paths, y.paths) &&
    isDeepStrictEqual(withoutPaths(x.dataset), withoutPaths(y.dataset))
  );
}

const labelOf = (suite: SuiteRecord): string => `${suite.name} #${suite.id}`;

/** Why a suite cannot be compared yet, or null when it is finished. */
function unfinished(suite: SuiteRecord): string | null {
  const progress = `${suite.trialsFinished} of ${suite.trialsTotal} trials finished`;
  switch (suite.status) {
    case 'done':
      return null;
    case 'running':
      return `suite ${suite.id} (${suite.name}) is still running (${progress}): compare it when it is done`;
    case 'pending':
      return `suite ${suite.id} (${suite.name}) has not run yet: run it first`;
    case 'cancelled':
    case 'failed':
      return `suite ${suite.id} (${suite.name}) is ${suite.status} (${progress}): finish it with \`transfer-bench resume ${suite.id}\` (or Resume in the app), then compare it`;
  }
}

/** Refuses ids given twice, too few or too many suites, unfinished suites and suites with different targets. */
export function checkComparable(inputs: readonly SuiteToCompare[]): void {
  const ids = inputs.map((i) => i.suite.id);
  const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (repeated.length > 0) {
    throw new UserError(`cannot compare: suite ${repeated[0]} is named twice; name each suite once`);
  }
  if (inputs.length < MIN_COMPARED || inputs.length > MAX_COMPARED) {
    throw new UserError(
      `cannot compare ${inputs.length} suite${inputs.length === 1 ? '' : 's'}: name ${MIN_COMPARED} to ${MAX_COMPARED} suites`,
    );
  }
  for (const input of inputs) {
    const problem = unfinished(input.suite);
    if (problem) throw new UserError(`cannot compare: ${problem}`);
  }
  const first = inputs[0]!;
  const other = inputs.find((i) => !sameTarget(first, i));
  if (other) {
    throw new UserError(
      `cannot compare: the suites do not share a target: ${labelOf(first.suite)} is tested on ${describeTarget(first.suite.spec)}, ` +
        `${labelOf(other.suite)} on ${describeTarget(other.suite.spec)}. Accuracies on different test sets are not on one scale; ` +
        'compare suites that run the same target with different sources, backends or settings',
    );
  }
}

/** What differs between the suites, in the words a reader would use. */
function differencesOf(inputs: readonly SuiteToCompare[]): string[] {
  const aspects: [string, (i: SuiteToCompare) => unknown][] = [
    ['source', (i) => suiteSources(i.suite.spec)],
    ['architecture', (i) => i.suite.spec.architecture],
    ['backend', (i) => [i.suite.env.backend, i.suite.env.device]],
    ['approaches', (i) => Object.keys(i.suite.spec.approaches).sort()],
    ['approach settings', (i) => i.suite.spec.approaches],
    ['sizes', (i) => i.suite.spec.sizes],
    ['seeds', (i) => i.suite.spec.seeds],
    [
      'validation protocol',
      (i) => [i.suite.spec.validationFraction, i.suite.spec.crossValidateBelow, i.suite.spec.folds],
    ],
  ];
  return aspects
    .filter(([, read]) => inputs.some((i) => !isDeepStrictEqual(read(i), read(inputs[0]!))))
    .map(([name]) => name);
}

/** The columns that lead each combined row: which suite it comes from. */
function suiteColumns(s: ComparedSuite): CsvRow {
  return {
    suite_id: s.id,
    suite_name: s.name,
    // the suite's sources; each row's own `source` column names the one its approach starts from
    suite_sources: s.sources.join('; ') || null,
    backend: s.backend,
    device: s.device,
  };
}

/** Checks that the suites can be compared (see checkComparable), analyses each and puts them side by side. */
export function compareSuites(inputs: readonly SuiteToCompare[], options: AnalysisOptions = {}): SuiteComparison {
  checkComparable(inputs);
  const suites = inputs.map(({ suite, trials, epochs }): ComparedSuite => {
    const analysis = analyzeSuite(suite, trials, epochs, options);
    return {
      id: suite.id,
      name: suite.name,
      label: labelOf(suite),
      createdAt: suite.createdAt,
      finishedAt: suite.finishedAt,
      spec: suite.spec,
      sources: suiteSources(suite.spec),
      architecture: describeArchitecture(suite.spec.architecture),
      backend: suite.env.backend,
      device: suite.env.device,
      sizes: [...suite.spec.sizes],
      seeds: [...suite.spec.seeds],
      trialsDone: analysis.statusCounts.done,
      trialsTotal: suite.trialsTotal,
      analysis,
      summary: summaryRows(trials, testSetSize(suite.spec)),
    };
  });
  return {
    suites,
    target: describeTarget(inputs[0]!.suite.spec),
    tolerance: suites[0]!.analysis.tolerance,
    differences: differencesOf(inputs),
    combinedSummary: suites.flatMap((s) => s.summary.map((row) => ({ ...suiteColumns(s), ...row }))),
    combinedComparison: suites.flatMap((s) =>
      comparisonRows(s.analysis).map((row) => ({ ...suiteColumns(s), ...row })),
    ),
  };
}
