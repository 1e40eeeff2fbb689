import { describe, expect, it } from 'vitest';
import { holmAdjust } from '../../../benchmarks/analysis/multiple-testing.js';
import { pairedDifference, seedsToSettle } from '../../../benchmarks/analysis/paired.js';
import { wilcoxonSignedRank } from '../../../benchmarks/analysis/wilcoxon.js';

describe('paired t-test', () => {
  it('matches scipy.stats.ttest_rel', () => {
    // ttest_rel([0.6, 0.7, 0.8], [0.2, 0.4, 0.3]): t = 6.928203, p = 0.020204102886728775, df = 2
    const d = pairedDifference([
      { seed: 0, variant: 0.6, scratch: 0.2 },
      { seed: 1, variant: 0.7, scratch: 0.4 },
      { seed: 2, variant: 0.8, scratch: 0.3 },
    ]);
    expect(d.pValue).toBeCloseTo(0.020204102886728775, 10);
    expect(d.interval!.df).toBe(2);
    expect(d.differences.length).toBe(3);
  });

  it('has no test with one pair, and p = 0 when every seed moved by the same amount', () => {
    expect(pairedDifference([{ seed: 0, variant: 0.6, scratch: 0.5 }]).pValue).toBeNull();
    const same = pairedDifference([
      { seed: 0, variant: 0.6, scratch: 0.2 },
      { seed: 1, variant: 0.7, scratch: 0.3 },
    ]);
    expect(same.pValue).toBe(0);
    expect(same.interval!.high - same.interval!.low).toBe(0);
  });

  it('estimates the seeds that would settle a difference: more for a smaller effect or a stricter level', () => {
    // effect 1 sd at α = 0.05: a paired t-test needs about 10 pairs for 80% power
    const one = seedsToSettle(0.01, 0.01, 0.05)!;
    expect(one).toBeGreaterThanOrEqual(9);
    expect(one).toBeLessThanOrEqual(11);
    expect(seedsToSettle(0.005, 0.01, 0.05)!).toBeGreaterThan(one);
    expect(seedsToSettle(0.01, 0.01, 0.005)!).toBeGreaterThan(one);
    expect(seedsToSettle(0, 0.01, 0.05)).toBeNull();
  });
});

describe('Holm correction', () => {
  it('multiplies the i-th smallest p by m − i, keeps the running maximum, caps at 1 and skips nulls', () => {
    // p = 0.01, 0.04, 0.03, null, 0.5 (m = 4): sorted 0.01·4 = 0.04, 0.03·3 = 0.09, 0.04·2 = 0.08 → 0.09, 0.5·1
    const adjusted = holmAdjust([0.01, 0.04, 0.03, null, 0.5]);
    expect(adjusted[0]).toBeCloseTo(0.04, 12);
    expect(adjusted[1]).toBeCloseTo(0.09, 12);
    expect(adjusted[2]).toBeCloseTo(0.09, 12);
    expect(adjusted[3]).toBeNull();
    expect(adjusted[4]).toBeCloseTo(0.5, 12);
    expect(holmAdjust([0.6, 0.7])).toEqual([1, 1]);
  });
});

describe('Wilcoxon signed-rank test', () => {
  it('matches scipy.stats.wilcoxon: exact without ties or zeros, normal approximation beyond 50', () => {
    // wilcoxon([0.1, 0.2, -0.05, 0.3, 0.4, 0.15, 0.25, 0.35]) → statistic 1.0, p = 0.015625
    const small = wilcoxonSignedRank([0.1, 0.2, -0.05, 0.3, 0.4, 0.15, 0.25, 0.35]);
    expect(small).toMatchObject({ n: 8, statistic: 1, method: 'exact' });
    expect(small.pValue).toBeCloseTo(0.015625, 12);
    // d = [round((i + 1) · 10 − 100) / 1000 for i in range(60)] (one zero, dropped; ties between ±0.01 … ±0.09):
    // wilcoxon(d) → statistic 85.5, p = 1.5915949851635297e-09
    const large = wilcoxonSignedRank(Array.from({ length: 60 }, (_, i) => Math.round((i + 1) * 10 - 100) / 1000));
    expect(large.method).toBe('normal');
    expect(large.statistic).toBe(85.5);
    expect(large.pValue / 1.5915949851635297e-9).toBeCloseTo(1, 6);
  });

  it('stays exact with tied differences, by the sign-flip distribution of the mid-ranks', () => {
    // 0.1, 0.1, 0.1 all positive: each of 2³ sign patterns equally likely, all-positive is one of them: p = 2/8
    expect(wilcoxonSignedRank([0.1, 0.1, 0.1]).pValue).toBeCloseTo(0.25, 12);
    expect(wilcoxonSignedRank([0, 0]).pValue).toBe(1);
  });
});
