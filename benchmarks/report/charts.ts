import type { ApproachCurve } from '../analysis/curves.js';
import type { Crossover } from '../analysis/crossover.js';
import { APPROACH_LABELS, capitalised, formatPercent, formatSize } from '../analysis/format.js';
import type { MultiplierArrow } from '../charts/multiplier-arrows.js';
import type { GroupSummary } from '../analysis/summary-stats.js';
import { APPROACHES, type Approach } from '../domain.js';
import { linearScale, linearTicks, logScale, type Scale } from './scale.js';
import { escapeHtml } from './escape.js';
import { bandPath, element, polylinePath, SERIES_COLOURS, text } from './svg.js';

export interface ChartFrame {
  width: number;
  height: number;
  margin: { top: number; right: number; bottom: number; left: number };
}

export const DEFAULT_FRAME: ChartFrame = {
  width: 720,
  height: 400,
  margin: { top: 36, right: 150, bottom: 52, left: 64 },
};

function plotArea(frame: ChartFrame) {
  const { width, height, margin } = frame;
  return { left: margin.left, right: width - margin.right, top: margin.top, bottom: height - margin.bottom };
}

/** Pads a degenerate or tight interval so lines do not sit on the frame. */
function paddedDomain(low: number, high: number, clamp?: readonly [number, number]): [number, number] {
  const span = high - low;
  const pad = span > 0 ? span * 0.05 : Math.max(Math.abs(high) * 0.1, 0.05);
  let lo = low - pad;
  let hi = high + pad;
  if (clamp) {
    lo = Math.max(clamp[0], lo);
    hi = Math.min(clamp[1], hi);
  }
  return [lo, hi];
}

function axes(
  frame: ChartFrame,
  x: Scale,
  y: Scale,
  xTicks: readonly number[],
  yTicks: readonly number[],
  labels: { title: string; x: string; y: string; xTick: (v: number) => string; yTick: (v: number) => string },
): string {
  const a = plotArea(frame);
  const parts: string[] = [
    text(frame.width / 2, 20, labels.title, { 'text-anchor': 'middle', 'font-weight': 'bold', class: 'chart-title' }),
    element('line', { x1: a.left, y1: a.bottom, x2: a.right, y2: a.bottom, stroke: '#444' }),
    element('line', { x1: a.left, y1: a.top, x2: a.left, y2: a.bottom, stroke: '#444' }),
  ];
  for (const v of xTicks) {
    parts.push(
      element('line', { x1: x(v), y1: a.bottom, x2: x(v), y2: a.bottom + 5, stroke: '#444', class: 'x-tick' }),
    );
    parts.push(text(x(v), a.bottom + 18, labels.xTick(v), { 'text-anchor': 'middle' }));
  }
  for (const v of yTicks) {
    parts.push(element('line', { x1: a.left, y1: y(v), x2: a.right, y2: y(v), stroke: '#ddd', class: 'y-grid' }));
    parts.push(text(a.left - 8, y(v) + 4, labels.yTick(v), { 'text-anchor': 'end' }));
  }
  parts.push(text((a.left + a.right) / 2, frame.height - 10, labels.x, { 'text-anchor': 'middle' }));
  parts.push(
    text(16, (a.top + a.bottom) / 2, labels.y, {
      'text-anchor': 'middle',
      transform: `rotate(-90 16 ${(a.top + a.bottom) / 2})`,
    }),
  );
  return parts.join('\n');
}

function legend(frame: ChartFrame, approaches: readonly Approach[]): string {
  const a = plotArea(frame);
  return approaches
    .map((approach, i) => {
      const y = a.top + 10 + i * 20;
      const colour = SERIES_COLOURS[approach] ?? '#888';
      return (
        element('line', { x1: a.right + 14, y1: y, x2: a.right + 34, y2: y, stroke: colour, 'stroke-width': 2 }) +
        text(a.right + 40, y + 4, APPROACH_LABELS[approach], { class: 'legend' })
      );
    })
    .join('\n');
}

/** Height added under the frame for the one-line key of the data-multiplier arrows. */
const ARROW_KEY_HEIGHT = 24;

const ARROW_HEAD = { length: 8, halfWidth: 4 };

