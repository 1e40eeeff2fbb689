import type { SuiteAnalysis } from '../analysis/analyze-suite.js';
import { capitalised, formatSize } from '../analysis/format.js';
import { crossoverLines, plainAnswer } from '../analysis/plain-answer.js';
import type { AnswerMark } from '../charts/answer-marks.js';
import { defaultMarkedSize } from '../charts/multiplier-arrows.js';
import type { EpochRow, SuiteRecord, TrialRecord } from '../domain.js';
import { convergenceChart, dataEfficiencyChart } from './charts.js';
import { EXTRAPOLATION_FACTOR, type LearningCurveFits } from '../analysis/learning-curves.js';
import { claimsSection } from './claims-section.js';
import { sourcesSection } from './sources-section.js';
import { fitSection } from './fit-section.js';
import { tuningSection } from './tuning-section.js';
import { designSection } from './design-section.js';
import { renderHtml, renderMarkdown, type Block, type ReportDocument } from './document.js';
import { question, setupItems } from './setup.js';
import { approachSettingsTable, comparisonTable, summaryTable } from './tables.js';

export type ReportFormat = 'html' | 'md';

/** Each variant's crossover, worded as the app's Answer table words it (analysis/plain-answer.ts). */
export function crossoverItems(analysis: SuiteAnalysis): string[] {
  return crossoverLines(analysis.comparisons, analysis.tolerance);
}

/** The answer first: one sentence, what to do and how sure, then the verdict's lines; before any setup table. */
function answerBlocks(analysis: SuiteAnalysis, suite: SuiteRecord): Block[] {
  const answer = plainAnswer(analysis, suite.spec);
  return [
    { kind: 'heading', level: 2, text: 'Answer' },
    ...(answer
      ? ([
          { kind: 'paragraph', text: answer.sentence },
          {
            kind: 'paragraph',
            text: `${answer.advice} ${capitalised(answer.confidence)} confidence: ${answer.confidenceReason}.`,
          },
        ] as Block[])
      : []),
    { kind: 'list', items: analysis.verdict },
  ];
}

/** The data-efficiency chart's caption, naming the size whose data multipliers the arrows show. */
export function dataEfficiencyCaption(
  markedSize: number | null,
  marks: readonly AnswerMark[],
  fits?: LearningCurveFits,
): string {
  const arrows = marks.filter((m) => m.kind === 'multiplier');
  const fitted = fits?.fits.some((f) => f.kind === 'fitted')
    ? `; thin lines are the fitted learning curves, solid over the sizes run and dashed up to ${EXTRAPOLATION_FACTOR}× the largest size (an extrapolation)`
    : '';
  const crossings = marks.some((m) => m.kind === 'crossover')
    ? '; dashed vertical lines mark crossover sizes'
    : '; no crossover line: no variant meets scratch above the smallest size run';
  const base = `Mean test accuracy over seeds by training-set size (log scale), with the 95% interval shaded${crossings}${fitted}`;
  if (markedSize === null || arrows.length === 0)
    return `${base}. No data-multiplier arrow: at no size is a fine-tuning variant ahead of scratch by a multiplier read off scratch's curve.`;
  return `${base}; arrows show the data multipliers at ${formatSize(markedSize)} examples, the smallest size at which a fine-tuning variant is ahead of scratch by a multiplier read off scratch's curve (bounds and sizes where scratch is ahead get no arrow). An arrow goes from a variant's accuracy at N examples to the size where scratch's curve reaches it; ×k data = that size ÷ N.`;
}

