import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PretrainRecord } from '../domain.js';
import { modelCacheDir } from '../paths.js';
import type { SuiteSpec } from '../spec/suite-schema.js';

/** Bump when pretraining changes in a way that makes cached models stale. */
const PRETRAIN_VERSION = 1;
export const PRETRAIN_META = 'pretrain.json';

/** Cache key of a suite's source model: dataset, architecture, epochs, optimiser settings and seed. */
export function pretrainCacheKey(spec: SuiteSpec): string | null {
  if (!spec.pretrain) return null;
  const identity = JSON.stringify({
    version: PRETRAIN_VERSION,
    architecture: spec.architecture,
    pretrain: spec.pretrain,
  });
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, 16);
  return `${spec.architecture}-${hash}`;
}

export function pretrainDir(cacheKey: string): string {
  return join(modelCacheDir(), cacheKey);
}

/** The record of a finished pretraining in the cache, or null when there is none. */
export function readCachedPretrain(cacheKey: string): PretrainRecord | null {
  const meta = join(pretrainDir(cacheKey), PRETRAIN_META);
  if (!existsSync(meta) || !existsSync(join(pretrainDir(cacheKey), 'model.json'))) return null;
  return JSON.parse(readFileSync(meta, 'utf8')) as PretrainRecord;
}