/** A generous width of one character of an arrow label (11 px bold sans-serif), to keep labels inside the plot. */
const ARROW_LABEL_CHAR_WIDTH = 7;

/** A rightward arrowhead with its tip at (x, y), `length` long (shorter for an arrow shorter than a head). */
function arrowHead(x: number, y: number, colour: string, length: number = ARROW_HEAD.length): string {
  const { halfWidth } = ARROW_HEAD;
  return element('path', {
    d: `${polylinePath([
      [x, y],
      [x - length, y - halfWidth],
      [x - length, y + halfWidth],
    ])} Z`,
    fill: colour,
    stroke: 'none',
    class: 'arrow-head',
  });
}

/**
 * A data-multiplier arrow: a horizontal line at the variant's accuracy from `from` to `to` (where scratch's curve
 * reaches it), a head at `to` and the "×k data" label above it (even slots) or below it (odd slots).
 */
function multiplierArrow(arrow: MultiplierArrow, x: Scale, y: Scale, plot: ReturnType<typeof plotArea>): string {
  const colour = SERIES_COLOURS[arrow.approach] ?? '#888';
  const x1 = x(arrow.from);
  const x2 = x(arrow.to);
  const at = y(arrow.accuracy);
  const head = Math.min(ARROW_HEAD.length, x2 - x1);
  // Centred over the arrow, but kept inside the plot: a short arrow near the y axis would push it across.
  const halfLabel = (arrow.label.length * ARROW_LABEL_CHAR_WIDTH) / 2;
  const labelX = Math.min(Math.max((x1 + x2) / 2, plot.left + halfLabel + 2), plot.right - halfLabel - 2);
  const description = `${capitalised(APPROACH_LABELS[arrow.approach])} at ${formatSize(arrow.from)} examples (${formatPercent(arrow.accuracy)}) is matched by scratch at about ${formatSize(arrow.to)} examples: ${arrow.label}`;
  return element(
    'g',
    {
      class: 'multiplier-arrow',
      'data-approach': arrow.approach,
      'data-from': arrow.from,
      'data-to': arrow.to,
    },
    [
      element('title', {}, escapeHtml(description)),
      element('line', {
        x1,
        y1: at,
        x2: x2 - head / 2,
        y2: at,
        stroke: colour,
        'stroke-width': 1.5,
        class: 'arrow-shaft',
      }),
      arrowHead(x2, at, colour, head),
      text(labelX, arrow.slot % 2 === 0 ? at - 6 : at + 15, arrow.label, {
        class: 'arrow-label',
        'font-size': 11,
        'font-weight': 'bold',
        'text-anchor': 'middle',
        fill: colour,
        stroke: '#fff',
        'stroke-width': 3,
        'paint-order': 'stroke',
      }),
    ].join(''),
  );
}

/** The key under the chart: what an arrow means, drawn below the x-axis label. */
function arrowKey(frame: ChartFrame): string {
  const y = frame.height + ARROW_KEY_HEIGHT / 2;
  const left = frame.margin.left;
  return element(
    'g',
    { class: 'arrow-key' },
    [
      element('line', {
        x1: left,
        y1: y,
        x2: left + 22 - ARROW_HEAD.length / 2,
        y2: y,
        stroke: '#444',
        'stroke-width': 1.5,
      }),
      arrowHead(left + 22, y, '#444'),
      text(
        left + 30,
        y + 4,
        "Arrow: from a variant's accuracy at N examples to the size where scratch's curve reaches it; ×k data = that size ÷ N.",
        { 'font-size': 11 },
      ),
    ].join(''),
  );
}

function svg(frame: ChartFrame, title: string, body: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${frame.width}" height="${frame.height}" viewBox="0 0 ${frame.width} ${frame.height}" role="img" font-family="sans-serif" font-size="12">`,
    element('title', {}, escapeHtml(title)),
    body,
    '</svg>',
  ].join('\n');
}

const byApproach = <T extends { approach: Approach }>(items: readonly T[]): [Approach, T[]][] =>
  APPROACHES.map((a): [Approach, T[]] => [a, items.filter((i) => i.approach === a)]).filter(
    ([, list]) => list.length > 0,
  );

