import type { Approach } from '../domain.js';
import type { LineSeriesOption } from './chart-option.js';
import { armColour, type ChartPalette } from './palette.js';
import { armLabel } from '../spec/sources.js';

/** One approach's fitted learning curve as the analysis gives it (accuracy = 1 − fitted error). */
export interface FitLine {
  approach: Approach;
  /** The source the approach starts from, in a suite with several. */
  source?: string;
  curve: readonly { trainSize: number; accuracy: number; extrapolated: boolean }[];
}

/**
 * ECharts series drawing fitted learning curves: per approach a thin solid line over the sizes run and a dashed
 * continuation beyond the largest (an extrapolation), both named after the approach so its legend entry hides them
 * with its points. Silent: hovering reads the measured points, not the fit.
 */
export function fitSeries(fits: readonly FitLine[], palette: ChartPalette): LineSeriesOption[] {
  const series: LineSeriesOption[] = [];
  for (const fit of fits) {
    const colour = armColour(palette, fit);
    const name = armLabel(fit);
    const inside = fit.curve.filter((p) => !p.extrapolated);
    const lastInside = inside[inside.length - 1];
    // The dashed part starts where the solid part ends, so the two meet.
    const outside = [...(lastInside ? [lastInside] : []), ...fit.curve.filter((p) => p.extrapolated)];
    const base = {
      type: 'line' as const,
      name,
      color: colour,
      symbol: 'none',
      silent: true,
      smooth: false,
      z: 3,
      tooltip: { show: false },
    };
    series.push({
      ...base,
      id: `fit:${name}`,
      data: inside.map((p) => [p.trainSize, p.accuracy]),
      lineStyle: { width: 1.5, opacity: 0.85 },
    });
    if (outside.length > 1)
      series.push({
        ...base,
        id: `fit-extrapolated:${name}`,
        data: outside.map((p) => [p.trainSize, p.accuracy]),
        lineStyle: { width: 1.5, opacity: 0.85, type: [5, 4] },
      });
  }
  return series;
}

/** The largest size a fit is drawn to (its extrapolated end); null without fits. */
export function fitExtent(fits: readonly FitLine[]): number | null {
  const sizes = fits.flatMap((f) => f.curve.map((p) => p.trainSize));
  return sizes.length > 0 ? Math.max(...sizes) : null;
}
