import type { DataMultiplier, SizeComparison } from '$engine/contract.js';
import { isLevel } from '$engine/charts/answer-text.js';

/** How a difference reads: the variant significantly ahead of or behind scratch, or not distinguishable. */
export type DifferenceTone = 'ahead' | 'behind' | 'unsure';

export interface DifferenceCell {
  /** "+2.9 ± 13.9" in percentage points; "+2.9" without an interval. */
  text: string;
  tone: DifferenceTone;
  /** Spelled out for the tooltip and screen readers. */
  title: string;
}

function points(value: number): string {
  const p = value * 100;
  const rounded = Math.abs(p) < 0.05 ? 0 : p;
  return `${rounded > 0 ? '+' : rounded < 0 ? '−' : '±'}${Math.abs(rounded).toFixed(1)}`;
}

/**
 * The variant's test accuracy minus scratch's at one size, in percentage points with the paired 95% half-width;
 * "level" when the difference is zero to the tenth of a point shown.
 */
export function differenceCell(size: SizeComparison): DifferenceCell | null {
  const d = size.difference;
  if (!d) return null;
  const half = d.interval ? (d.interval.high - d.interval.low) / 2 : null;
  const value = isLevel(d.difference) ? 'level' : points(d.difference);
  const text = half === null ? value : `${value} ± ${(half * 100).toFixed(1)}`;
  const tone: DifferenceTone = d.significant ? (d.difference > 0 ? 'ahead' : 'behind') : 'unsure';
  const verdict =
    d.significant === null
      ? 'one seed on a side: no interval'
      : d.significant
        ? 'significant at 95% after Holm'
        : 'not significant at 95% after Holm';
  return {
    text,
    tone,
    title: `${text} points vs scratch (${size.variantN} vs ${size.scratchN} seeds; ${verdict})`,
  };
}

/** How much more data scratch needs to match the variant: "×1.3", "> ×8", "none" when scratch already matches it. */
export function multiplierText(m: DataMultiplier): string | null {
  const times = (x: number) => `×${x >= 10 ? x.toFixed(0) : x.toFixed(1)}`;
  switch (m.kind) {
    case 'interpolated':
      return m.scratchAhead ? 'none' : times(m.multiplier);
    case 'at-most':
      return m.scratchAhead ? 'none' : `≤ ${times(m.multiplierAtMost)}`;
    case 'more-than-largest':
      return `> ${times(m.multiplierAbove)}`;
    case 'not-defined':
      return 'not defined';
    case 'no-data':
      return null;
  }
}
