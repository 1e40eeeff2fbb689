import { describe, expect, it } from 'vitest';
import { compareToScratch } from '../../../benchmarks/analysis/comparison.js';
import { multiplierArrows } from '../../../benchmarks/charts/multiplier-arrows.js';
import { summarize } from '../../../benchmarks/analysis/summary-stats.js';
import type { Approach } from '../../../benchmarks/domain.js';
import {
  convergenceChart,
  dataEfficiencyChart,
  DEFAULT_FRAME,
  type ChartFrame,
} from '../../../benchmarks/report/charts.js';
import { logScale } from '../../../benchmarks/report/scale.js';
import { scenario } from '../analysis/scenario.js';
import { trial } from '../analysis/fixtures.js';

const count = (svg: string, pattern: RegExp) => (svg.match(pattern) ?? []).length;

describe('dataEfficiencyChart', () => {
  const { trials } = scenario();
  const accuracy = summarize(trials, 'testAccuracy');
  const svg = dataEfficiencyChart(accuracy, [
    { approach: 'finetune', crossover: { kind: 'reached', trainSize: 1000, atSmallestSize: false, gap: 0.005 } },
  ]);

  it('has one line and one band per approach and one point per approach and size', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(count(svg, /<path[^>]*class="line"/g)).toBe(2);
    expect(count(svg, /<path[^>]*class="band"/g)).toBe(2);
    expect(count(svg, /<circle[^>]*class="point"[^>]*data-approach="scratch"/g)).toBe(3);
    expect(count(svg, /<circle[^>]*class="point"[^>]*data-approach="finetune"/g)).toBe(3);
    expect(count(svg, /class="crossover"/g)).toBe(1);
  });

  it('places the points on a log x axis', () => {
    const { width, margin } = DEFAULT_FRAME;
    const x = logScale([10, 1000], [margin.left + 10, width - margin.right - 10]);
    const cx = (size: number) =>
      Number(new RegExp(`cx="([\\d.]+)"[^>]*data-approach="scratch" data-size="${size}"`).exec(svg)![1]);
    expect(cx(10)).toBeCloseTo(x(10), 1);
    expect(cx(100)).toBeCloseTo(x(100), 1);
    expect(cx(100) - cx(10)).toBeCloseTo(cx(1000) - cx(100), 1);
  });

  it('puts higher accuracy higher up', () => {
    const cy = (approach: string, size: number) =>
      Number(new RegExp(`cy="([\\d.]+)"[^>]*data-approach="${approach}" data-size="${size}"`).exec(svg)![1]);
    expect(cy('finetune', 10)).toBeLessThan(cy('scratch', 10));
  });

  it('copes with one size and with no data', () => {
    const one = dataEfficiencyChart(summarize([trial('scratch', 50, 0.5)], 'testAccuracy'));
    expect(count(one, /class="point"/g)).toBe(1);
    expect(one).not.toContain('NaN');
    expect(dataEfficiencyChart([])).toContain('No results');
  });
});

