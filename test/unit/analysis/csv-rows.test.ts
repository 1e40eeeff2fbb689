import { describe, expect, it } from 'vitest';
import { analyzeSuite } from '../../../benchmarks/analysis/analyze-suite.js';
import { comparisonRows, summaryRows } from '../../../benchmarks/analysis/csv-rows.js';
import type { TrialRecord } from '../../../benchmarks/domain.js';
import { suite, trial, trials } from '../../support/records.js';
import { scenario } from './scenario.js';

describe('summaryRows', () => {
  const input = [
    trial('finetune', 50, 0.8, { seed: 0, testLoss: 0.5, wallSeconds: 10, trainFlops: 100 }),
    trial('finetune', 50, 0.9, { seed: 1, testLoss: 0.3, wallSeconds: 20, trainFlops: 100 }),
    trial('finetune', 50, 1.0, { seed: 2, testLoss: 0.1, wallSeconds: 30, trainFlops: 100 }),
    trial('scratch', 50, 0.4, { seed: 0, wallSeconds: 4 }),
    trial('scratch', 50, null, { seed: 1, status: 'failed', error: 'boom' }),
    trial('scratch', 100, null, { seed: 0, status: 'diverged' }),
  ];

  it('has the agreed columns first, in order', () => {
    const rows = summaryRows(input);
    expect(Object.keys(rows[0]!).slice(0, 21)).toEqual([
      'approach',
      'source',
      'train_size',
      'n',
      'test_accuracy_mean',
      'test_accuracy_std',
      'test_accuracy_ci_low',
      'test_accuracy_ci_high',
      'wall_seconds_mean',
      'test_loss_mean',
      'test_loss_std',
      'test_loss_ci_low',
      'test_loss_ci_high',
      'wall_seconds_std',
      'wall_seconds_ci_low',
      'wall_seconds_ci_high',
      'train_flops_mean',
      'train_flops_std',
      'train_flops_ci_low',
      'train_flops_ci_high',
      'test_accuracy_min',
    ]);
  });

  it('sorts by approach order and size, and fills hand-computed values', () => {
    const rows = summaryRows(input);
    expect(rows.map((r) => [r.approach, r.train_size, r.n, r.excluded])).toEqual([
      ['scratch', 50, 1, 1],
      ['scratch', 100, 0, 1],
      ['finetune', 50, 3, 0],
    ]);
    const ft = rows[2]!;
    expect(ft.test_accuracy_mean).toBeCloseTo(0.9, 12);
    expect(ft.test_accuracy_std).toBeCloseTo(0.1, 12);
    // no test-set size given: the seeds alone on the logit scale, expit(logit(0.9) − 4.3027 · (0.1/√3) / (0.9 · 0.1))
    expect(ft.test_accuracy_ci_low).toBeCloseTo(1 / (1 + Math.exp(-(2.197225 - 2.760182))), 4);
    expect(ft.wall_seconds_mean).toBe(20);
    expect(ft.wall_seconds_std).toBe(10);
    // 20 ± 4.3027 · 10 / √3
    expect(ft.wall_seconds_ci_high).toBeCloseTo(44.841, 2);
    expect(ft.test_loss_mean).toBeCloseTo(0.3, 12);
    expect(ft.train_flops_std).toBe(0);
    expect(ft.train_flops_ci_low).toBe(100);
  });

  it('leaves statistics empty (null) where a group has no value', () => {
    const rows = summaryRows(input);
    expect(rows[1]!.test_accuracy_mean).toBeNull();
    expect(rows[0]!.test_loss_mean).toBeNull();
    expect(rows[0]!.test_accuracy_std).toBe(0);
  });
});

