import { describe, expect, it } from 'vitest';
import {
  fitPowerLaw,
  FitRefused,
  powerLaw,
  sizeForError,
  type PowerLawParams,
} from '../../../benchmarks/analysis/power-law-fit.js';
import { createRng } from '../../../benchmarks/datasets/seeded-random.js';

const SIZES = [10, 25, 50, 100, 250, 500, 1000, 2000, 4000];

function generated(params: PowerLawParams, sizes = SIZES, noise = 0, seed = 1) {
  const rng = createRng(seed);
  return sizes.map((trainSize) => ({ trainSize, error: powerLaw(params, trainSize) + noise * (rng() * 2 - 1) }));
}

describe('fitPowerLaw', () => {
  it.each([
    { a: 1.2, b: 0.5, c: 0.02 },
    { a: 0.8, b: 0.9, c: 0.05 },
    { a: 3, b: 0.35, c: 0 },
    { a: 0.4, b: 1.6, c: 0.15 },
  ])('recovers a·n^(−b) + c = %o from exact points', (params) => {
    const fit = fitPowerLaw(generated(params));
    expect(fit.a).toBeCloseTo(params.a, 3);
    expect(fit.b).toBeCloseTo(params.b, 4);
    expect(fit.c).toBeCloseTo(params.c, 4);
    expect(fit.rss).toBeLessThan(1e-12);
    expect(fit.sizes).toBe(SIZES.length);
  });

  it('recovers the parameters from four sizes, the fewest it accepts', () => {
    const params = { a: 1.5, b: 0.7, c: 0.03 };
    const fit = fitPowerLaw(generated(params, [10, 100, 1000, 4000]));
    expect(fit.a).toBeCloseTo(params.a, 3);
    expect(fit.b).toBeCloseTo(params.b, 4);
    expect(fit.c).toBeCloseTo(params.c, 4);
  });

  it('stays close to the parameters with noise of the size seed means carry (±0.3 points)', () => {
    const params = { a: 1.2, b: 0.6, c: 0.02 };
    const fit = fitPowerLaw(generated(params, SIZES, 0.003, 7));
    expect(fit.b).toBeGreaterThan(0.5);
    expect(fit.b).toBeLessThan(0.7);
    expect(Math.abs(fit.c - params.c)).toBeLessThan(0.01);
    for (const n of SIZES) expect(Math.abs(powerLaw(fit, n) - powerLaw(params, n))).toBeLessThan(0.004);
  });

  it('fits a curve without a floor with c = 0 rather than a negative floor', () => {
    // Pure power law plus a small negative offset: the best unconstrained c is < 0, the fit keeps c ≥ 0.
    const fit = fitPowerLaw(generated({ a: 1, b: 0.5, c: -0.01 }));
    expect(fit.c).toBe(0);
    expect(fit.a).toBeGreaterThan(0);
  });

  it('fits a flat curve with a = 0 and the mean as the floor', () => {
    const fit = fitPowerLaw(SIZES.map((trainSize) => ({ trainSize, error: 0.1 })));
    expect(fit.a).toBeCloseTo(0, 12);
    expect(fit.c).toBeCloseTo(0.1, 12);
  });

  it('never lets the error rise with more data (a ≥ 0)', () => {
    const fit = fitPowerLaw(SIZES.map((trainSize, i) => ({ trainSize, error: 0.05 + i * 0.01 })));
    expect(fit.a).toBeGreaterThanOrEqual(0);
    expect(fit.c).toBeGreaterThanOrEqual(0);
  });

  it('refuses three sizes with a message that says how many it needs and what to do', () => {
    const points = generated({ a: 1, b: 0.5, c: 0.02 }, [10, 100, 1000]);
    expect(() => fitPowerLaw(points)).toThrow(FitRefused);
    expect(() => fitPowerLaw(points)).toThrow(
      /needs results at 4 or more training-set sizes; this curve has 3\. Add sizes/,
    );
  });

  it('counts distinct sizes, not points: three sizes with several seeds each are still too few', () => {
    const points = [10, 10, 100, 100, 1000, 1000].map((trainSize) => ({ trainSize, error: 1 / Math.sqrt(trainSize) }));
    expect(() => fitPowerLaw(points)).toThrow(/this curve has 3/);
  });

  it('refuses a value that is not a number', () => {
    const points = [...generated({ a: 1, b: 0.5, c: 0 }), { trainSize: 8000, error: Number.NaN }];
    expect(() => fitPowerLaw(points)).toThrow(/not a number/);
  });
});

describe('sizeForError', () => {
  it('inverts the power law', () => {
    const params = { a: 1.2, b: 0.5, c: 0.02 };
    expect(sizeForError(params, powerLaw(params, 321))).toBeCloseTo(321, 6);
  });

  it('says never (null) for an error at or below the floor', () => {
    expect(sizeForError({ a: 1, b: 0.5, c: 0.05 }, 0.05)).toBeNull();
    expect(sizeForError({ a: 1, b: 0.5, c: 0.05 }, 0.01)).toBeNull();
    expect(sizeForError({ a: 0, b: 0.5, c: 0.05 }, 0.2)).toBeNull();
  });
});
