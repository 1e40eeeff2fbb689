import type { Approach, TrialRecord } from '../domain.js';
import type { SuiteAnalysis } from './analyze-suite.js';
import type { DataMultiplier } from './data-multiplier.js';
import {
  armSizeKey,
  compareApproachSize,
  sourceField,
  summarize,
  type GroupSummary,
  type TrialMetric,
} from './summary-stats.js';

export type CsvValue = string | number | null;
export type CsvRow = Record<string, CsvValue>;

const SNAKE: Record<TrialMetric, string> = {
  testAccuracy: 'test_accuracy',
  testLoss: 'test_loss',
  wallSeconds: 'wall_seconds',
  trainFlops: 'train_flops',
};

function intervalColumns(metric: TrialMetric, summary: GroupSummary | undefined): CsvRow {
  const p = SNAKE[metric];
  return {
    [`${p}_mean`]: summary?.mean ?? null,
    [`${p}_std`]: summary?.std ?? null,
    [`${p}_ci_low`]: summary?.ciLow ?? null,
    [`${p}_ci_high`]: summary?.ciHigh ?? null,
  };
}

/**
 * Rows for `summary.csv`, one per approach and size that has any trial, in approach then size order.
 * Columns, in order: approach, source (empty but in a suite with several sources), train_size, n (done trials with a test accuracy), test_accuracy_{mean,std,ci_low,ci_high},
 * wall_seconds_mean, test_loss_{mean,std,ci_low,ci_high}, wall_seconds_{std,ci_low,ci_high},
 * train_flops_{mean,std,ci_low,ci_high}, then test_accuracy_min, test_accuracy_max and excluded
 * (failed or diverged trials, which no statistic includes). Intervals are 95%: test accuracy over seeds and the test
 * set of `testExamples` (logit scale, accuracyInterval), the others Student-t; empty (null) where there is no value.
 */
export function summaryRows(trials: readonly TrialRecord[], testExamples: number | null = null): CsvRow[] {
  const byMetric = new Map<TrialMetric, Map<string, GroupSummary>>();
  for (const metric of Object.keys(SNAKE) as TrialMetric[]) {
    byMetric.set(metric, new Map(summarize(trials, metric, testExamples).map((g) => [armSizeKey(g), g])));
  }
  const groups = new Map<string, { approach: Approach; source?: string; trainSize: number; excluded: number }>();
  for (const t of trials) {
    const k = armSizeKey(t);
    const group = groups.get(k) ?? {
      approach: t.approach,
      ...sourceField(t.source),
      trainSize: t.trainSize,
      excluded: 0,
    };
    if (t.status === 'failed' || t.status === 'diverged') group.excluded += 1;
    groups.set(k, group);
  }
  return [...groups.values()].sort(compareApproachSize).map(({ approach, source, trainSize, excluded }) => {
    const k = armSizeKey({ approach, source, trainSize });
    const pick = (metric: TrialMetric): GroupSummary | undefined => byMetric.get(metric)?.get(k);
    const accuracy = pick('testAccuracy');
    const loss = intervalColumns('testLoss', pick('testLoss'));
    const wall = intervalColumns('wallSeconds', pick('wallSeconds'));
    const flops = intervalColumns('trainFlops', pick('trainFlops'));
    const n = accuracy?.n ?? 0;
    return {
      approach,
      source: source ?? null,
      train_size: trainSize,
      n,
      ...intervalColumns('testAccuracy', accuracy),
      wall_seconds_mean: wall.wall_seconds_mean ?? null,
      ...loss,
      wall_seconds_std: wall.wall_seconds_std ?? null,
      wall_seconds_ci_low: wall.wall_seconds_ci_low ?? null,
      wall_seconds_ci_high: wall.wall_seconds_ci_high ?? null,
      ...flops,
      test_accuracy_min: accuracy?.min ?? null,
      test_accuracy_max: accuracy?.max ?? null,
      excluded,
    };
  });
}

/** The `multiplier_note` text and the number for `data_multiplier` (a bound when the note says so). */
export function multiplierCells(m: DataMultiplier): { value: number | null; note: string } {
  switch (m.kind) {
    case 'interpolated':
      return { value: m.multiplier, note: m.scratchAhead ? 'scratch already at least as good' : '' };
    case 'at-most':
      return { value: m.multiplierAtMost, note: 'at most: scratch matches at the smallest size run' };
    case 'more-than-largest':
      return { value: m.multiplierAbove, note: 'more than: scratch does not reach it within the largest size run' };
    case 'not-defined':
      return { value: null, note: 'not defined: the lead is within the noise on curves that are flat here' };
    case 'no-data':
      return { value: null, note: 'no scratch results' };
  }
}

/**
 * Rows for `comparison.csv`, one per fine-tuning variant (and source) and size. Columns, in order: approach, source,
 * baseline, train_size,
 * difference_mean, difference_ci_low, difference_ci_high (variant − scratch test accuracy over the seeds both
 * finished, 95% paired t-interval), significant ("true"/"false" after Holm's correction; empty without an interval),
 * data_multiplier, multiplier_note, crossover_size (empty when not reached), then crossover_note,
 * scratch_matching_size (interpolated size scratch needs), paired_seeds, p_value (paired t-test, two-sided),
 * p_holm (after Holm over holm_family tests: every variant × size of the suite) and holm_family.
 */
export function comparisonRows(analysis: Pick<SuiteAnalysis, 'comparisons'>): CsvRow[] {
  return analysis.comparisons.flatMap((c) => {
    const crossoverSize = c.crossover.kind === 'reached' ? c.crossover.trainSize : null;
    const crossoverNote =
      c.crossover.kind === 'reached'
        ? ''
        : c.crossover.kind === 'not-reached'
          ? 'not reached within the sizes run'
          : 'no size with both';
    return c.sizes.map((s) => {
      const multiplier = multiplierCells(s.multiplier);
      const d = s.difference;
      return {
        approach: c.approach,
        source: c.source ?? null,
        baseline: c.baseline,
        train_size: s.trainSize,
        difference_mean: d?.difference ?? null,
        difference_ci_low: d?.interval?.low ?? null,
        difference_ci_high: d?.interval?.high ?? null,
        significant: d?.significant == null ? null : String(d.significant),
        data_multiplier: multiplier.value,
        multiplier_note: multiplier.note,
        crossover_size: crossoverSize,
        crossover_note: crossoverNote,
        scratch_matching_size: s.multiplier.kind === 'interpolated' ? s.multiplier.matchingSize : null,
        paired_seeds: d?.pairs ?? null,
        p_value: d?.pValue ?? null,
        p_holm: d?.adjustedP ?? null,
        holm_family: d ? d.family : null,
      };
    });
  });
}