/** A fitted learning curve to draw (accuracy = 1 − fitted error), see analysis/learning-curves.ts. */
export interface FitCurve {
  approach: Approach;
  curve: readonly { trainSize: number; accuracy: number; extrapolated: boolean }[];
}

export interface CrossoverMarker {
  approach: Approach;
  crossover: Crossover;
}

/**
 * Data efficiency: mean test accuracy against training-set size on a log x axis, one line per approach with
 * its 95% interval as a shaded band, one point per size, a dashed marker at each crossover size reached and a
 * horizontal arrow per data multiplier in `arrows` (see `multiplierArrows`), with a one-line key under the chart
 * when there is one. Fitted learning curves, when given, are thin lines: solid over the sizes run, dashed beyond the
 * largest (an extrapolation), which widens the size axis to their end.
 */
export function dataEfficiencyChart(
  accuracy: readonly GroupSummary[],
  crossovers: readonly CrossoverMarker[] = [],
  arrows: readonly MultiplierArrow[] = [],
  frame: ChartFrame = DEFAULT_FRAME,
  fits: readonly FitCurve[] = [],
): string {
  const title = 'Data efficiency: test accuracy by training-set size';
  if (accuracy.length === 0)
    return svg(frame, title, text(frame.width / 2, frame.height / 2, 'No results', { 'text-anchor': 'middle' }));
  const a = plotArea(frame);
  const sizes = [...new Set(accuracy.map((g) => g.trainSize))].sort((p, q) => p - q);
  const minSize = sizes[0]!;
  const maxSize = Math.max(sizes[sizes.length - 1]!, ...fits.flatMap((f) => f.curve.map((p) => p.trainSize)));
  const xDomain: [number, number] = minSize === maxSize ? [minSize / 2, minSize * 2] : [minSize, maxSize];
  const x = logScale(xDomain, [a.left + 10, a.right - 10]);
  const yDomain = paddedDomain(
    Math.min(...accuracy.map((g) => g.ciLow)),
    Math.max(...accuracy.map((g) => g.ciHigh)),
    [0, 1],
  );
  const y = linearScale(yDomain, [a.bottom, a.top]);
  const yTicks = linearTicks(yDomain[0], yDomain[1]);
  const series = byApproach(accuracy);
  const parts = [
    axes(frame, x, y, sizes, yTicks, {
      title,
      x: 'training-set size (examples, log scale)',
      y: 'test accuracy',
      xTick: formatSize,
      yTick: (v) => `${Number((v * 100).toFixed(1))}%`,
    }),
  ];
  for (const [approach, groups] of series) {
    const colour = SERIES_COLOURS[approach] ?? '#888';
    const upper = groups.map((g): [number, number] => [x(g.trainSize), y(g.ciHigh)]);
    const lower = groups.map((g): [number, number] => [x(g.trainSize), y(g.ciLow)]);
    parts.push(
      element('path', {
        d: bandPath(upper, lower),
        fill: colour,
        'fill-opacity': 0.15,
        stroke: 'none',
        class: 'band',
        'data-approach': approach,
      }),
    );
  }
  for (const fit of fits) {
    const colour = SERIES_COLOURS[fit.approach] ?? '#888';
    const inside = fit.curve.filter((p) => !p.extrapolated);
    const last = inside[inside.length - 1];
    const outside = [...(last ? [last] : []), ...fit.curve.filter((p) => p.extrapolated)];
    const path = (points: typeof inside) =>
      polylinePath(
        points.map((p): [number, number] => [
          x(p.trainSize),
          y(Math.min(yDomain[1], Math.max(yDomain[0], p.accuracy))),
        ]),
      );
    const common = {
      fill: 'none',
      stroke: colour,
      'stroke-width': 1.2,
      'stroke-opacity': 0.8,
      'data-approach': fit.approach,
    };
    if (inside.length > 1) parts.push(element('path', { ...common, d: path(inside), class: 'fit' }));
    if (outside.length > 1)
      parts.push(
        element('path', { ...common, d: path(outside), class: 'fit-extrapolated', 'stroke-dasharray': '5 4' }),
      );
  }
  for (const [approach, groups] of series) {
    const colour = SERIES_COLOURS[approach] ?? '#888';
    const points = groups.map((g): [number, number] => [x(g.trainSize), y(g.mean)]);
    parts.push(
      element('path', {
        d: polylinePath(points),
        fill: 'none',
        stroke: colour,
        'stroke-width': 2,
        class: 'line',
        'data-approach': approach,
      }),
    );
    for (const g of groups) {
      parts.push(
        element(
          'circle',
          {
            cx: x(g.trainSize),
            cy: y(g.mean),
            r: 3.5,
            fill: colour,
            class: 'point',
            'data-approach': approach,
            'data-size': g.trainSize,
          },
          element(
            'title',
            {},
            escapeHtml(
              `${APPROACH_LABELS[approach]}, ${formatSize(g.trainSize)} examples: ${(g.mean * 100).toFixed(1)}% (n = ${g.n})`,
            ),
          ),
        ),
      );
    }
  }
  crossovers.forEach(({ approach, crossover }, i) => {
    if (crossover.kind !== 'reached') return;
    const cx = x(crossover.trainSize);
    parts.push(
      element('line', {
        x1: cx,
        y1: a.top,
        x2: cx,
        y2: a.bottom,
        stroke: SERIES_COLOURS[approach] ?? '#888',
        'stroke-dasharray': '4 3',
        class: 'crossover',
        'data-approach': approach,
      }),
      text(
        // Labels to the right of a marker in the left half of the plot, to its left otherwise, so they stay inside.
        cx < (a.left + a.right) / 2 ? cx + 4 : cx - 4,
        a.bottom - 8 - i * 14,
        `crossover with ${APPROACH_LABELS[approach]}: ${formatSize(crossover.trainSize)}`,
        {
          class: 'crossover-label',
          'font-size': 11,
          'text-anchor': cx < (a.left + a.right) / 2 ? 'start' : 'end',
        },
      ),
    );
  });
  for (const arrow of arrows) parts.push(multiplierArrow(arrow, x, y, a));
  parts.push(
    legend(
      frame,
      series.map(([approach]) => approach),
    ),
  );
  if (arrows.length === 0) return svg(frame, title, parts.join('\n'));
  parts.push(arrowKey(frame));
  return svg({ ...frame, height: frame.height + ARROW_KEY_HEIGHT }, title, parts.join('\n'));
}

