import type { SuiteAnalysis } from '../analysis/analyze-suite.js';
import type { PretrainCost } from '../analysis/cost.js';
import {
  approachLabel,
  capitalised,
  formatFlops,
  formatMultiplier,
  formatPercent,
  formatPoints,
  formatSeconds,
  formatSize,
} from '../analysis/format.js';
import type { Block } from './document.js';

function pretrainText(cost: PretrainCost | null): string {
  if (!cost) return 'a model on disk (no pretraining here)';
  return [
    cost.wallSeconds !== null ? formatSeconds(cost.wallSeconds) : 'time not recorded',
    cost.trainFlops !== null ? formatFlops(cost.trainFlops) : null,
    cost.sourceTestAccuracy !== null ? `${formatPercent(cost.sourceTestAccuracy)} on its own test set` : null,
    cost.reused ? 'reused from the cache' : null,
  ]
    .filter((p): p is string => p !== null)
    .join(', ');
}

/**
 * A suite with several sources: per source what it is, what pretraining it cost, its answer against the one scratch
 * baseline (best transfer approach per size: difference and data multiplier) and its crossover; then whether the
 * source matters (the relevance claim). Nothing for a single-source suite.
 */
export function sourcesSection(analysis: SuiteAnalysis): Block[] {
  if (analysis.sources.length === 0) return [];
  const relevance = analysis.claims.find((c) => c.id === 'source-relevance');
  const sizes = analysis.sizes;
  const rows = analysis.sources.flatMap((v) =>
    v.analysis.comparisons.map((c) => [
      v.source,
      approachLabel(c),
      ...sizes.map((size) => {
        const s = c.sizes.find((x) => x.trainSize === size);
        if (!s || !s.difference) return '—';
        const m = s.multiplier;
        const times =
          m.kind === 'interpolated'
            ? ` (×${formatMultiplier(m.multiplier)} data)`
            : m.kind === 'more-than-largest'
              ? ` (> ×${formatMultiplier(m.multiplierAbove)})`
              : '';
        return `${s.difference.difference >= 0 ? '+' : '−'}${formatPoints(Math.abs(s.difference.difference))}${times}`;
      }),
      c.crossover.kind === 'reached'
        ? `from ${formatSize(c.crossover.trainSize)}`
        : c.crossover.kind === 'not-reached'
          ? 'not reached'
          : '—',
    ]),
  );
  return [
    { kind: 'heading', level: 2, text: 'Sources' },
    {
      kind: 'definitions',
      items: analysis.sources.map((v): [string, string] => [
        v.source,
        `${capitalised(v.description)}; pretraining: ${pretrainText(v.analysis.cost.pretrain)}`,
      ]),
    },
    {
      kind: 'paragraph',
      text: 'Each source’s transfer approaches against the one scratch baseline: test accuracy difference in points (and how many times more data scratch needs to match it), and the crossover size from which scratch stays within the tolerance.',
    },
    {
      kind: 'table',
      headers: ['Source', 'Approach', ...sizes.map((s) => formatSize(s)), 'Crossover'],
      rows,
    },
    ...(relevance
      ? [
          {
            kind: 'paragraph' as const,
            text: `Does the source matter? ${capitalised(relevance.verdictLabel)}. ${relevance.evidence}`,
          },
        ]
      : []),
  ];
}
