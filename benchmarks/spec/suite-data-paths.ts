import { resolve } from 'node:path';
import type { LoadedSuite } from './load-suite.js';
import { looksLikeCatalogueName } from './model-catalogue.js';
import { suiteSources } from './sources.js';
import type { DatasetSource } from './suite-schema.js';

/**
 * Every file or folder a suite reads from disk besides the suite file itself, as absolute paths: what a server must
 * check against its data roots before it runs a suite that came over the network. A new dataset kind must say
 * here what it reads (the switch is exhaustive).
 */
export function datasetPaths(source: DatasetSource, baseDir: string): string[] {
  switch (source.kind) {
    case 'mnist':
      return [];
    case 'idx': {
      const dir = resolve(baseDir, source.dir);
      const pairs = source.test ? [source.train, source.test] : [source.train];
      return [dir, ...pairs.flatMap((pair) => [resolve(dir, pair.images), resolve(dir, pair.labels)])];
    }
    case 'folder':
      return [source.dir, ...(source.test ? [source.test] : [])].map((dir) => resolve(baseDir, dir));
    case 'csv':
      return [source.path, ...(source.test ? [source.test] : [])].map((file) => resolve(baseDir, file));
    case 'text':
      return [
        source.path,
        ...(source.test ? [source.test] : []),
        ...(source.vocabulary ? [source.vocabulary] : []),
      ].map((file) => resolve(baseDir, file));
    default: {
      const unknown: never = source;
      throw new Error(`datasetPaths does not know dataset kind ${(unknown as { kind: string }).kind}`);
    }
  }
}

export function suiteDataPaths(suite: LoadedSuite): string[] {
  const { spec, baseDir } = suite;
  const sources = suiteSources(spec);
  return [
    ...sources.flatMap((s) => (s.pretrain ? datasetPaths(s.pretrain.dataset, baseDir) : [])),
    ...datasetPaths(spec.target.dataset, baseDir),
    // a catalogue model is read from the model cache, not from the user's files
    ...sources.flatMap((s) =>
      s.pretrainedModel && !looksLikeCatalogueName(s.pretrainedModel.path)
        ? [resolve(baseDir, s.pretrainedModel.path)]
        : [],
    ),
  ];
}
