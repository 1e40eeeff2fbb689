import { describe, expect, it } from 'vitest';
import { bestEpochRow, overfittingGaps } from '../../../benchmarks/analysis/overfitting.js';
import { epochRow, trial } from '../../support/records.js';

describe('overfittingGaps', () => {
  it('takes train − validation accuracy at each trial best epoch, mean over seeds', () => {
    const a = trial('scratch', 10, 0.5, { seed: 0, bestEpoch: 2 });
    const b = trial('scratch', 10, 0.5, { seed: 1, bestEpoch: null });
    const failed = trial('scratch', 10, null, { seed: 2, status: 'failed', bestEpoch: 1 });
    const epochs = [
      epochRow(a, 1, { trainAccuracy: 0.6, valAccuracy: 0.5, valLoss: 1.0 }),
      epochRow(a, 2, { trainAccuracy: 0.9, valAccuracy: 0.6, valLoss: 0.8 }),
      epochRow(a, 3, { trainAccuracy: 1.0, valAccuracy: 0.55, valLoss: 0.7 }),
      // b has no best epoch: the lowest validation loss (epoch 1) is used
      epochRow(b, 1, { trainAccuracy: 0.7, valAccuracy: 0.6, valLoss: 0.5 }),
      epochRow(b, 2, { trainAccuracy: 0.95, valAccuracy: 0.6, valLoss: 0.9 }),
      epochRow(failed, 1, { trainAccuracy: 1, valAccuracy: 0 }),
    ];
    const [gap] = overfittingGaps([a, b, failed], epochs);
    // a: 0.9 − 0.6 = 0.3; b: 0.7 − 0.6 = 0.1 → mean 0.2
    expect(gap).toMatchObject({ approach: 'scratch', trainSize: 10, n: 2 });
    expect(gap!.meanGap).toBeCloseTo(0.2, 12);
    expect(gap!.meanTrainAccuracy).toBeCloseTo(0.8, 12);
    expect(gap!.meanValAccuracy).toBeCloseTo(0.6, 12);
  });

  it('skips trials without a curve and falls back when the best epoch has no row', () => {
    const a = trial('finetune', 10, 0.5, { bestEpoch: 7 });
    const rows = [epochRow(a, 1, { valLoss: 2 }), epochRow(a, 2, { valLoss: 1 })];
    expect(bestEpochRow(rows, 7)?.epoch).toBe(2);
    expect(bestEpochRow([], 1)).toBeUndefined();
    expect(overfittingGaps([trial('finetune', 10, 0.5)], [])).toEqual([]);
  });
});
