/**
 * How each exported column is written and what it means: the name a spreadsheet user sees (accuracies in percent,
 * `_pct`; differences in percentage points, `_pts`), the rounding, and one sentence for columns.md. The rows come
 * from the analysis with their internal names and units (accuracy as a fraction); every export goes through here.
 */
import type { CsvRow, CsvValue } from '../analysis/csv-rows.js';

/** How a number is written: ×100 for a percentage, then to `decimals` places or `significant` digits. */
interface Format {
  scale?: number;
  decimals?: number;
  significant?: number;
}

interface Column extends Format {
  /** The header in the file (default: the internal name). */
  header?: string;
  text: string;
}

const pct: Format = { scale: 100, decimals: 2 };
const seconds: Format = { decimals: 2 };
const loss: Format = { significant: 4 };
const whole: Format = { decimals: 0 };

/** Columns shared by several files. */
const COMMON: Record<string, Column> = {
  suite_id: { text: 'The suite (`transfer-bench list` shows its name and state).' },
  suite_name: { text: 'The suite’s name.' },
  suite_sources: { text: 'The sources the suite’s transfer approaches start from; empty for a scratch-only suite.' },
  trial_id: { text: 'The trial: one approach trained on one training-set size with one seed.' },
  approach: {
    text: 'scratch (random weights, every layer trained), finetune (every layer trained from the pretrained weights), linear-probe (only a new last layer trained on the frozen pretrained features) or partial (the top blocks trained, the rest frozen).',
  },
  source: {
    text: 'The source a transfer approach starts from, in a suite with several sources; empty for scratch and in a suite with one source.',
  },
  train_size: {
    text: 'Examples in the training subset (training plus validation), drawn the same way for every approach at a given seed.',
  },
  seed: { text: 'Seed of the subset draw, the weights and the batch order.' },
  backend: { text: 'TensorFlow.js backend that trained it (wasm, cpu, webgl, webgpu, tensorflow).' },
  device: { text: 'The processor or graphics card it ran on, as the backend reports it.' },
};

const TRIALS: Record<string, Column> = {
  status: {
    text: 'done, failed (an error, in `error`), diverged (the loss became NaN or infinite), cancelled, pending or running. Only done trials enter summary.csv and comparison.csv.',
  },
  test_accuracy: {
    header: 'test_accuracy_pct',
    ...pct,
    text: 'Percent of the fixed test set classified correctly, by the weights chosen on validation.',
  },
  test_loss: { ...loss, text: 'Cross-entropy on the test set (lower is better), 4 significant digits.' },
  epochs: { text: 'Passes over the training examples the final training made.' },
  best_epoch: { text: 'The epoch whose weights were kept (lowest validation loss).' },
  wall_seconds: { ...seconds, text: 'Wall-clock seconds of the trial: selection, training, folds and test.' },
  cpu_seconds: {
    ...seconds,
    text: 'CPU seconds the trial took over the same span (every thread of its worker process, user + system): its compute, which wall time does not say on a shared machine. Empty for trials stored before it was recorded and in a browser page.',
  },
  trainable_params: { text: 'Weights the approach trains.' },
  total_params: { text: 'Weights in the model, trained or frozen.' },
  steps: { text: 'Optimiser updates of the final training.' },
  train_flops: {
    ...whole,
    text: 'Estimated floating-point operations of the training (forward and backward passes of the trained layers).',
  },
  peak_bytes: { ...whole, text: 'Most tensor memory held at once during the trial, in bytes.' },
  learning_rate: { text: 'The learning rate the final training used (the best candidate when several were tried).' },
  lr_candidates: {
    text: 'Every learning rate tried, as rate:best validation loss, separated by spaces; ":pruned" when it was stopped early for trailing the best, ":diverged" when its loss blew up ("none": no finite loss). Example: "0.001:1.069 0.003:0.9812:pruned".',
  },
  protocol: {
    text: '"holdout T+V": trained on T examples, selected on V held-out ones; "kfold K folds, S steps": at tiny sizes, K-fold cross-validation picked S steps, then the whole subset trained for S steps.',
  },
  started_at: { text: 'When it started (UTC, ISO 8601).' },
  finished_at: { text: 'When it ended (UTC, ISO 8601).' },
  error: { text: 'Why a failed or diverged trial stopped.' },
  worker_host: {
    text: 'In a distributed run, the machine whose `transfer-bench worker` ran it; empty for a local run.',
  },
  worker_name: { text: 'In a distributed run, that worker’s name.' },
  attempts: { text: 'In a distributed run, how many times it was handed out (more than 1: a worker died).' },
};

