import { suiteSpec, type DraftSuiteResponse } from '../../../../benchmarks/contract.js';

/** What draftSuite answers for a folder of two digit classes, 15 images each (as the engine drafts it). */
export function digitDraft(): DraftSuiteResponse {
  const spec = suiteSpec.parse({
    name: 'digits',
    architecture: 'cnn',
    target: { dataset: { kind: 'folder', dir: '/data/digits', imageSize: [28, 28], channels: 1 }, testPerClass: 3 },
    sizes: [10, 20, 24],
    seeds: [0, 1, 2],
    approaches: {
      scratch: { learningRate: [0.001, 0.0003, 0.003], epochs: 40, minSteps: 300, patience: 5 },
    },
  });
  return {
    spec,
    kind: 'folder',
    classes: [
      { name: 'digit-3', count: 15, thumbnails: [] },
      { name: 'digit-8', count: 15, thumbnails: [] },
    ],
    shape: '28×28 grayscale',
    skipped: [],
    skippedCount: 0,
    estimate: { seconds: 120, trials: 9, workers: 2, pretrainSeconds: 0, samplesPerSecond: 470, backend: 'wasm' },
    estimateBasis: {
      inputShape: [28, 28, 1],
      numClasses: 2,
      testCount: 6,
      backend: 'wasm',
      samplesPerSecond: 470,
      flopsPerSecond: 1e9,
    },
  };
}
