import { describe, expect, it } from 'vitest';
import { analyzeSuite } from '../../../benchmarks/analysis/analyze-suite.js';
import { answerMarks, marksToDraw } from '../../../benchmarks/charts/answer-marks.js';
import { curveRuns } from '../../../benchmarks/charts/data/convergence.js';
import { dataEfficiencySeries } from '../../../benchmarks/charts/data/data-efficiency.js';
import { efficiencyOption } from '../../../benchmarks/charts/efficiency-option.js';
import { armColour, armSymbol, chartPalette } from '../../../benchmarks/charts/palette.js';
import { matchesFilter } from '../../../renderer/src/lib/trials/trial-table.js';
import { epochRow, seedTrials } from '../../support/records.js';
import { twoSources } from '../analysis/sources-scenario.js';

const from = (source: string) => (t: ReturnType<typeof seedTrials>[number]) => ({ ...t, source });
const trials = [
  ...seedTrials('scratch', 10, [0.4, 0.5]),
  ...seedTrials('finetune', 10, [0.8, 0.9]).map(from('near')),
  ...seedTrials('finetune', 10, [0.5, 0.6]).map(from('far')),
];

describe('charts of a suite with several sources', () => {
  it('draws one series per approach and source, never one mixed over sources', () => {
    const series = dataEfficiencySeries(trials, 'testAccuracy', 'ci95');
    expect(series.map((s) => [s.approach, s.source, s.points[0]!.mean])).toEqual([
      ['scratch', undefined, 0.45],
      ['finetune', 'far', 0.55],
      ['finetune', 'near', expect.closeTo(0.85, 12)],
    ]);
    const palette = chartPalette('light', ['near', 'far']);
    const { drawn } = efficiencyOption({
      series,
      metric: 'testAccuracy',
      band: 'ci95',
      showSeeds: false,
      chance: null,
      palette,
      target: { kind: 'screen' },
    });
    expect(drawn.map((d) => d.name)).toEqual(['scratch', 'finetune · far', 'finetune · near']);
  });

  it('gives each source of an approach its own shade and marker from the one palette', () => {
    const palette = chartPalette('light', ['near', 'far']);
    expect(armColour(palette, { approach: 'finetune', source: 'near' })).toBe(palette.approach.finetune);
    expect(armColour(palette, { approach: 'finetune' })).toBe(palette.approach.finetune);
    const far = armColour(palette, { approach: 'finetune', source: 'far' });
    expect(far).toMatch(/^#[0-9a-f]{6}$/);
    expect(far).not.toBe(palette.approach.finetune);
    expect(armSymbol(palette, { approach: 'finetune', source: 'far' })).not.toBe(
      armSymbol(palette, { approach: 'finetune', source: 'near' }),
    );
    // a single-source palette is the theme's as it was
    expect(chartPalette('light')).toBe(chartPalette('light', []));
  });

  it('keeps the convergence curves of each source apart', () => {
    const epochs = trials.map((t) => ({ ...epochRow(t, 1), ...(t.source ? { source: t.source } : {}) }));
    expect(curveRuns(trials, epochs, 10).map((r) => [r.approach, r.source, r.runs.length])).toEqual([
      ['scratch', undefined, 2],
      ['finetune', 'far', 2],
      ['finetune', 'near', 2],
    ]);
  });

  it('marks the answer per source and draws a mark only with its own line', () => {
    const { suite, trials: all } = twoSources();
    const analysis = analyzeSuite(suite, all, []);
    const marks = answerMarks(analysis.comparisons, 10).filter((m) => m.kind === 'multiplier');
    expect(marks.map((m) => [m.approach, m.source])).toEqual([
      ['finetune', 'near'],
      ['linear-probe', 'near'],
      ['finetune', 'far'],
    ]);
    expect(marks[0]!.label).toBe('×10 data');
    const drawn = marksToDraw(marks, 'testAccuracy', [{ approach: 'finetune', source: 'far' }]);
    expect(drawn.map((m) => m.source)).toEqual(['far']);
  });

  it('finds trials by source in the trials table', () => {
    const filter = { text: 'far', statuses: [] };
    expect(trials.filter((t) => matchesFilter(t, filter)).map((t) => t.source)).toEqual(['far', 'far']);
  });
});