const EPOCHS: Record<string, Column> = {
  epoch: { text: 'Epoch (pass over the training examples) at which this evaluation was made.' },
  step: { text: 'Optimiser updates so far.' },
  train_loss: { ...loss, text: 'Mean training loss since the previous evaluation.' },
  train_accuracy: { header: 'train_accuracy_pct', ...pct, text: 'Percent of training examples right, likewise.' },
  val_loss: { ...loss, text: 'Loss on the validation examples.' },
  val_accuracy: { header: 'val_accuracy_pct', ...pct, text: 'Percent of the validation examples right.' },
  elapsed_seconds: { ...seconds, text: 'Seconds since the trial’s training started.' },
};

const stat = (what: string, format: Format, unit: string, header?: (s: string) => string) =>
  Object.fromEntries(
    (
      [
        ['mean', `Mean ${what} over the done trials (seeds)`],
        ['std', `Sample standard deviation of ${what} over the seeds (0 with one seed)`],
        ['ci_low', `Lower end of the 95% Student-t interval of the mean ${what}, clipped to possible values`],
        ['ci_high', `Upper end of that interval`],
      ] as const
    ).map(([s, text]) => [
      `${what.replace(/ /g, '_')}_${s}`,
      { ...format, ...(header ? { header: header(s) } : {}), text: `${text}${unit}.` },
    ]),
  ) as Record<string, Column>;

const SUMMARY: Record<string, Column> = {
  n: { text: 'Done trials (seeds) the statistics of this row are over.' },
  ...stat('test accuracy', pct, ', in percent', (s) => `test_accuracy_${s}_pct`),
  test_accuracy_ci_low: {
    header: 'test_accuracy_ci_low_pct',
    ...pct,
    text: 'Lower end of the 95% interval of the expected test accuracy over seeds and the test set’s own sampling noise (logit scale, never outside 0–100%), in percent.',
  },
  test_accuracy_ci_high: {
    header: 'test_accuracy_ci_high_pct',
    ...pct,
    text: 'Upper end of that interval, in percent.',
  },
  ...stat('test loss', loss, ''),
  ...stat('wall seconds', seconds, ', in seconds'),
  ...stat('train flops', whole, ''),
  test_accuracy_min: { header: 'test_accuracy_min_pct', ...pct, text: 'Lowest test accuracy of a seed, in percent.' },
  test_accuracy_max: { header: 'test_accuracy_max_pct', ...pct, text: 'Highest test accuracy of a seed, in percent.' },
  excluded: {
    text: 'Failed or diverged trials of this approach and size, left out of every statistic of the row (their errors are in trials.csv).',
  },
};