describe('data-multiplier arrows on the data-efficiency chart', () => {
  /**
   * One seed per approach and size (so each interval is the mean itself). Scratch 0.5 / 0.7 / 0.9 at 10 / 100 / 1,000.
   * - finetune 0.6 / 0.8 / 0.95: scratch reaches 0.6 at 10^1.5 = 31.62 (×3.2); 0.95 at 1,000 is a bound.
   * - linear-probe 0.45 / 0.65 / 0.85: scratch ahead everywhere (0.65 at 100 is matched at 10^1.75 = 56.2, 0.56×).
   * - partial 0.55 / 0.95 at 10 / 100: matched at 10^1.25 = 17.78 (×1.8) at 10; a bound at 100.
   * A frame with round numbers: plot x from 40 to 560, points inset 10 → x range [50, 550] = 250 px per decade, so
   * x(10) = 50, x(17.78) = 112.5, x(31.62) = 175, x(100) = 300. Accuracy 0.45–0.95 padded by 5% of its span
   * → [0.425, 0.975] onto the plot's 550 px from y = 570 (bottom) to 20 (top): 1,000 px per unit, y(a) = 570 − (a − 0.425)·1000,
   * so y(0.6) = 395 and y(0.55) = 445.
   */
  const bySize: Partial<Record<Approach, Record<number, number>>> = {
    scratch: { 10: 0.5, 100: 0.7, 1000: 0.9 },
    finetune: { 10: 0.6, 100: 0.8, 1000: 0.95 },
    'linear-probe': { 10: 0.45, 100: 0.65, 1000: 0.85 },
    partial: { 10: 0.55, 100: 0.95 },
  };
  const trials = Object.entries(bySize).flatMap(([approach, curve]) =>
    Object.entries(curve).map(([size, accuracy]) => trial(approach as Approach, Number(size), accuracy)),
  );
  const accuracy = summarize(trials, 'testAccuracy');
  const comparisons = compareToScratch(trials);
  const frame: ChartFrame = { width: 600, height: 620, margin: { top: 20, right: 40, bottom: 50, left: 40 } };
  const chart = (size: number | null) => dataEfficiencyChart(accuracy, [], multiplierArrows(comparisons, size), frame);

  /** The numbers of one approach's arrow: the shaft's ends, the head's tip and the label's position and text. */
  function arrow(svg: string, approach: string) {
    const group = new RegExp(`<g class="multiplier-arrow" data-approach="${approach}"[^>]*>(.*?)</g>`).exec(svg)?.[1];
    if (group === undefined) return null;
    const shaft = /<line x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)"/.exec(group)!;
    const tip = /<path d="M([\d.]+) ([\d.]+)/.exec(group)!;
    const label = /<text x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)<\/text>/.exec(group)!;
    return {
      shaft: shaft.slice(1).map(Number),
      tip: tip.slice(1).map(Number),
      label: { x: Number(label[1]), y: Number(label[2]), text: label[3] },
    };
  }

  it('draws a horizontal arrow at the variant accuracy from N to where scratch reaches it, on the log x scale', () => {
    const svg = chart(10);
    const finetune = arrow(svg, 'finetune')!;
    // Shaft from x(10) = 50 at y(0.6) = 395 to just inside the head (half its 8 px length), head's tip at x(31.62) = 175.
    expect(finetune.shaft).toEqual([50, 395, 171, 395]);
    expect(finetune.tip).toEqual([175, 395]);
    // Label centred over the arrow, above it (slot 0).
    expect(finetune.label).toEqual({ x: 112.5, y: 389, text: '×3.2 data' });

    const partial = arrow(svg, 'partial')!;
    // From x(10) = 50 to x(17.78) = 112.5 at y(0.55) = 445; labelled below (slot 1).
    expect(partial.shaft).toEqual([50, 445, 108.5, 445]);
    expect(partial.tip).toEqual([112.5, 445]);
    expect(partial.label).toEqual({ x: 81.25, y: 460, text: '×1.8 data' });

    expect(svg).toMatch(/<g class="multiplier-arrow" data-approach="finetune" data-from="10" data-to="31.62">/);
    expect(count(svg, /class="multiplier-arrow"/g)).toBe(2);
  });

  it('keeps a short arrow with its head inside it and its label inside the plot', () => {
    // ×1.05 at 10: x(10.5) = 50 + 250 · log10(1.05) = 55.30, shorter than a head (8 px): the head is the whole arrow.
    // The label (9 characters at 7 px) centred at 52.6 would cross the y axis at x = 40: held at 40 + 31.5 + 2 = 73.5.
    const svg = dataEfficiencyChart(
      accuracy,
      [],
      [{ approach: 'finetune', from: 10, to: 10.5, accuracy: 0.6, multiplier: 1.05, label: '×1.1 data', slot: 0 }],
      frame,
    );
    const short = arrow(svg, 'finetune')!;
    expect(short.tip).toEqual([55.3, 395]);
    expect(svg).toContain('<path d="M55.3 395 L50 391 L50 399 Z"');
    expect(short.shaft).toEqual([50, 395, 52.65, 395]);
    expect(short.label).toEqual({ x: 73.5, y: 389, text: '×1.1 data' });
  });

  it('adds a one-line key under the chart when an arrow is drawn', () => {
    const svg = chart(10);
    expect(svg).toContain('height="644" viewBox="0 0 600 644"');
    expect(count(svg, /class="arrow-key"/g)).toBe(1);
    expect(svg).toMatch(/<g class="arrow-key">.*Arrow: from a variant&#39;s accuracy at N examples/s);
  });

  it('draws no arrow for bounds or where scratch is ahead', () => {
    // At 100: finetune ×3.2 only — the linear probe's interpolated multiplier has scratch ahead, partial's is a bound.
    const at100 = chart(100);
    expect(arrow(at100, 'finetune')).not.toBeNull();
    expect(arrow(at100, 'linear-probe')).toBeNull();
    expect(arrow(at100, 'partial')).toBeNull();
    // At 1,000: a bound for finetune, scratch ahead of the linear probe: no arrow and no key.
    for (const svg of [chart(1000), chart(null)]) {
      expect(count(svg, /class="multiplier-arrow"/g)).toBe(0);
      expect(svg).not.toContain('arrow-key');
      expect(svg).toContain('height="620" viewBox="0 0 600 620"');
    }
  });
});

describe('convergenceChart', () => {
  it('has one path per approach and no NaN', () => {
    const svg = convergenceChart(10, [
      {
        approach: 'scratch',
        points: [
          { epoch: 1, mean: 2, n: 3 },
          { epoch: 2, mean: 1, n: 3 },
        ],
      },
      { approach: 'finetune', points: [{ epoch: 1, mean: 0.5, n: 3 }] },
    ]);
    expect(count(svg, /<path[^>]*class="line"/g)).toBe(2);
    expect(svg).toContain('at 10 examples');
    expect(svg).not.toContain('NaN');
    expect(convergenceChart(10, [])).toContain('No training curves');
  });
});
