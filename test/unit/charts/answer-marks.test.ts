import { describe, expect, it } from 'vitest';
import { compareToScratch } from '../../../benchmarks/analysis/comparison.js';
import type { Approach } from '../../../benchmarks/domain.js';
import {
  answerMarks,
  defaultMarkedSize,
  describeMarks,
  marksToDraw,
  summarizeMarks,
  type AnswerMark,
} from '../../../benchmarks/charts/answer-marks.js';
import { answerMarkSeries } from '../../../benchmarks/charts/answer-mark-series.js';
import { dataEfficiencySeries } from '../../../benchmarks/charts/data/data-efficiency.js';
import { efficiencyOption } from '../../../benchmarks/charts/efficiency-option.js';
import { chartPalette } from '../../../benchmarks/charts/palette.js';
import { seedTrials } from '../../support/records.js';

/** One seed per approach and size: the means are the values. */
function suiteTrials(curves: Partial<Record<Approach, Record<number, number>>>) {
  return Object.entries(curves).flatMap(([approach, bySize]) =>
    Object.entries(bySize).flatMap(([size, accuracy]) => seedTrials(approach as Approach, Number(size), [accuracy])),
  );
}

/**
 * Scratch 0.5 / 0.7 / 0.9 at 10 / 100 / 1,000 examples: a straight line in log size, 0.2 per decade.
 * - finetune 0.6 / 0.8 / 0.905: scratch reaches 0.6 half a decade after 10, at √1000 = 31.62 (×3.162), and 0.8 at
 *   316.2 (×3.162); 0.905 is above scratch's best (more than the largest size: no arrow). Gaps 0.1, 0.1, 0.005:
 *   the crossover (1 point) is reached at 1,000, not at the smallest size.
 * - linear-probe 0.45 / 0.65 / 0.85: scratch is ahead everywhere (crossover at the smallest size: no line; multipliers
 *   at most 1×: no arrow).
 * - partial 0.55 / 0.95 at 10 / 100 only: gap 0.25 at 100, the largest size compared: crossover not reached.
 *   At 10 scratch reaches 0.55 a quarter of a decade on, at 10^1.25 = 17.78 (×1.778); at 100 more than the largest.
 */
const comparisons = compareToScratch(
  suiteTrials({
    scratch: { 10: 0.5, 100: 0.7, 1000: 0.9 },
    finetune: { 10: 0.6, 100: 0.8, 1000: 0.905 },
    'linear-probe': { 10: 0.45, 100: 0.65, 1000: 0.85 },
    partial: { 10: 0.55, 100: 0.95 },
  }),
  0.01,
);

