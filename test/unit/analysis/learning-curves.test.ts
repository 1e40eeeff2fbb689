import { describe, expect, it } from 'vitest';
import { fitLearningCurves, percentileInterval, quantile } from '../../../benchmarks/analysis/learning-curves.js';
import { powerLaw, sizeForError, type PowerLawParams } from '../../../benchmarks/analysis/power-law-fit.js';
import type { Approach, TrialRecord } from '../../../benchmarks/domain.js';
import { trial } from '../../support/records.js';

const SIZES = [10, 25, 50, 100, 250, 500, 1000];
const SCRATCH = { a: 2, b: 0.5, c: 0.02 };
const FINETUNE = { a: 0.8, b: 0.5, c: 0.02 };

/** Three seeds per size around the curve: offsets −d, 0, +d, so the seed mean is exactly on the curve. */
function curveTrials(approach: Approach, params: PowerLawParams, sizes = SIZES, spread = 0.004): TrialRecord[] {
  return sizes.flatMap((n) =>
    [-spread, 0, spread].map((offset, seed) => trial(approach, n, 1 - powerLaw(params, n) + offset, { seed })),
  );
}

describe('fitLearningCurves', () => {
  const trials = [...curveTrials('scratch', SCRATCH), ...curveTrials('finetune', FINETUNE)];
  const result = fitLearningCurves(trials, 200);

  it('recovers each approach’s parameters from its seed means', () => {
    const scratch = result.fits.find((f) => f.approach === 'scratch');
    expect(scratch?.kind).toBe('fitted');
    if (scratch?.kind !== 'fitted') return;
    expect(scratch.params.a).toBeCloseTo(SCRATCH.a, 2);
    expect(scratch.params.b).toBeCloseTo(SCRATCH.b, 3);
    expect(scratch.params.c).toBeCloseTo(SCRATCH.c, 3);
    expect(scratch.smallestSize).toBe(10);
    expect(scratch.largestSize).toBe(1000);
    expect(result.seeds).toBe(3);
    expect(result.distinctResamples).toBe(10);
  });

  it('gives bootstrap intervals that contain the true parameters', () => {
    const fit = result.fits.find((f) => f.approach === 'finetune');
    if (fit?.kind !== 'fitted') throw new Error('finetune not fitted');
    expect(fit.intervals).not.toBeNull();
    const { b, c } = fit.intervals!;
    expect(b.low).toBeLessThanOrEqual(FINETUNE.b + 1e-6);
    expect(b.high).toBeGreaterThanOrEqual(FINETUNE.b - 1e-6);
    expect(c.low).toBeLessThanOrEqual(FINETUNE.c + 1e-9);
    expect(c.high).toBeGreaterThanOrEqual(FINETUNE.c - 1e-9);
    expect(fit.replicatesFitted).toBe(200);
  });

  it('draws the fitted curve inside the sizes run and marks the part beyond them as extrapolated', () => {
    const fit = result.fits.find((f) => f.approach === 'scratch');
    if (fit?.kind !== 'fitted') throw new Error('scratch not fitted');
    const inside = fit.curve.filter((p) => !p.extrapolated);
    const outside = fit.curve.filter((p) => p.extrapolated);
    expect(inside[0]!.trainSize).toBe(10);
    expect(inside[inside.length - 1]!.trainSize).toBe(1000);
    expect(outside.length).toBeGreaterThan(0);
    expect(outside.every((p) => p.trainSize > 1000 && p.trainSize <= 2000)).toBe(true);
    for (const p of fit.curve) expect(p.accuracy).toBeCloseTo(1 - powerLaw(SCRATCH, p.trainSize), 3);
  });

  it('reads the data multiplier and the effective data transferred off the fits', () => {
    const m = result.multipliers.find((v) => v.approach === 'finetune')!.sizes.find((s) => s.trainSize === 50)!;
    // Same b and c: scratch matches fine-tuning at n·(a_s/a_f)^(1/b) = 50 · 2.5² = 312.5.
    const expected = sizeForError(SCRATCH, powerLaw(FINETUNE, 50))!;
    expect(expected).toBeCloseTo(312.5, 6);
    expect(m.fromFit!.matchingSize!).toBeCloseTo(312.5, -0.5);
    expect(m.fromFit!.multiplier).toBeCloseTo(6.25, 1);
    expect(m.fromFit!.effectiveData).toBeCloseTo(262.5, -0.5);
    expect(m.fromFit!.extrapolation).toBe('none');
    expect(m.fromFit!.interval!.low!).toBeLessThanOrEqual(m.fromFit!.multiplier!);
    expect(m.fromFit!.interval!.high!).toBeGreaterThanOrEqual(m.fromFit!.multiplier!);
    // Interpolation on the measured curve agrees roughly (linear in log size between 250 and 500).
    expect(m.fromInterpolation.multiplier.kind).toBe('interpolated');
    if (m.fromInterpolation.multiplier.kind === 'interpolated')
      expect(m.fromInterpolation.multiplier.matchingSize).toBeGreaterThan(250);
    expect(m.fromInterpolation.effectiveData).toBeGreaterThan(200);
  });

  it('marks a matching size beyond the largest size run as an extrapolation', () => {
    const m = result.multipliers.find((v) => v.approach === 'finetune')!.sizes.find((s) => s.trainSize === 500)!;
    expect(m.fromFit!.matchingSize!).toBeGreaterThan(1000);
    expect(m.fromFit!.extrapolation).toBe('beyond-largest');
    expect(m.fromInterpolation.multiplier.kind).toBe('more-than-largest');
  });

  it('says never (null) when the variant is below scratch’s fitted floor', () => {
    const low = fitLearningCurves(
      [...curveTrials('scratch', { a: 1, b: 0.6, c: 0.1 }), ...curveTrials('partial', { a: 1, b: 0.6, c: 0.01 })],
      50,
    );
    const m = low.multipliers.find((v) => v.approach === 'partial')!.sizes.find((s) => s.trainSize === 1000)!;
    expect(m.fromFit!.matchingSize).toBeNull();
    expect(m.fromFit!.multiplier).toBeNull();
    expect(m.fromFit!.effectiveData).toBeNull();
    expect(m.fromFit!.extrapolation).toBe('beyond-largest');
  });

  it('refuses an approach with fewer than four sizes, with the reason, and still fits the others', () => {
    const mixed = fitLearningCurves(
      [...curveTrials('scratch', SCRATCH), ...curveTrials('linear-probe', FINETUNE, [10, 100, 1000])],
      50,
    );
    const probe = mixed.fits.find((f) => f.approach === 'linear-probe')!;
    expect(probe.kind).toBe('refused');
    if (probe.kind === 'refused') expect(probe.reason).toMatch(/4 or more training-set sizes; this curve has 3/);
    expect(mixed.fits.find((f) => f.approach === 'scratch')!.kind).toBe('fitted');
    const sizes = mixed.multipliers.find((v) => v.approach === 'linear-probe')!.sizes;
    expect(sizes.every((s) => s.fromFit === null)).toBe(true);
    expect(sizes[0]!.fromInterpolation.multiplier.kind).not.toBe('no-data');
  });

  it('leaves out trials that are not done', () => {
    const withFailed = [...trials, trial('scratch', 10, 0.99, { seed: 0, status: 'failed' })];
    const again = fitLearningCurves(withFailed, 50);
    const a = result.fits.find((f) => f.approach === 'scratch');
    const b = again.fits.find((f) => f.approach === 'scratch');
    if (a?.kind !== 'fitted' || b?.kind !== 'fitted') throw new Error('not fitted');
    expect(b.params).toEqual(a.params);
  });

  it('is deterministic: the same results give the same intervals', () => {
    expect(fitLearningCurves(trials, 200)).toEqual(result);
  });

  it('with the test set redrawn, carries the test set’s noise: intervals wider than over the 10 seed resamples alone', () => {
    const distinct = (fits: ReturnType<typeof fitLearningCurves>) => {
      const f = fits.fits.find((x) => x.approach === 'scratch');
      if (f?.kind !== 'fitted') throw new Error('not fitted');
      return { point: f.curve[0]!, width: f.intervals!.c.high - f.intervals!.c.low };
    };
    const withTest = fitLearningCurves(trials, 200, 500);
    expect(withTest.testExamples).toBe(500);
    expect(result.distinctResamples).toBe(10);
    // seeds alone: the fitted floor c takes at most 10 values over the replicates; with the test set, many more
    const seedsOnly = distinct(result);
    const both = distinct(withTest);
    expect(both.width).toBeGreaterThan(seedsOnly.width);
    expect(both.point.high! - both.point.low!).toBeGreaterThan(seedsOnly.point.high! - seedsOnly.point.low!);
  });
});

describe('percentile intervals', () => {
  it('interpolates between order statistics and keeps Infinity as an upper end', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, Infinity, Infinity], 0.9)).toBe(Infinity);
    expect(percentileInterval([1, 2, 3])).toBeNull();
    const values = Array.from({ length: 41 }, (_, i) => i);
    expect(percentileInterval(values)).toEqual({ low: 1, high: 39 });
  });
});
