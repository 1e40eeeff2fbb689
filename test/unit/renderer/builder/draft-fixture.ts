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
      flopsPerSample: { scratch: { train: 3e6, forward: 1e6 } },
    },
  };
}

/** The same folder with a source folder to pretrain on: every approach, and pretraining for 5 epochs. */
export function digitDraftWithSource(): DraftSuiteResponse {
  const draft = digitDraft();
  const common = { epochs: 40, minSteps: 300, patience: 5 };
  draft.spec = suiteSpec.parse({
    ...draft.spec,
    pretrain: {
      dataset: { kind: 'folder', dir: '/data/other-digits', imageSize: [28, 28], channels: 1 },
      epochs: 5,
      testPerClass: 2,
    },
    approaches: {
      scratch: { ...common, learningRate: [0.001, 0.0003, 0.003] },
      finetune: { ...common, learningRate: [0.001, 0.0003, 0.003] },
      'linear-probe': { ...common, learningRate: [0.01, 0.003, 0.03] },
      partial: { ...common, learningRate: [0.001, 0.0003, 0.003], trainableBlocks: 1 },
    },
  });
  return draft;
}
