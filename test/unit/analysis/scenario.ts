import type { EpochRow } from '../../../benchmarks/domain.js';
import type { Approach, SuiteRecord, TrialRecord } from '../../../benchmarks/domain.js';
import { epochRow, suite, trial } from '../../support/records.js';

/**
 * A small finished suite whose answers were worked out by hand:
 * scratch 0.3 / 0.6 / 0.8 and fine-tuning 0.7 / 0.82 / 0.805 mean test accuracy at 10 / 100 / 1000 examples, 3 seeds.
 * At 10: paired differences (seed by seed) 0.4, 0.3, 0.5: 0.4 ± 4.3027 · 0.1/√3 = 0.4 ± 0.2484 (paired t, ν = 2);
 * scratch reaches 0.7 halfway (in log size) between 100 and 1000 → 316.2 examples → 31.6×.
 * Crossover at 1000 (gap 0.005 ≤ 0.01).
 * Curves: 3 evaluations per trial; validation accuracy reaches the test accuracy at epoch 3 (a quarter of it per
 * epoch before), elapsed 2 s per epoch for fine-tuning and 3 s for scratch; scratch fits its training set fully.
 */
export const ACCURACIES: Record<'scratch' | 'finetune', Record<number, number[]>> = {
  scratch: { 10: [0.2, 0.4, 0.3], 100: [0.59, 0.6, 0.61], 1000: [0.79, 0.8, 0.81] },
  finetune: { 10: [0.6, 0.7, 0.8], 100: [0.8, 0.82, 0.84], 1000: [0.8, 0.805, 0.81] },
};

export interface Scenario {
  suite: SuiteRecord;
  trials: TrialRecord[];
  epochs: EpochRow[];
}

export function scenario(): Scenario {
  const trials: TrialRecord[] = [];
  const epochs: EpochRow[] = [];
  for (const approach of ['scratch', 'finetune'] as const satisfies readonly Approach[]) {
    for (const [size, values] of Object.entries(ACCURACIES[approach])) {
      values.forEach((accuracy, seed) => {
        const t = trial(approach, Number(size), accuracy, {
          seed,
          testLoss: 1 - accuracy,
          wallSeconds: approach === 'scratch' ? 9 : 6,
          trainFlops: 300,
          steps: 30,
          epochs: 3,
          bestEpoch: 3,
          backend: 'wasm',
          device: 'cpu',
        });
        trials.push(t);
        const secondsPerEpoch = approach === 'scratch' ? 3 : 2;
        for (let epoch = 1; epoch <= 3; epoch++) {
          const valAccuracy = epoch === 3 ? accuracy : (accuracy * epoch) / 4;
          epochs.push(
            epochRow(t, epoch, {
              valAccuracy,
              trainAccuracy: approach === 'scratch' ? 1 : valAccuracy + 0.05,
              valLoss: 1 / epoch,
              trainLoss: 1 / (epoch + 1),
              elapsedSeconds: epoch * secondsPerEpoch,
            }),
          );
        }
      });
    }
  }
  return { suite: suite(), trials, epochs };
}
