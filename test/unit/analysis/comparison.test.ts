import { describe, expect, it } from 'vitest';
import { compareToScratch } from '../../../benchmarks/analysis/comparison.js';
import { trial, trials } from '../../support/records.js';

describe('compareToScratch', () => {
  const input = [
    ...trials('scratch', 10, [0.2, 0.4, 0.3]),
    ...trials('scratch', 100, [0.6, 0.6, 0.6]),
    ...trials('scratch', 1000, [0.8, 0.8, 0.8]),
    ...trials('finetune', 10, [0.6, 0.7, 0.8]),
    ...trials('finetune', 100, [0.75, 0.8, 0.85]),
    ...trials('finetune', 1000, [0.81, 0.8, 0.79]),
    trial('linear-probe', 10, 0.5),
    trial('linear-probe', 5000, 0.9),
    trial('scratch', 1000, 0.99, { seed: 9, status: 'failed' }),
  ];
  const result = compareToScratch(input);

  it('compares each variant that has results, in approach order', () => {
    expect(result.map((c) => [c.approach, c.baseline])).toEqual([
      ['finetune', 'scratch'],
      ['linear-probe', 'scratch'],
    ]);
  });

  it('computes per-size paired differences (same seeds), paired t-tests and Holm over every variant × size', () => {
    const ft = result[0]!;
    expect(ft.sizes.map((s) => s.trainSize)).toEqual([10, 100, 1000]);
    const at10 = ft.sizes[0]!;
    // seed by seed: 0.6 − 0.2, 0.7 − 0.4, 0.8 − 0.3 = 0.4, 0.3, 0.5: mean 0.4, s = 0.1, half = 4.3027 · 0.1/√3
    expect(at10.difference!.difference).toBeCloseTo(0.4, 12);
    expect(at10.difference!.differences.map((d) => Number(d.toFixed(12)))).toEqual([0.4, 0.3, 0.5]);
    expect(at10.difference!.interval!.low).toBeCloseTo(0.4 - 0.24841, 4);
    expect(at10.difference!.interval!.df).toBe(2);
    // t = 0.4 / (0.1/√3) = 6.9282 on 2 df: two-sided p = 1 − t/√(2 + t²) = 0.020204
    expect(at10.difference!.pValue).toBeCloseTo(0.020204, 5);
    // at 100: 0.15, 0.2, 0.25 → the same t and p. Holm over the three tests with a p-value (the linear probe's one
    // seed has none): 3 · 0.020204 = 0.0606, so neither survives the correction
    expect(ft.sizes[1]!.difference!.pValue).toBeCloseTo(0.020204, 5);
    expect(at10.difference!.family).toBe(3);
    expect(at10.difference!.adjustedP).toBeCloseTo(3 * 0.020204, 5);
    expect(at10.difference!.significant).toBe(false);
    // at 1000: differences 0.01, 0, −0.01: p = 1 (failed trial at 0.99 ignored)
    const at1000 = ft.sizes[2]!;
    expect(at1000.scratchN).toBe(3);
    expect(at1000.difference!.difference).toBeCloseTo(0, 12);
    expect(at1000.difference!.pValue).toBeCloseTo(1, 12);
    expect(at1000.difference!.significant).toBe(false);
  });

  it('adds the multiplier per size and the crossover', () => {
    const ft = result[0]!;
    // finetune at 10 has 0.7: halfway between scratch 0.6 (100) and 0.8 (1000) → 316.2, i.e. 31.6× of 10
    expect(ft.sizes[0]!.multiplier).toMatchObject({ kind: 'interpolated' });
    if (ft.sizes[0]!.multiplier.kind === 'interpolated')
      expect(ft.sizes[0]!.multiplier.multiplier).toBeCloseTo(31.623, 2);
    // finetune at 1000 is 0.8 = scratch at 1000 → exactly 1×, scratch not behind
    expect(ft.sizes[2]!.multiplier).toMatchObject({ kind: 'interpolated', multiplier: 1, scratchAhead: true });
    expect(ft.crossover).toMatchObject({ kind: 'reached', trainSize: 1000 });
  });

  it('handles a variant at a size scratch did not run (missing sizes) and one seed', () => {
    const lp = result[1]!;
    const at5000 = lp.sizes[1]!;
    expect(at5000.scratchMean).toBeNull();
    expect(at5000.difference).toBeNull();
    expect(at5000.multiplier).toMatchObject({ kind: 'more-than-largest', largestSize: 1000 });
    // one seed: paired with scratch's seed 0 (0.5 − 0.2), a difference but no interval and no test
    expect(lp.sizes[0]!.difference).toMatchObject({ interval: null, significant: null, pValue: null, pairs: 1 });
    expect(lp.sizes[0]!.difference!.difference).toBeCloseTo(0.3, 12);
    // compared only at 10, where it is 20 points ahead
    expect(lp.crossover).toMatchObject({ kind: 'not-reached', largestSize: 10 });
  });

  it('calls the data multiplier "not defined" where a lead within the noise sits on curves flat within the noise', () => {
    // both flat at about 97% from 500 to 2,000 (seed noise ±0.5 points, 500 test examples); fine-tuning +0.2 at 1,000
    const flat = [
      ...trials('scratch', 500, [0.968, 0.972, 0.965]),
      ...trials('scratch', 1000, [0.97, 0.966, 0.972]),
      ...trials('scratch', 2000, [0.972, 0.969, 0.974]),
      ...trials('finetune', 500, [0.969, 0.97, 0.967]),
      ...trials('finetune', 1000, [0.974, 0.966, 0.974]),
      ...trials('finetune', 2000, [0.97, 0.972, 0.971]),
    ];
    const [ft] = compareToScratch(flat, 0.01, 500);
    expect(ft!.sizes[1]!.difference!.difference).toBeCloseTo(0.002, 12);
    expect(ft!.sizes[1]!.multiplier).toEqual({ kind: 'not-defined' });
    // on the steep part of a curve (the scenario above) the multiplier stays a number
    expect(result[0]!.sizes[0]!.multiplier.kind).toBe('interpolated');
    // the same small lead where scratch's curve still climbs is not "flat": a number (or a bound), not "not defined"
    const climbing = flat.map((t) =>
      t.approach === 'scratch' && t.trainSize === 2000 ? { ...t, testAccuracy: 0.995 } : t,
    );
    expect(compareToScratch(climbing, 0.01, 500)[0]!.sizes[1]!.multiplier.kind).not.toBe('not-defined');
  });

  it('uses a configurable tolerance', () => {
    const loose = compareToScratch(input, 0.25);
    expect(loose[0]!.crossover).toMatchObject({ kind: 'reached', trainSize: 100 });
  });
});
