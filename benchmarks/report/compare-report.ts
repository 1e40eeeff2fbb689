import type { SuiteComparison } from '../analysis/compare-suites.js';
import { formatSize } from '../analysis/format.js';
import { chanceAccuracy } from '../charts/chance.js';
import { compareEfficiencyOption, suiteStyle } from '../charts/compare-option.js';
import { comparedSeries, comparedSourceNames } from '../charts/data/compared-series.js';
import { chartPalette } from '../charts/palette.js';
import type { TextFile } from '../domain.js';
import { renderSvg } from './charts.js';
import { renderHtml, renderMarkdown, type Block, type ReportDocument } from './document.js';
import { crossoverItems, type ReportFormat } from './render-report.js';
import { comparisonTable } from './tables.js';

/** The compare chart at the report's width, taller for its legend under the plot. */
const COMPARE_CHART_SIZE = { width: 760, height: 520 };

/**
 * The report of a comparison: what the suites share and what differs, the overlaid data-efficiency chart (the app's,
 * drawn by ECharts' server-side SVG renderer), and each suite's own answer (its comparison table, crossovers and
 * verdict). Every number is the suites' own analysis.
 */
export function buildCompareReport(comparison: SuiteComparison): ReportDocument {
  const { suites } = comparison;
  const labels = suites.map((s) => s.label).join(', ');
  const differ =
    comparison.differences.length > 0
      ? `The suites differ in: ${comparison.differences.join(', ')}.`
      : 'The suites ran the same settings on the same backend: their differences are run-to-run variation.';
  const blocks: Block[] = [
    { kind: 'paragraph', text: `${suites.length} suites on one target: ${comparison.target}. ${differ}` },
    {
      kind: 'table',
      headers: ['Suite', 'Source', 'Model', 'Backend', 'Device', 'Sizes', 'Seeds', 'Trials done', 'Line'],
      rows: suites.map((s, i) => [
        s.label,
        s.sources.join('; ') || 'none (scratch only)',
        s.architecture,
        s.backend ?? '—',
        s.device ?? '—',
        s.sizes.map(formatSize).join(', '),
        String(s.seeds.length),
        `${s.trialsDone}/${s.trialsTotal}`,
        suiteStyle(i).description,
      ]),
    },
  ];
  const { option } = compareEfficiencyOption({
    series: comparedSeries(suites, 'testAccuracy', 'ci95'),
    metric: 'testAccuracy',
    band: 'ci95',
    chance: suites[0] ? chanceAccuracy(suites[0].spec) : null,
    palette: chartPalette('light', comparedSourceNames(suites)),
    target: { kind: 'export', title: 'Data efficiency, compared', subtitle: labels },
    width: COMPARE_CHART_SIZE.width,
  });
  blocks.push({
    kind: 'svg',
    markup: renderSvg(option, COMPARE_CHART_SIZE),
    caption:
      "Mean test accuracy over each suite's seeds by training-set size (log scale), 95% interval shaded. Colour is the approach; line style and marker are the suite (see the table above).",
  });
  for (const s of suites) {
    blocks.push({ kind: 'heading', level: 2, text: s.label });
    if (s.analysis.comparisons.length > 0) {
      blocks.push(comparisonTable(s.analysis));
      blocks.push({ kind: 'list', items: crossoverItems(s.analysis) });
    }
    blocks.push({
      kind: 'list',
      items: s.analysis.verdict.length > 0 ? s.analysis.verdict : ['No verdict: too few finished trials.'],
    });
    if (s.analysis.caveats.length > 0) {
      blocks.push({ kind: 'heading', level: 3, text: 'Caveats' });
      blocks.push({ kind: 'list', items: s.analysis.caveats });
    }
  }
  return { title: `Comparing ${labels}`, blocks };
}

/** The comparison report as a file named after the suites. */
export function compareReport(comparison: SuiteComparison, format: ReportFormat): TextFile {
  const doc = buildCompareReport(comparison);
  return {
    name: `transfer-bench-compare-${comparison.suites.map((s) => s.id).join('-')}.${format}`,
    content: format === 'html' ? renderHtml(doc) : renderMarkdown(doc),
  };
}