/** Convergence: mean validation loss against epoch at one size, one line per approach. */
export function convergenceChart(
  trainSize: number,
  curves: readonly ApproachCurve[],
  frame: ChartFrame = DEFAULT_FRAME,
): string {
  const title = `Convergence: validation loss by epoch at ${formatSize(trainSize)} examples`;
  const all = curves.flatMap((c) => c.points);
  if (all.length === 0)
    return svg(
      frame,
      title,
      text(frame.width / 2, frame.height / 2, 'No training curves', { 'text-anchor': 'middle' }),
    );
  const a = plotArea(frame);
  const epochs = all.map((p) => p.epoch);
  const xDomain = paddedDomain(Math.min(...epochs), Math.max(...epochs));
  const x = linearScale(xDomain, [a.left, a.right]);
  const yDomain = paddedDomain(Math.min(0, ...all.map((p) => p.mean)), Math.max(...all.map((p) => p.mean)));
  const y = linearScale(yDomain, [a.bottom, a.top]);
  const xTicks = linearTicks(xDomain[0], xDomain[1]).filter((v) => Number.isInteger(v));
  const yTicks = linearTicks(yDomain[0], yDomain[1]);
  const parts = [
    axes(frame, x, y, xTicks, yTicks, {
      title,
      x: 'epoch',
      y: 'validation loss (mean over seeds)',
      xTick: String,
      yTick: (v) => String(Number(v.toPrecision(3))),
    }),
  ];
  const present = APPROACHES.filter((ap) => curves.some((c) => c.approach === ap && c.points.length > 0));
  for (const approach of present) {
    const curve = curves.find((c) => c.approach === approach)!;
    const colour = SERIES_COLOURS[approach] ?? '#888';
    parts.push(
      element('path', {
        d: polylinePath(curve.points.map((p): [number, number] => [x(p.epoch), y(p.mean)])),
        fill: 'none',
        stroke: colour,
        'stroke-width': 2,
        class: 'line',
        'data-approach': approach,
      }),
    );
  }
  parts.push(legend(frame, present));
  return svg(frame, title, parts.join('\n'));
}
