import type { SuiteAnalysis } from '../analysis/analyze-suite.js';
import type { DataMultiplier } from '../analysis/data-multiplier.js';
import {
  APPROACH_LABELS,
  approachLabel,
  formatFlops,
  formatMultiplier,
  formatP,
  formatPercent,
  formatPoints,
  formatSeconds,
  formatSize,
} from '../analysis/format.js';
import type { Approach } from '../domain.js';
import type { SuiteSpec } from '../spec/suite-schema.js';
import type { Block } from './document.js';

type Table = Extract<Block, { kind: 'table' }>;

const DASH = '—';
const key = (g: { approach: Approach; source?: string; trainSize: number }) =>
  `${g.approach}\u0000${g.source ?? ''}\u0000${g.trainSize}`;

function index<T extends { approach: Approach; source?: string; trainSize: number }>(
  items: readonly T[],
): Map<string, T> {
  return new Map(items.map((i) => [key(i), i]));
}

/** Per approach and size: accuracy with its interval, loss, cost, overfitting gap and time to target. */
export function summaryTable(analysis: SuiteAnalysis): Table {
  const loss = index(analysis.testLoss);
  const cost = index(analysis.cost.perGroup);
  const gap = index(analysis.overfitting);
  const toTarget = index(analysis.cost.timeToTarget);
  const rows = analysis.accuracy.map((g) => {
    const k = key(g);
    const c = cost.get(k);
    const t = toTarget.get(k);
    const o = gap.get(k);
    const l = loss.get(k);
    return [
      approachLabel(g),
      formatSize(g.trainSize),
      String(g.n),
      formatPercent(g.mean),
      g.n > 1 ? `${formatPercent(g.ciLow)} to ${formatPercent(g.ciHigh)}` : DASH,
      g.n > 1 ? formatPoints(g.std) : DASH,
      l ? l.mean.toFixed(3) : DASH,
      c?.wallSeconds ? formatSeconds(c.wallSeconds.mean) : DASH,
      c?.trainFlopsWithSelection ? formatFlops(c.trainFlopsWithSelection.mean) : DASH,
      o ? formatPoints(o.meanGap) : DASH,
      t
        ? t.meanSeconds !== null
          ? `${t.meanSecondsWithSelection !== null ? formatSeconds(t.meanSecondsWithSelection) : 'not recorded'} (final run ${formatSeconds(t.meanSeconds)}; ${t.reached}/${t.trials})`
          : `not reached (0/${t.trials})`
        : DASH,
    ];
  });
  return {
    kind: 'table',
    headers: [
      'Approach',
      'Size',
      'n',
      'Test accuracy',
      '95% interval',
      'Std (points)',
      'Test loss',
      'Wall time / trial',
      'FLOPs / trial (est., selection included)',
      'Train − val gap (points)',
      'Time to target, selection included (final run alone; reached/trials)',
    ],
    rows,
    numeric: [false, true, true, true, true, true, true, true, true, true, true],
  };
}

export function multiplierCell(m: DataMultiplier): string {
  switch (m.kind) {
    case 'interpolated':
      return `${formatMultiplier(m.multiplier)}×${m.scratchAhead ? ' (scratch needs no more data)' : ''}`;
    case 'at-most':
      return `≤ ${formatMultiplier(m.multiplierAtMost)}×${m.scratchAhead ? ' (scratch needs no more data)' : ''}`;
    case 'more-than-largest':
      return `> ${formatMultiplier(m.multiplierAbove)}×`;
    case 'not-defined':
      return 'not defined (flat within the noise)';
    case 'no-data':
      return DASH;
  }
}

/**
 * Per fine-tuning variant and size: the paired difference with scratch, its 95% interval, the paired t-test's p-value
 * raw and after Holm (over every row of the table), significance after Holm and the data multiplier.
 */
export function comparisonTable(analysis: SuiteAnalysis): Table {
  const rows = analysis.comparisons.flatMap((c) =>
    c.sizes.map((s) => {
      const d = s.difference;
      return [
        approachLabel(c),
        formatSize(s.trainSize),
        formatPercent(s.variantMean),
        s.scratchMean !== null ? formatPercent(s.scratchMean) : DASH,
        d ? formatPoints(d.difference) : DASH,
        d?.interval ? `${formatPoints(d.interval.low)} to ${formatPoints(d.interval.high)}` : DASH,
        d?.pValue != null ? formatP(d.pValue) : DASH,
        d?.adjustedP != null ? formatP(d.adjustedP) : DASH,
        d?.significant == null ? DASH : d.significant ? 'yes' : 'no',
        multiplierCell(s.multiplier),
      ];
    }),
  );
  return {
    kind: 'table',
    headers: [
      'Variant',
      'Size',
      'Variant accuracy',
      'Scratch accuracy',
      'Difference (points)',
      '95% interval (paired)',
      'p (paired t)',
      'p (Holm)',
      'Significant (Holm)',
      'Data multiplier',
    ],
    rows,
    numeric: [false, true, true, true, true, true, true, true, false, true],
  };
}

/** Optimiser settings and budget of each approach the suite ran. */
export function approachSettingsTable(spec: SuiteSpec, approaches: readonly Approach[]): Table {
  const rows = approaches.flatMap((a) => {
    const s = spec.approaches[a];
    if (!s) return [];
    return [
      [
        APPROACH_LABELS[a],
        s.optimizer,
        typeof s.learningRate === 'number' ? String(s.learningRate) : `${s.learningRate.join(', ')} (tuned)`,
        String(s.batchSize),
        String(s.epochs),
        String(s.minSteps),
        String(s.patience),
        s.trainFrom !== undefined
          ? `from ${s.trainFrom}`
          : s.trainableBlocks !== undefined
            ? String(s.trainableBlocks)
            : DASH,
      ],
    ];
  });
  return {
    kind: 'table',
    headers: [
      'Approach',
      'Optimizer',
      'Learning rate',
      'Batch size',
      'Max epochs',
      'Min steps',
      'Patience',
      'Trainable blocks',
    ],
    rows,
    numeric: [false, false, true, true, true, true, true, true],
  };
}
