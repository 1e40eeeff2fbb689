import type { PretrainRecord, TrialRecord } from '../../../benchmarks/domain.js';
import { suite, trials } from '../../support/records.js';

/** A suite with two sources, a near one that helps up to 100 examples and a far one that helps less. */
export function twoSources() {
  const settings = { learningRate: 0.001, epochs: 5 };
  const pretrain = (classes: number[]) => ({ dataset: { kind: 'mnist' as const, classes }, epochs: 2 });
  const record = (source: string, wallSeconds: number): PretrainRecord => ({
    source,
    cacheKey: `key-${source}`,
    reused: false,
    sourceDescription: source,
    epochs: 2,
    wallSeconds,
    trainFlops: 1e12,
    sourceTestAccuracy: 0.98,
    backend: 'wasm',
  });
  const s = suite(
    {
      pretrain: undefined,
      sources: [
        { name: 'near', pretrain: pretrain([0, 1, 2, 3, 4]) },
        { name: 'far', pretrain: pretrain([0, 1]) },
      ],
      approaches: { scratch: { ...settings, epochs: 20 }, finetune: settings, 'linear-probe': settings },
    },
    { pretrain: null, pretrains: [record('near', 60), record('far', 30)] },
  );
  const all: TrialRecord[] = [
    ...trials('scratch', 10, [0.4, 0.41, 0.39]),
    ...trials('scratch', 100, [0.8, 0.81, 0.79]),
    ...trials('scratch', 1000, [0.96, 0.96, 0.961]),
    ...trials('finetune', 10, [0.8, 0.81, 0.79]).map((t) => ({ ...t, source: 'near' })),
    ...trials('finetune', 100, [0.9, 0.91, 0.89]).map((t) => ({ ...t, source: 'near' })),
    ...trials('finetune', 1000, [0.962, 0.96, 0.961]).map((t) => ({ ...t, source: 'near' })),
    ...trials('linear-probe', 10, [0.7, 0.7, 0.7]).map((t) => ({ ...t, source: 'near' })),
    ...trials('finetune', 10, [0.5, 0.51, 0.49]).map((t) => ({ ...t, source: 'far' })),
    ...trials('finetune', 100, [0.82, 0.83, 0.81]).map((t) => ({ ...t, source: 'far' })),
    ...trials('finetune', 1000, [0.96, 0.961, 0.96]).map((t) => ({ ...t, source: 'far' })),
    ...trials('linear-probe', 10, [0.3, 0.3, 0.3]).map((t) => ({ ...t, source: 'far' })),
  ];
  return { suite: s, trials: all };
}
