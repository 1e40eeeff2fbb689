/**
 * Why a source model is pretrained again when one for the same source is in the cache: its key differs because the
 * engine (backend, tfjs' version, our kernels' version), pretraining's own version or the source data files changed.
 * Read from the PRETRAIN_KEY file beside each cached model; models cached before that file existed cannot be compared.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { modelCacheDir } from '../paths.js';
import type { SuiteSpec } from '../spec/suite-schema.js';
import { PRETRAIN_KEY, readCachedPretrain, type PretrainIdentity } from './pretrain-cache.js';

type Fields = Record<string, unknown>;

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function asFields(value: unknown): Fields {
  return value !== null && typeof value === 'object' ? (value as Fields) : {};
}

/** The cached models' identities, newest first. */
function cachedIdentities(prefix: string): { key: string; identity: PretrainIdentity; mtimeMs: number }[] {
  let entries: string[];
  try {
    entries = readdirSync(modelCacheDir()).filter((name) => name.startsWith(prefix));
  } catch {
    return [];
  }
  const found: { key: string; identity: PretrainIdentity; mtimeMs: number }[] = [];
  for (const key of entries) {
    const path = join(modelCacheDir(), key, PRETRAIN_KEY);
    try {
      const identity = JSON.parse(readFileSync(path, 'utf8')) as PretrainIdentity;
      if (readCachedPretrain(key)) found.push({ key, identity, mtimeMs: statSync(path).mtimeMs });
    } catch {
      // no key file (cached before it existed) or unreadable: not comparable
    }
  }
  return found.sort((a, b) => b.mtimeMs - a.mtimeMs);
}

/** What differs between two values of one field, e.g. `kernels 1, now 2`. */
function describeFields(label: string, before: Fields, now: Fields): string[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(now)])].sort();
  return names
    .filter((name) => !same(before[name], now[name]))
    .map((name) => `${label}${name} ${String(before[name] ?? 'none')}, now ${String(now[name] ?? 'none')}`);
}

function describeData(before: Fields, now: Fields): string[] {
  const files = [...new Set([...Object.keys(before), ...Object.keys(now)])].sort();
  const changed = files.filter((file) => !same(before[file], now[file]));
  if (changed.length === 0) return [];
  const named = changed.slice(0, 3).map((file) => {
    const state = !(file in before) ? 'added' : !(file in now) ? 'removed' : 'changed';
    return `${file} (${state})`;
  });
  const more = changed.length > 3 ? ` and ${changed.length - 3} more` : '';
  return [`its source data changed: ${named.join(', ')}${more}`];
}

/**
 * One line saying why the source model of `spec` (key `cacheKey`, made from `now`: pretrainIdentity) is pretrained
 * again, or null when it is cached, when nothing for the same source is cached, or when the cached one predates key
 * files.
 */
export function cacheMissReason(spec: SuiteSpec, cacheKey: string, now: PretrainIdentity): string | null {
  if (readCachedPretrain(cacheKey)) return null;
  const prefix = cacheKey.slice(0, cacheKey.lastIndexOf('-') + 1);
  // the same source: the same pretraining settings, architecture and vocabulary; what else differs is the reason
  const earlier = cachedIdentities(prefix).find(
    ({ identity }) =>
      same(identity.pretrain, now.pretrain) &&
      same(identity.architecture, now.architecture) &&
      same(identity.vocabularyOf, now.vocabularyOf),
  );
  if (!earlier) return null;
  const before = earlier.identity;
  const reasons = [
    ...describeFields('', { 'pretraining version': before.version }, { 'pretraining version': now.version }),
    ...describeFields('', asFields(before.engine), asFields(now.engine)),
    ...describeData(asFields(before.data), asFields(now.data)),
    ...describeFields(
      '',
      { 'pixel scaling': before.pixelScaling ?? '[0,1]' },
      { 'pixel scaling': now.pixelScaling ?? '[0,1]' },
    ),
  ];
  if (reasons.length === 0) return null;
  return `pretraining the source model again (${cacheKey}): the one cached for the same source (${earlier.key}) was made with other inputs: ${reasons.join('; ')}`;
}