describe('comparisonRows', () => {
  const { suite: s, trials: t, epochs } = scenario();
  const rows = comparisonRows(analyzeSuite(s, t, epochs));

  it('has the agreed columns in order, one row per variant and size', () => {
    expect(Object.keys(rows[0]!)).toEqual([
      'approach',
      'source',
      'baseline',
      'train_size',
      'difference_mean',
      'difference_ci_low',
      'difference_ci_high',
      'significant',
      'data_multiplier',
      'multiplier_note',
      'crossover_size',
      'crossover_note',
      'scratch_matching_size',
      'paired_seeds',
      'p_value',
      'p_holm',
      'holm_family',
    ]);
    expect(rows.map((r) => [r.approach, r.baseline, r.train_size])).toEqual([
      ['finetune', 'scratch', 10],
      ['finetune', 'scratch', 100],
      ['finetune', 'scratch', 1000],
    ]);
  });

  it('carries the hand-computed values', () => {
    const at10 = rows[0]!;
    expect(at10.difference_mean).toBeCloseTo(0.4, 12);
    // paired differences 0.4, 0.3, 0.5: 0.4 ± 4.3027 · 0.1/√3; t = 6.928 on 2 df, p = 0.020204; Holm over 3 tests
    // (p at 100 is smaller, so 10's p is multiplied by 2): 0.040408
    expect(at10.difference_ci_low).toBeCloseTo(0.4 - 0.24841, 4);
    expect(at10.paired_seeds).toBe(3);
    expect(at10.p_value).toBeCloseTo(0.020204, 5);
    expect(at10.p_holm).toBeCloseTo(0.040408, 5);
    expect(at10.holm_family).toBe(3);
    expect(at10.significant).toBe('true');
    expect(at10.data_multiplier).toBeCloseTo(31.623, 2);
    expect(at10.multiplier_note).toBe('');
    expect(at10.crossover_size).toBe(1000);
    expect(rows[2]!.significant).toBe('false');
    // at 1000 fine-tuning (0.805) is above scratch's largest mean (0.8)
    expect(rows[2]!).toMatchObject({
      data_multiplier: 1,
      multiplier_note: 'more than: scratch does not reach it within the largest size run',
    });
  });

  it('marks a crossover not reached and single seeds', () => {
    const one = comparisonRows(
      analyzeSuite(suite({ seeds: [0] }), [trial('scratch', 10, 0.1), trial('finetune', 10, 0.9)], []),
    );
    expect(one[0]).toMatchObject({
      difference_ci_low: null,
      significant: null,
      crossover_size: null,
      crossover_note: 'not reached within the sizes run',
      data_multiplier: 1,
    });
  });
});

describe('the source column', () => {
  const fromSource = (source: string) => (t: TrialRecord) => ({ ...t, source });
  const all = [
    ...trials('scratch', 10, [0.4, 0.41, 0.39]),
    ...trials('finetune', 10, [0.8, 0.81, 0.79]).map(fromSource('near')),
    ...trials('finetune', 10, [0.5, 0.51, 0.49]).map(fromSource('far')),
  ];

  it('is empty for a single-source suite', () => {
    const rows = summaryRows(trials('scratch', 10, [0.4, 0.5]));
    expect(rows[0]!.source).toBeNull();
  });

  it('gives every approach from each source its own summary row, never one mixed over sources', () => {
    const rows = summaryRows(all);
    expect(rows.map((r) => [r.approach, r.source, r.n])).toEqual([
      ['scratch', null, 3],
      ['finetune', 'far', 3],
      ['finetune', 'near', 3],
    ]);
    expect(rows.find((r) => r.source === 'near')!.test_accuracy_mean).toBeCloseTo(0.8, 12);
    expect(rows.find((r) => r.source === 'far')!.test_accuracy_mean).toBeCloseTo(0.5, 12);
  });

  it('names the source of each comparison against scratch', () => {
    const s = suite(
      {
        pretrain: undefined,
        sources: [
          { name: 'near', pretrain: { dataset: { kind: 'mnist', classes: [0, 1] }, epochs: 1 } },
          { name: 'far', pretrain: { dataset: { kind: 'mnist', classes: [2, 3] }, epochs: 1 } },
        ],
      },
      { pretrain: null },
    );
    const rows = comparisonRows(analyzeSuite(s, all, []));
    expect(rows.map((r) => [r.approach, r.source, r.train_size])).toEqual([
      ['finetune', 'near', 10],
      ['finetune', 'far', 10],
    ]);
    expect(rows[0]!.difference_mean).toBeCloseTo(0.4, 12);
    expect(rows[1]!.difference_mean).toBeCloseTo(0.1, 12);
  });
});
