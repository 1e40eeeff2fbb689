import { describe, expect, it } from 'vitest';
import { analyzeSuite } from '../../../benchmarks/analysis/analyze-suite.js';
import { renderReport } from '../../../benchmarks/report/render-report.js';
import { sourcesSection } from '../../../benchmarks/report/sources-section.js';
import { suite, trials } from '../../support/records.js';
import { twoSources } from '../analysis/sources-scenario.js';

describe('the report of a suite with several sources', () => {
  const { suite: s, trials: all } = twoSources();
  const analysis = analyzeSuite(s, all, []);

  it('has a Sources section: each source, its pretraining, its answer per size and whether the source matters', () => {
    const blocks = sourcesSection(analysis);
    expect(blocks[0]).toEqual({ kind: 'heading', level: 2, text: 'Sources' });
    const table = blocks.find((b) => b.kind === 'table');
    expect(table?.kind === 'table' && table.rows.map((r) => [r[0], r[1], r[2]])).toEqual([
      // scratch: 40% at 10, 80% at 100 examples; matching 50% takes 10^(0.1/0.4) = 1.78× the data
      ['near', 'fine-tuning', '+40.0 (×10 data)'],
      ['near', 'the linear probe', '+30.0 (×5.6 data)'],
      ['far', 'fine-tuning', '+10.0 (×1.8 data)'],
      ['far', 'the linear probe', '−10.0'],
    ]);
    const last = blocks.at(-1)!;
    expect(last.kind === 'paragraph' && last.text).toMatch(/^Does the source matter\? Holds up to 100 examples\./);
  });

  it('names the source in every table, claim and the setup', () => {
    const md = renderReport(analysis, s, all, [], 'md');
    expect(md).toContain('## Sources');
    expect(md).toContain('Source near');
    expect(md).toContain('fine-tuning from far');
    expect(md).toContain('(pretrained on far)');
    expect(md).toMatch(/Should we fine-tune a model pretrained on .* or on .* or train from scratch/);
  });

  it('leaves a single-source report without it', () => {
    const one = analyzeSuite(
      suite(),
      [...trials('scratch', 10, [0.4, 0.5]), ...trials('finetune', 10, [0.6, 0.7])],
      [],
    );
    expect(sourcesSection(one)).toEqual([]);
  });
});