const METHOD = [
  'Only trials that finished (status done) enter the statistics; failed and diverged trials are listed in the caveats.',
  'Accuracy intervals per approach and size are 95% intervals for the expected test accuracy over seeds and over the test set’s own sampling noise: each trial’s accuracy at its Wilson centre with its binomial variance (the test set is the same for every seed, so that variance does not shrink with more seeds), added to the seeds’ variance of the mean, on the logit scale (never outside 0–100%, no clipping), Student-t with Welch–Satterthwaite degrees of freedom. Without a known test-set size, the seeds alone on the logit scale.',
  'Differences are fine-tuning variant minus scratch, in percentage points of test accuracy, paired by seed (a seed fixes the training subset, so both approaches of a seed saw the same examples): the mean paired difference with a 95% t-interval from the paired differences (n − 1 degrees of freedom) and a two-sided paired t-test. Significance is after Holm’s step-down correction over every variant × size test of the comparison table (family-wise error 5%); each claim corrects over its own tests and says how many.',
  'A claim’s range (“holds from N up to M”) is stated only where the lead exceeds the tolerance and is shown, at each size by its corrected paired t-test or over a run of adjacent sizes by a Wilcoxon signed-rank test pooled over their paired differences (exact sign-flip distribution with mid-ranks, zeros dropped), counted in the same Holm family. Otherwise the claim is “not shown” with this many seeds, with the seeds that would settle it: the smallest count giving a paired t-test 80% power at the family’s strictest Holm level if the observed mean and spread of the differences are the truth.',
  "The data multiplier at size N is the size at which scratch's mean accuracy reaches the variant's mean accuracy at N, divided by N (the effective data transferred of Hernandez et al., 2021). Scratch's curve is made monotone with a running maximum and interpolated linearly in log size; outside the sizes run only a bound is given.",
  'The crossover size is the smallest size from which scratch trails the variant by no more than the tolerance at that size and every larger size run.',
  'Time to target counts the model selection a trial paid for, as the claims do: with a held-out split, the whole trial’s wall time less the kept learning rate’s training after it first reached the target (the other learning-rate candidates count in full); with k-fold cross-validation, the whole trial (every fold of every learning rate, then the final run), since its model exists only then. “Final run” is the kept run alone, from its start to the first evaluation at the target (k-fold: one fold of the mean curve). FLOPs (per trial and to target) are estimates: the final run’s FLOPs per update times the updates counted the same way; for the linear probe and partial fine-tuning the frozen layers’ one forward pass over the data is spread over the updates too, so their figures with selection are high.',
];

/**
 * The report as a document: question, the answer (one sentence, advice, confidence, verdict), charts, setup, tables
 * and caveats, every number from the inputs.
 */
export function buildReport(
  analysis: SuiteAnalysis,
  suite: SuiteRecord,
  trials: readonly TrialRecord[],
  epochs: readonly EpochRow[],
): ReportDocument {
  const markedSize = defaultMarkedSize(analysis.comparisons);
  const efficiency = dataEfficiencyChart(analysis, suite, trials, markedSize);
  const blocks: Block[] = [
    { kind: 'heading', level: 2, text: 'The question' },
    { kind: 'paragraph', text: question(suite) },
    ...answerBlocks(analysis, suite),
    ...sourcesSection(analysis),
    ...claimsSection(analysis.claims),
    { kind: 'heading', level: 2, text: 'Data efficiency' },
    {
      kind: 'svg',
      markup: efficiency.svg,
      caption: dataEfficiencyCaption(markedSize, efficiency.marks, analysis.learningCurves),
    },
    { kind: 'list', items: crossoverItems(analysis) },
    ...fitSection(analysis.learningCurves),
  ];
  if (analysis.convergence) {
    blocks.push(
      { kind: 'heading', level: 2, text: 'Convergence' },
      {
        kind: 'svg',
        markup: convergenceChart(suite, trials, epochs, analysis.convergence.trainSize),
        caption: `Mean validation loss and accuracy over seeds by epoch at ${formatSize(analysis.convergence.trainSize)} examples, with 95% intervals shaded; later epochs average only the trials that had not stopped early.`,
      },
    );
  }
  blocks.push(
    { kind: 'heading', level: 2, text: 'Setup' },
    { kind: 'definitions', items: setupItems(suite, analysis, trials) },
    approachSettingsTable(suite.spec, analysis.approaches),
    ...tuningSection(analysis.tuning, analysis.protocols),
    ...designSection(suite, trials),
    { kind: 'heading', level: 2, text: 'Summary' },
    summaryTable(analysis),
    { kind: 'heading', level: 2, text: 'Comparison with scratch' },
    comparisonTable(analysis),
    { kind: 'heading', level: 2, text: 'Caveats' },
    analysis.caveats.length > 0
      ? { kind: 'list', items: analysis.caveats }
      : { kind: 'paragraph', text: 'None found.' },
    { kind: 'heading', level: 2, text: 'Method' },
    { kind: 'list', items: METHOD },
  );
  return { title: `Transfer Bench report: ${suite.name}`, blocks };
}

/** A self-contained report (HTML page or Markdown) of a suite's analysis. */
export function renderReport(
  analysis: SuiteAnalysis,
  suite: SuiteRecord,
  trials: readonly TrialRecord[],
  epochs: readonly EpochRow[],
  format: ReportFormat,
): string {
  const doc = buildReport(analysis, suite, trials, epochs);
  return format === 'html' ? renderHtml(doc) : renderMarkdown(doc);
}
