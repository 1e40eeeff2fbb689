import { stringify } from 'csv-stringify/sync';
import { analyzeSuite } from '../analysis/analyze-suite.js';
import type { SuiteComparison } from '../analysis/compare-suites.js';
import { comparisonRows, summaryRows, type CsvRow } from '../analysis/csv-rows.js';
import { testSetSize } from '../analysis/accuracy-interval.js';
import type { LearningRateCandidate, TextFile, TrialProtocol } from '../domain.js';
import type { Store } from '../store/store.js';
import { columnsGuide, presentRows } from './csv-columns.js';

/**
 * RFC 4180: comma separated, CRLF line ends, a header row, quotes only where needed. Empty cell for no value.
 * Columns are renamed and rounded as the column guide says (`kind`: the file they are documented under).
 */
function toCsv(kind: string, rows: CsvRow[], columns: string[]): string {
  const shown = presentRows(kind, rows, columns);
  return stringify(shown.rows, {
    header: true,
    columns: shown.headers,
    record_delimiter: 'windows',
    cast: { number: (n) => String(n) },
  });
}

/** The CSV files, each with the kind its columns are documented under, and columns.md explaining them all. */
function withGuide(
  files: { name: string; kind: string; rows: CsvRow[]; columns: string[] }[],
  guideName = 'columns.md',
): TextFile[] {
  return [
    ...files.map((f) => ({ name: f.name, content: toCsv(f.kind, f.rows, f.columns) })),
    { name: guideName, content: columnsGuide(files) },
  ];
}

const TRIAL_COLUMNS = [
  'suite_id',
  'trial_id',
  'approach',
  'source',
  'train_size',
  'seed',
  'status',
  'test_accuracy',
  'test_loss',
  'epochs',
  'best_epoch',
  'wall_seconds',
  'cpu_seconds',
  'trainable_params',
  'backend',
  'total_params',
  'steps',
  'train_flops',
  'peak_bytes',
  'learning_rate',
  'lr_candidates',
  'protocol',
  'device',
  'started_at',
  'finished_at',
  'error',
  'worker_host',
  'worker_name',
  'attempts',
];

const EPOCH_COLUMNS = [
  'trial_id',
  'approach',
  'source',
  'train_size',
  'seed',
  'epoch',
  'train_loss',
  'train_accuracy',
  'val_loss',
  'val_accuracy',
  'elapsed_seconds',
  'step',
];

const SUMMARY_HEAD = [
  'approach',
  'source',
  'train_size',
  'n',
  'test_accuracy_mean',
  'test_accuracy_std',
  'test_accuracy_ci_low',
  'test_accuracy_ci_high',
  'wall_seconds_mean',
];
const COMPARISON_HEAD = [
  'approach',
  'source',
  'baseline',
  'train_size',
  'difference_mean',
  'difference_ci_low',
  'difference_ci_high',
];

/** The rows' own column order; with no rows, at least the documented leading columns. */
const columnsOf = (rows: CsvRow[], head: string[]): string[] => (rows[0] ? Object.keys(rows[0]) : head);

/** Every candidate as learning_rate:best_val_loss (":pruned" or ":diverged" when so), separated by spaces. */
function candidatesCell(candidates: readonly LearningRateCandidate[]): string | null {
  if (candidates.length === 0) return null;
  return candidates
    .map(
      (c) =>
        `${c.learningRate}:${c.bestValLoss === null ? 'none' : c.bestValLoss.toPrecision(4)}${c.diverged ? ':diverged' : c.pruned ? ':pruned' : ''}`,
    )
    .join(' ');
}

/** "holdout 8+2" (train + validation examples) or "kfold 5 folds, 180 steps". */
function protocolCell(protocol: TrialProtocol | null): string | null {
  if (!protocol) return null;
  return protocol.kind === 'holdout'
    ? `holdout ${protocol.trainExamples}+${protocol.valExamples}`
    : `kfold ${protocol.folds} folds, ${protocol.chosenSteps} steps`;
}

const nanToNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * The suite's results as CSV files: trials.csv, epochs.csv, summary.csv (done trials only) and comparison.csv
 * (each fine-tuning variant against scratch per size: difference, data multiplier, crossover). Every file has a
 * `source` column after `approach`: the source a transfer approach starts from in a suite with several sources,
 * empty otherwise.
 */
export async function exportCsvFiles(store: Store, suiteId: number): Promise<TextFile[]> {
  const suite = await store.requireSuite(suiteId);
  const trials = await store.listTrials(suiteId);
  const epochs = await store.listEpochs(suiteId);
  const trialRows: CsvRow[] = trials.map((t) => ({
    suite_id: t.suiteId,
    trial_id: t.id,
    approach: t.approach,
    source: t.source ?? null,
    train_size: t.trainSize,
    seed: t.seed,
    status: t.status,
    test_accuracy: t.testAccuracy,
    test_loss: t.testLoss,
    epochs: t.epochs,
    best_epoch: t.bestEpoch,
    wall_seconds: t.wallSeconds,
    cpu_seconds: t.cpuSeconds,
    trainable_params: t.trainableParams,
    backend: t.backend,
    total_params: t.totalParams,
    steps: t.steps,
    train_flops: t.trainFlops,
    peak_bytes: t.peakBytes,
    learning_rate: t.learningRate,
    lr_candidates: candidatesCell(t.lrCandidates),
    protocol: protocolCell(t.protocol),
    device: t.device,
    started_at: t.startedAt,
    finished_at: t.finishedAt,
    error: t.error,
    // who ran it in a distributed run; empty for a local run's trials (the suite's own process ran them)
    worker_host: t.worker?.host ?? null,
    worker_name: t.worker?.name ?? null,
    attempts: t.worker?.attempts ?? null,
  }));
  const epochRows: CsvRow[] = epochs.map((e) => ({
    trial_id: e.trialId,
    approach: e.approach,
    source: e.source ?? null,
    train_size: e.trainSize,
    seed: e.seed,
    epoch: e.epoch,
    train_loss: nanToNull(e.trainLoss),
    train_accuracy: nanToNull(e.trainAccuracy),
    val_loss: nanToNull(e.valLoss),
    val_accuracy: nanToNull(e.valAccuracy),
    elapsed_seconds: e.elapsedSeconds,
    step: e.step,
  }));
  const summary = summaryRows(trials, testSetSize(suite.spec));
  const comparison = comparisonRows(analyzeSuite(suite, trials, epochs));
  return withGuide([
    { name: 'trials.csv', kind: 'trials.csv', rows: trialRows, columns: TRIAL_COLUMNS },
    { name: 'epochs.csv', kind: 'epochs.csv', rows: epochRows, columns: EPOCH_COLUMNS },
    { name: 'summary.csv', kind: 'summary.csv', rows: summary, columns: columnsOf(summary, SUMMARY_HEAD) },
    {
      name: 'comparison.csv',
      kind: 'comparison.csv',
      rows: comparison,
      columns: columnsOf(comparison, COMPARISON_HEAD),
    },
  ]);
}

/**
 * The combined tables of a comparison: compare-<ids>-summary.csv (every suite's summary.csv rows, each led by
 * suite_id, suite_name, source, backend, device) and compare-<ids>-comparison.csv (every suite's comparison.csv rows,
 * led likewise). The numbers are the suites' own, written the same way.
 */
export function comparisonCsvFiles(comparison: SuiteComparison): TextFile[] {
  const stem = `compare-${comparison.suites.map((s) => s.id).join('-')}`;
  const lead = ['suite_id', 'suite_name', 'source', 'backend', 'device'];
  const { combinedSummary: summary, combinedComparison: answers } = comparison;
  return withGuide(
    [
      {
        name: `${stem}-summary.csv`,
        kind: 'summary.csv',
        rows: summary,
        columns: columnsOf(summary, [...lead, ...SUMMARY_HEAD]),
      },
      {
        name: `${stem}-comparison.csv`,
        kind: 'comparison.csv',
        rows: answers,
        columns: columnsOf(answers, [...lead, ...COMPARISON_HEAD]),
      },
    ],
    `${stem}-columns.md`,
  );
}
