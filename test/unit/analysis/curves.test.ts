import { describe, expect, it } from 'vitest';
import { meanCurves } from '../../../benchmarks/analysis/curves.js';
import { epochRow, trial } from '../../support/records.js';

describe('meanCurves', () => {
  it('averages a field per epoch over the done trials that reached it', () => {
    const a = trial('finetune', 10, 0.5, { seed: 0 });
    const b = trial('finetune', 10, 0.5, { seed: 1 });
    const s = trial('scratch', 10, 0.5, { seed: 0 });
    const failed = trial('scratch', 10, null, { seed: 1, status: 'failed' });
    const other = trial('scratch', 50, 0.5);
    const epochs = [
      epochRow(a, 1, { valLoss: 2 }),
      epochRow(a, 2, { valLoss: 1 }),
      epochRow(b, 1, { valLoss: 4 }),
      epochRow(s, 1, { valLoss: 3 }),
      epochRow(failed, 1, { valLoss: 100 }),
      epochRow(other, 1, { valLoss: 100 }),
    ];
    expect(meanCurves([a, b, s, failed, other], epochs, 10, 'valLoss')).toEqual([
      { approach: 'scratch', points: [{ epoch: 1, mean: 3, n: 1 }] },
      {
        approach: 'finetune',
        points: [
          { epoch: 1, mean: 3, n: 2 },
          { epoch: 2, mean: 1, n: 1 },
        ],
      },
    ]);
  });
});