const COMPARISON: Record<string, Column> = {
  baseline: { text: 'What the approach is compared with: scratch.' },
  difference_mean: {
    header: 'difference_mean_pts',
    ...pct,
    text: 'Approach minus baseline mean test accuracy, in percentage points (positive: the approach is ahead).',
  },
  difference_ci_low: {
    header: 'difference_ci_low_pts',
    ...pct,
    text: 'Lower end of the 95% t-interval of the difference paired by seed (same seed, same training subset), in points.',
  },
  difference_ci_high: { header: 'difference_ci_high_pts', ...pct, text: 'Upper end of that interval, in points.' },
  significant: {
    text: '"true" when the paired t-test is significant at 5% after Holm’s correction over every approach × size of the file (p_holm < 0.05), "false" otherwise; empty with one seed on both sides.',
  },
  data_multiplier: {
    decimals: 2,
    text: 'How many times more examples scratch needs to match the approach at this size (from scratch’s learning curve); a bound when multiplier_note says so.',
  },
  multiplier_note: {
    text: 'Empty for an interpolated multiplier; "at most": scratch already matches at the smallest size run; "more than": scratch does not reach it within the largest size run; "scratch already at least as good": no extra data needed.',
  },
  crossover_size: {
    text: 'Smallest size from which the approach and scratch stay within the tolerance (1 point unless set) at every larger size; empty when not reached.',
  },
  crossover_note: { text: 'Why crossover_size is empty: not reached within the sizes run, or no size with both.' },
  scratch_matching_size: {
    decimals: 1,
    text: 'The training-set size at which scratch’s curve reaches the approach’s accuracy at this size (interpolated between sizes run).',
  },
  paired_seeds: {
    text: 'Seeds both the approach and scratch finished at this size: the pairs the difference is over.',
  },
  p_value: {
    significant: 4,
    text: 'Two-sided p-value of the paired t-test of the difference (n − 1 degrees of freedom).',
  },
  p_holm: { significant: 4, text: 'That p-value after Holm’s step-down correction over holm_family tests.' },
  holm_family: { text: 'Tests in the Holm family: every approach × size of this file with a p-value.' },
};

/** Every exported file's columns, in the order the guide lists them. */
export const FILE_COLUMNS: Record<string, Record<string, Column>> = {
  'trials.csv': TRIALS,
  'epochs.csv': EPOCHS,
  'summary.csv': SUMMARY,
  'comparison.csv': COMPARISON,
};

function columnOf(file: string, name: string): Column | undefined {
  return FILE_COLUMNS[file]?.[name] ?? COMMON[name];
}

/** The header of an internal column in `file`. */
export function headerOf(file: string, name: string): string {
  return columnOf(file, name)?.header ?? name;
}

/** A number written to the precision it was measured with; other values as they are; -0 as 0. */
function formatValue(format: Format | undefined, value: CsvValue): CsvValue {
  if (typeof value !== 'number' || !format) return value;
  const scaled = value * (format.scale ?? 1);
  const rounded =
    format.significant !== undefined
      ? Number(scaled.toPrecision(format.significant))
      : format.decimals !== undefined
        ? Number(scaled.toFixed(format.decimals))
        : scaled;
  return Object.is(rounded, -0) ? 0 : rounded;
}

/** Rows renamed and rounded for `file` (its kind: trials.csv … comparison.csv), with their headers in order. */
export function presentRows(file: string, rows: readonly CsvRow[], columns: readonly string[]) {
  return {
    headers: columns.map((c) => headerOf(file, c)),
    rows: rows.map((row) =>
      Object.fromEntries(columns.map((c) => [headerOf(file, c), formatValue(columnOf(file, c), row[c] ?? null)])),
    ),
  };
}

/** Columns of `file` without a sentence in the guide (a test keeps this empty). */
export function undocumented(file: string, columns: readonly string[]): string[] {
  return columns.filter((c) => !columnOf(file, c));
}

/** columns.md: what every column of the files written means, in their order. */
export function columnsGuide(files: readonly { name: string; kind: string; columns: readonly string[] }[]): string {
  const lines = [
    '# Columns of the exported files',
    '',
    'Written by `transfer-bench export` (and Export in the app) with the CSV files beside it. Accuracies are in',
    'percent (columns ending `_pct`, 2 decimals), differences in percentage points (`_pts`), losses to 4 significant',
    'digits, seconds to 0.01 s. An empty cell means no value (e.g. a failed trial has no accuracy).',
  ];
  for (const file of files) {
    lines.push('', `## ${file.name}`, '', '| column | meaning |', '| --- | --- |');
    for (const c of file.columns) {
      const text = (columnOf(file.kind, c)?.text ?? 'not described').replace(/\|/g, '\\|');
      lines.push(`| \`${headerOf(file.kind, c)}\` | ${text} |`);
    }
  }
  return lines.join('\n') + '\n';
}
