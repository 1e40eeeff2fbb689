import { describe, expect, it } from 'vitest';
import { columnsGuide, presentRows, undocumented } from '../../../benchmarks/export/csv-columns.js';

describe('exported columns', () => {
  it('writes accuracies in percent and differences in points, rounded to what was measured', () => {
    const shown = presentRows(
      'comparison.csv',
      [{ approach: 'finetune', difference_mean: -0.0020000000000000018, data_multiplier: 1.23456, significant: null }],
      ['approach', 'difference_mean', 'data_multiplier', 'significant'],
    );
    expect(shown.headers).toEqual(['approach', 'difference_mean_pts', 'data_multiplier', 'significant']);
    expect(shown.rows[0]).toEqual({
      approach: 'finetune',
      difference_mean_pts: -0.2,
      data_multiplier: 1.23,
      significant: null,
    });
    const trial = presentRows(
      'trials.csv',
      [{ test_accuracy: 0.90625, test_loss: 0.123456789, x: -0 }],
      ['test_accuracy', 'test_loss', 'x'],
    );
    expect(trial.rows[0]).toEqual({ test_accuracy_pct: 90.63, test_loss: 0.1235, x: -0 });
    expect(
      Object.is(
        presentRows('comparison.csv', [{ difference_mean: -0.00001 }], ['difference_mean']).rows[0]!
          .difference_mean_pts,
        0,
      ),
    ).toBe(true);
  });

  it('explains every column it writes, under its written name', () => {
    expect(undocumented('comparison.csv', ['lr_candidates', 'multiplier_note', 'excluded'])).toEqual([
      'lr_candidates',
      'excluded',
    ]);
    expect(
      undocumented('summary.csv', ['excluded', 'test_loss_ci_low', 'wall_seconds_std', 'train_flops_mean']),
    ).toEqual([]);
    const guide = columnsGuide([
      { name: 'summary.csv', kind: 'summary.csv', columns: ['n', 'test_accuracy_mean', 'bogus'] },
    ]);
    expect(guide).toContain(
      '| `test_accuracy_mean_pct` | Mean test accuracy over the done trials (seeds), in percent. |',
    );
    expect(guide).toContain('| `bogus` | not described |');
  });
});
