import type { ComparedSuite } from '../../analysis/compare-suites.js';
import type { GroupSummary } from '../../analysis/summary-stats.js';
import type { Approach } from '../../domain.js';
import type { EfficiencyMetric } from './metrics.js';
import type { BandKind, Summary } from './stats.js';
import { sourceNames } from '../../spec/sources.js';

/** One approach of one compared suite: its means over seeds and their band, per size. */
export interface ComparedSeries {
  /** The suite's label ("name #id"), which names it in the legend. */
  suite: string;
  /** Which of the compared suites it is (0, 1, …): picks its line style and marker. */
  suiteIndex: number;
  approach: Approach;
  /** The source the approach starts from, in a suite with several sources; absent otherwise. */
  source?: string;
  points: (Summary & { trainSize: number })[];
}

/**
 * The compared suites' data-efficiency curves, from each suite's own summaries (the analysis' test accuracy or loss
 * per approach, source and size: the numbers of its summary.csv). The band is the 95% Student-t interval or the range
 * over seeds. Suites in the order given; within a suite, approaches and sources in the analysis' order.
 */
export function comparedSeries(
  suites: readonly Pick<ComparedSuite, 'label' | 'analysis'>[],
  metric: EfficiencyMetric,
  band: BandKind,
): ComparedSeries[] {
  return suites.flatMap((suite, suiteIndex) => {
    const groups: readonly GroupSummary[] =
      metric === 'testAccuracy' ? suite.analysis.accuracy : suite.analysis.testLoss;
    const arms = new Map<string, ComparedSeries>();
    for (const g of groups) {
      const key = `${g.approach}\u0000${g.source ?? ''}`;
      let series = arms.get(key);
      if (!series) {
        series = {
          suite: suite.label,
          suiteIndex,
          approach: g.approach,
          ...(g.source === undefined ? {} : { source: g.source }),
          points: [],
        };
        arms.set(key, series);
      }
      series.points.push({
        trainSize: g.trainSize,
        n: g.n,
        mean: g.mean,
        low: band === 'ci95' ? g.ciLow : g.min,
        high: band === 'ci95' ? g.ciHigh : g.max,
      });
    }
    return [...arms.values()].map((s) => ({ ...s, points: s.points.sort((a, b) => a.trainSize - b.trainSize) }));
  });
}

/** The named sources of the compared suites, each once, in the order they first appear: the palette's sources. */
export function comparedSourceNames(suites: readonly Pick<ComparedSuite, 'spec'>[]): string[] {
  return [...new Set(suites.flatMap((s) => sourceNames(s.spec)))];
}
