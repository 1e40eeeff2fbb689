import type { SuiteAnalysis } from '../analysis/analyze-suite.js';
import { formatSize } from '../analysis/format.js';
import { answerMarks, describeMarks, marksToDraw, type AnswerMark } from '../charts/answer-marks.js';
import { chanceAccuracy, chartTestExamples } from '../charts/chance.js';
import type { ChartOption } from '../charts/chart-option.js';
import { convergenceOption } from '../charts/convergence-option.js';
import { convergenceSeries } from '../charts/data/convergence.js';
import { dataEfficiencySeries } from '../charts/data/data-efficiency.js';
import { echarts } from '../charts/echarts-setup.js';
import { efficiencyOption } from '../charts/efficiency-option.js';
import { chartPalette } from '../charts/palette.js';
import { sourceNames } from '../spec/sources.js';
import type { EpochRow, SuiteRecord, TrialRecord } from '../domain.js';

/**
 * The report's charts are the app's: the same option builders (benchmarks/charts/), drawn by ECharts' server-side
 * SVG renderer in the light palette with every point (the export target: titled, opaque, no tooltip).
 */

export interface ChartSize {
  width: number;
  height: number;
}

export const REPORT_CHART_SIZE: ChartSize = { width: 760, height: 440 };

/** An ECharts option as an SVG document (server-side rendering: no DOM). */
export function renderSvg(option: ChartOption, size: ChartSize = REPORT_CHART_SIZE): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  try {
    chart.setOption(option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

export interface EfficiencyChartParts {
  option: ChartOption;
  /** The crossover lines and data-multiplier arrows drawn, as the app marks them at `markedSize`. */
  marks: AnswerMark[];
}

/**
 * Data efficiency as the app draws it with the answer shown: mean test accuracy by training-set size (log scale),
 * 95% interval bands, crossover lines, the data-multiplier arrows at `markedSize`, fitted learning curves, chance.
 */
export function dataEfficiencyOption(
  analysis: SuiteAnalysis,
  suite: SuiteRecord,
  trials: readonly TrialRecord[],
  markedSize: number | null,
): EfficiencyChartParts {
  const series = dataEfficiencySeries(trials, 'testAccuracy', 'ci95', chartTestExamples(suite.spec));
  const marks = marksToDraw(answerMarks(analysis.comparisons, markedSize), 'testAccuracy', series);
  const fits = analysis.learningCurves.fits.flatMap((f) => (f.kind === 'fitted' ? [f] : []));
  const { option } = efficiencyOption({
    series,
    metric: 'testAccuracy',
    band: 'ci95',
    showSeeds: false,
    chance: chanceAccuracy(suite.spec),
    palette: chartPalette('light', sourceNames(suite.spec)),
    target: { kind: 'export', title: 'Data efficiency', subtitle: `${suite.name}: test accuracy by training-set size` },
    answer: marks,
    fits,
  });
  return { option, marks };
}

export function dataEfficiencyChart(
  analysis: SuiteAnalysis,
  suite: SuiteRecord,
  trials: readonly TrialRecord[],
  markedSize: number | null,
): { svg: string; marks: AnswerMark[]; described: string[] } {
  const { option, marks } = dataEfficiencyOption(analysis, suite, trials, markedSize);
  return { svg: renderSvg(option), marks, described: describeMarks(marks) };
}

/** Convergence as the app draws it by epoch: validation loss and accuracy at one size, mean over seeds with 95% bands. */
export function convergenceChartOption(
  suite: SuiteRecord,
  trials: readonly TrialRecord[],
  epochs: readonly EpochRow[],
  trainSize: number,
): ChartOption {
  const series = convergenceSeries(trials, epochs, {
    trainSize,
    axis: 'epoch',
    band: 'ci95',
    smoothing: 0,
    metrics: ['loss', 'accuracy'],
    splits: ['val'],
  });
  return convergenceOption({
    series,
    axis: 'epoch',
    band: 'ci95',
    logLoss: false,
    trainSize,
    layout: 'row',
    palette: chartPalette('light', sourceNames(suite.spec)),
    target: {
      kind: 'export',
      title: 'Convergence',
      subtitle: `${suite.name}: validation curves at ${formatSize(trainSize)} examples`,
    },
  }).option;
}

export function convergenceChart(
  suite: SuiteRecord,
  trials: readonly TrialRecord[],
  epochs: readonly EpochRow[],
  trainSize: number,
): string {
  return renderSvg(convergenceChartOption(suite, trials, epochs, trainSize));
}
