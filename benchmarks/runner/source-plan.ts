import { resolve } from 'node:path';
import type { BackendName } from '../domain.js';
import type { LoadedSuite } from '../spec/load-suite.js';
import type { SuiteSpec } from '../spec/suite-schema.js';
import type { StoredSuite } from '../store/store.js';
import { featuresLayer } from '../spec/describe-architecture.js';
import { hasNamedSources, sourceNames, specForSource } from '../spec/sources.js';
import { engineModelPath } from '../models/model-source.js';
import type { BaseModelRef } from '../train/jobs.js';
import { cacheKeyOf, pretrainDir, pretrainIdentity, type PretrainIdentity } from '../train/pretrain-cache.js';
import { cacheMissReason } from '../train/cache-miss.js';

/**
 * What the run needs per source: the single-source view of the suite its trials and pretraining see (see
 * specForSource; key `undefined` is a single-source suite's only source, or the scratch trials of a suite with
 * `sources`) and its pretraining cache key (null when it pretrains nothing) for the run's backend (which pretrains
 * it). Computing the keys reads the source data files: done once per run.
 */
export interface SourcePlan {
  source: string | undefined;
  spec: SuiteSpec;
  cacheKey: string | null;
  /** What the key is a hash of (kept beside the model it pretrains, to say later why a key changed). */
  identity: PretrainIdentity | null;
}

export function planSources(suite: LoadedSuite, backend: BackendName): SourcePlan[] {
  const names: (string | undefined)[] = hasNamedSources(suite.spec)
    ? [undefined, ...sourceNames(suite.spec)]
    : [undefined];
  return names.map((source) => {
    const spec = specForSource(suite.spec, source);
    const identity = pretrainIdentity(spec, suite.baseDir, backend);
    return { source, spec, cacheKey: identity ? cacheKeyOf(spec, identity) : null, identity };
  });
}

/** The model a source's transfer trials start from on this machine: the suite's pretrained model, or the cached one. */
export function baseModelRef(spec: SuiteSpec, baseDir: string, cacheKey: string | null): BaseModelRef | null {
  if (spec.pretrainedModel)
    return { path: engineModelPath(spec.pretrainedModel.path, baseDir), cutLayer: spec.pretrainedModel.cutLayer };
  return cacheKey
    ? { path: resolve(pretrainDir(cacheKey), 'model.json'), cutLayer: featuresLayer(spec.architecture) }
    : null;
}

/**
 * On resume: the sources whose pretraining cache key changed since the suite started (their data files changed, or
 * pretraining did, or the backend or its kernels: see pretrainEngine), in words; the trials left start from the model
 * for the data and engine as they are now.
 */
export function cacheKeyChanges(stored: StoredSuite, sources: SourcePlan[]): string[] {
  const notices: string[] = [];
  for (const { source, cacheKey } of sources) {
    const earlier = (source === undefined ? stored.pretrain : stored.pretrains?.find((p) => p.source === source))
      ?.cacheKey;
    if (cacheKey && earlier && earlier !== cacheKey && stored.trialsFinished > 0) {
      notices.push(
        `the ${source === undefined ? 'source model' : `model of source "${source}"`}'s cache key changed since this suite started (${earlier} → ${cacheKey}: its source data files changed, or pretraining did, or the backend or its kernels' version): the trials left start from the model pretrained for them as they are now, the ${stored.trialsFinished} finished ones started from the earlier one`,
      );
    }
  }
  return notices;
}

/**
 * On a fresh run: for each source whose model is not cached but one for the same source is, under another key, why
 * (the engine, pretraining or its data changed; cache-miss.ts), so that pretraining again is not a surprise.
 */
export function cacheMisses(sources: SourcePlan[]): string[] {
  return sources.flatMap(({ source, spec, cacheKey, identity }) => {
    const reason = cacheKey && identity ? cacheMissReason(spec, cacheKey, identity) : null;
    return reason ? [source === undefined ? reason : `source "${source}": ${reason}`] : [];
  });
}
