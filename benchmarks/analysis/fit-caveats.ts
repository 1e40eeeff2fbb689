import { APPROACH_LABELS, joinList } from './format.js';
import type { LearningCurveFits } from './learning-curves.js';

/** Caveats about the fits: approaches that could not be fitted, and multipliers that rest on extrapolation. */
export function fitCaveats(fits: LearningCurveFits): string[] {
  const caveats: string[] = [];
  const refused = fits.fits.filter((f) => f.kind === 'refused');
  const first = refused[0];
  if (first?.kind === 'refused') {
    const reasons = new Set(refused.map((f) => (f.kind === 'refused' ? f.reason : '')));
    const why = reasons.size === 1 ? first.reason : 'see the fitted learning curves section';
    caveats.push(`No fitted learning curve for ${joinList(refused.map((f) => APPROACH_LABELS[f.approach]))}: ${why}`);
  }
  const extrapolated = fits.multipliers.flatMap((v) =>
    v.sizes.filter((s) => s.fromFit && s.fromFit.extrapolation !== 'none').map(() => v.approach),
  );
  if (extrapolated.length > 0)
    caveats.push(
      `${extrapolated.length} of the fitted data multipliers lie outside the sizes run (marked "extrapolated"): they rest on the fit's shape alone.`,
    );
  return caveats;
}