describe('the answer marked on the data-efficiency chart', () => {
  it('defaults to the smallest size where a variant is ahead with an interpolated multiplier', () => {
    expect(defaultMarkedSize(comparisons)).toBe(10);
    // Without scratch behind anywhere there is nothing to mark.
    const behind = compareToScratch(suiteTrials({ scratch: { 10: 0.5, 100: 0.7 }, finetune: { 10: 0.4, 100: 0.6 } }));
    expect(defaultMarkedSize(behind)).toBeNull();
    // Ahead at 10 but beyond the largest size run (0.75 > 0.7): the default moves to 100 where the multiplier is known.
    const beyond = compareToScratch(
      suiteTrials({ scratch: { 10: 0.5, 100: 0.7, 1000: 0.8 }, finetune: { 10: 0.85, 100: 0.75 } }),
    );
    expect(defaultMarkedSize(beyond)).toBe(100);
  });

  it('marks a reached crossover and the arrows at the chosen size, highest first', () => {
    const marks = answerMarks(comparisons, 10);
    expect(summarizeMarks(marks)).toEqual([
      { kind: 'crossover', approach: 'finetune', size: 1000, label: 'finetune ≈ scratch from 1,000' },
      { kind: 'multiplier', approach: 'finetune', from: 10, to: expect.any(Number), label: '×3.2 data' },
      { kind: 'multiplier', approach: 'partial', from: 10, to: expect.any(Number), label: '×1.8 data' },
    ]);
    const [crossover, finetune, partial] = marks as [AnswerMark, AnswerMark, AnswerMark];
    expect(crossover).toMatchObject({ slot: 0, shared: 1 });
    if (finetune.kind !== 'multiplier' || partial.kind !== 'multiplier') throw new Error('expected arrows');
    expect(finetune.to).toBeCloseTo(Math.sqrt(1000), 9);
    expect(finetune.multiplier).toBeCloseTo(3.16228, 5);
    expect(finetune).toMatchObject({ accuracy: 0.6, slot: 0 });
    expect(partial.to).toBeCloseTo(10 ** 1.25, 9);
    expect(partial).toMatchObject({ accuracy: 0.55, slot: 1 });
  });

  it('draws no arrow where scratch is ahead or the match lies beyond the largest size', () => {
    // At 100: finetune ×3.162 (to 316.2); partial more than the largest; the linear probe behind scratch.
    const at100 = answerMarks(comparisons, 100).filter((m) => m.kind === 'multiplier');
    expect(at100).toHaveLength(1);
    expect(at100[0]).toMatchObject({ approach: 'finetune', from: 100, accuracy: 0.8, label: '×3.2 data' });
    expect((at100[0] as Extract<AnswerMark, { kind: 'multiplier' }>).to).toBeCloseTo(316.228, 3);
    // At 1,000 finetune (0.905) is beyond scratch's best (0.9): only the crossover remains.
    expect(summarizeMarks(answerMarks(comparisons, 1000))).toEqual([
      { kind: 'crossover', approach: 'finetune', size: 1000, label: 'finetune ≈ scratch from 1,000' },
    ]);
    // No size chosen: crossovers only.
    expect(answerMarks(comparisons, null).map((m) => m.kind)).toEqual(['crossover']);
  });

  it('leaves out crossovers not reached or reached at the smallest size', () => {
    const approaches = answerMarks(comparisons, null).map((m) => m.approach);
    expect(approaches).not.toContain('partial'); // not reached: gap 25 points at 100
    expect(approaches).not.toContain('linear-probe'); // scratch within the tolerance (ahead) at every size
  });

  it('lets crossovers at one size share the line', () => {
    // Both variants trail scratch by at most 1 point from 100 on (gaps 0.005 and 0.01): one crossover size.
    const both = compareToScratch(
      suiteTrials({
        scratch: { 10: 0.5, 100: 0.8 },
        finetune: { 10: 0.6, 100: 0.805 },
        partial: { 10: 0.7, 100: 0.81 },
      }),
      0.01,
    );
    expect(answerMarks(both, null)).toEqual([
      { kind: 'crossover', approach: 'finetune', size: 100, label: 'finetune ≈ scratch from 100', slot: 0, shared: 2 },
      { kind: 'crossover', approach: 'partial', size: 100, label: 'partial ≈ scratch from 100', slot: 1, shared: 2 },
    ]);
  });

  it('keeps arrows to the accuracy chart and marks only approaches with a line', () => {
    const marks = answerMarks(comparisons, 10);
    expect(marksToDraw(marks, 'testLoss', ['scratch', 'finetune', 'partial']).map((m) => m.kind)).toEqual([
      'crossover',
    ]);
    expect(marksToDraw(marks, 'testAccuracy', ['scratch', 'partial']).map((m) => m.approach)).toEqual(['partial']);
    expect(describeMarks(marks)).toEqual([
      'dashed line: from 1,000 examples on scratch stays within the tolerance of finetune',
      'arrow: finetune at 10 examples is matched by scratch at about 32 (×3.2 the data)',
      'arrow: partial at 10 examples is matched by scratch at about 18 (×1.8 the data)',
    ]);
  });

  it('becomes mark lines in the approach colour: a vertical line and a horizontal arrow', () => {
    const palette = chartPalette('light');
    const marks = answerMarks(comparisons, 100);
    const [line, arrow] = answerMarkSeries(marks, palette);
    expect(line).toMatchObject({
      type: 'line',
      name: 'finetune',
      data: [],
      markLine: { data: [{ xAxis: 1000 }], lineStyle: { color: palette.approach.finetune } },
    });
    const [[start, end]] = arrow!.markLine!.data as [[{ coord: number[] }, { coord: number[] }]];
    expect(start.coord).toEqual([100, 0.8]);
    expect(end.coord[0]).toBeCloseTo(316.228, 3);
    expect(end.coord[1]).toBe(0.8);
    expect(arrow!.markLine!.symbol).toEqual(['none', 'arrow']);
    // Crossover labels go where large sizes leave room: the bottom of the accuracy chart, the top of the loss chart.
    expect(line!.markLine!.label).toMatchObject({
      position: 'insideStartTop',
      formatter: 'finetune ≈ scratch from 1,000',
    });
    expect(answerMarkSeries(marks, palette, 'top')[0]!.markLine!.label).toMatchObject({ position: 'insideEndTop' });

    const trials = suiteTrials({
      scratch: { 10: 0.5, 100: 0.7, 1000: 0.9 },
      finetune: { 10: 0.6, 100: 0.8, 1000: 0.905 },
    });
    const input = {
      series: dataEfficiencySeries(trials, 'testAccuracy', 'ci95'),
      metric: 'testAccuracy' as const,
      band: 'ci95' as const,
      showSeeds: false,
      chance: null,
      palette,
      target: { kind: 'screen' as const },
    };
    const without = efficiencyOption(input);
    const withMarks = efficiencyOption({ ...input, answer: marks.slice(0, 2) });
    const count = (o: typeof without) => (o.option.series as unknown[]).length;
    expect(count(withMarks) - count(without)).toBe(2);
    expect(withMarks.drawn).toEqual(without.drawn);
  });
});
