import type { Variant, VariantComparison } from '../analysis/comparison.js';

const sourceOf = (x: { source?: string }): { source?: string } => (x.source === undefined ? {} : { source: x.source });

/**
 * A data multiplier drawn on a data-efficiency chart: a horizontal arrow at the variant's mean test accuracy at
 * `from`, pointing to `to` = the (interpolated) size at which scratch's curve reaches that accuracy; `to / from` is
 * the multiplier. Shared by the desktop app's chart and the report's SVG chart; pure, no Node or zod imports.
 */
export interface MultiplierArrow {
  approach: Variant;
  /** The source the variant starts from, in a suite with several. */
  source?: string;
  from: number;
  to: number;
  /** The variant's mean test accuracy at `from`: the height of the arrow. */
  accuracy: number;
  multiplier: number;
  /** "×1.5 data". */
  label: string;
  /** Index by decreasing accuracy among the arrows: even slots label above the arrow, odd ones below. */
  slot: number;
}

/** "×1.5", "×12": the same rounding as the app's Answer table. */
export function timesText(multiplier: number): string {
  return `×${multiplier >= 10 ? multiplier.toFixed(0) : multiplier.toFixed(1)}`;
}

/** The multiplier of a variant at a size when it can be drawn: interpolated, with scratch needing more data. */
function drawableMultiplier(comparison: VariantComparison, size: number) {
  const at = comparison.sizes.find((s) => s.trainSize === size);
  if (!at || at.multiplier.kind !== 'interpolated' || at.multiplier.scratchAhead) return null;
  return { accuracy: at.variantMean, matchingSize: at.multiplier.matchingSize, multiplier: at.multiplier.multiplier };
}

/**
 * The size whose data multipliers are marked when none is picked: the smallest size at which some variant is ahead
 * of scratch with a multiplier read off scratch's curve (interpolated, more than 1×). Null when none is.
 */
export function defaultMarkedSize(comparisons: readonly VariantComparison[]): number | null {
  const sizes = comparisons.flatMap((c) => c.sizes.map((s) => s.trainSize).filter((n) => drawableMultiplier(c, n)));
  return sizes.length === 0 ? null : Math.min(...sizes);
}

/**
 * The arrows at `size`, highest first: one per variant whose data multiplier there was interpolated with scratch
 * behind. Bounds (at most, more than the largest size run), sizes where scratch is ahead and a null size draw nothing.
 */
export function multiplierArrows(comparisons: readonly VariantComparison[], size: number | null): MultiplierArrow[] {
  if (size === null) return [];
  return comparisons
    .flatMap((c) => {
      const m = drawableMultiplier(c, size);
      return m ? [{ approach: c.approach, ...sourceOf(c), ...m }] : [];
    })
    .sort((a, b) => b.accuracy - a.accuracy)
    .map((a, slot) => ({
      approach: a.approach,
      ...sourceOf(a),
      from: size,
      to: a.matchingSize,
      accuracy: a.accuracy,
      multiplier: a.multiplier,
      label: `${timesText(a.multiplier)} data`,
      slot,
    }));
}
