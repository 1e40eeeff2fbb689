import type { ComparedSuite } from '../../analysis/compare-suites.js';
import type { GroupSummary } from '../../analysis/summary-stats.js';
import { APPROACHES, type Approach } from '../../domain.js';
import type { EfficiencyMetric } from './metrics.js';
import type { BandKind, Summary } from './stats.js';

/** One approach of one compared suite: its means over seeds and their band, per size. */
export interface ComparedSeries {
  /** The suite's label ("name #id"), which names it in the legend. */
  suite: string;
  /** Which of the compared suites it is (0, 1, …): picks its line style and marker. */
  suiteIndex: number;
  approach: Approach;
  points: (Summary & { trainSize: number })[];
}

/**
 * The compared suites' data-efficiency curves, from each suite's own summaries (the analysis' test accuracy or loss
 * per approach and size: the numbers of its summary.csv). The band is the 95% Student-t interval or the range over
 * seeds. Suites in the order given, approaches in the order of APPROACHES.
 */
export function comparedSeries(
  suites: readonly Pick<ComparedSuite, 'label' | 'analysis'>[],
  metric: EfficiencyMetric,
  band: BandKind,
): ComparedSeries[] {
  return suites.flatMap((suite, suiteIndex) => {
    const groups: readonly GroupSummary[] =
      metric === 'testAccuracy' ? suite.analysis.accuracy : suite.analysis.testLoss;
    return APPROACHES.flatMap((approach): ComparedSeries[] => {
      const points = groups
        .filter((g) => g.approach === approach)
        .sort((a, b) => a.trainSize - b.trainSize)
        .map((g) => ({
          trainSize: g.trainSize,
          n: g.n,
          mean: g.mean,
          low: band === 'ci95' ? g.ciLow : g.min,
          high: band === 'ci95' ? g.ciHigh : g.max,
        }));
      return points.length > 0 ? [{ suite: suite.label, suiteIndex, approach, points }] : [];
    });
  });
}
