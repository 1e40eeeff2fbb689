/**
 * The training speed an estimate divides by, measured once per machine, backend and model, then reused: estimates
 * for the same data are the same from one `init` or draft to the next (a fresh measurement on a busy machine varied
 * by a factor of five). Kept in memory and in `throughput.json` beside the model cache; delete that file to measure
 * again (e.g. after a hardware change the key does not see).
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { describeCpu, type BackendInfo } from '../backend/select-backend.js';
import { modelCacheDir } from '../paths.js';
import type { SuiteSpec } from '../spec/suite-schema.js';
import type { Throughput } from './estimate.js';

const FILE = 'throughput.json';
const memory = new Map<string, Throughput>();

/** Beside the model cache (and the decode cache). */
function cacheFile(): string {
  return join(dirname(modelCacheDir()), FILE);
}

function readCache(): Record<string, Throughput> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(cacheFile(), 'utf8'));
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, Throughput>) : {};
  } catch {
    return {};
  }
}

function isThroughput(value: unknown): value is Throughput {
  const t = value as Throughput | null | undefined;
  return (
    typeof t?.backend === 'string' &&
    Number.isFinite(t.samplesPerSecond) &&
    t.samplesPerSecond > 0 &&
    Number.isFinite(t.flopsPerSecond) &&
    t.flopsPerSecond > 0
  );
}

/** What a measurement depends on: the machine, the backend and its device, the model and its input. */
export function throughputKey(
  spec: Pick<SuiteSpec, 'architecture'>,
  inputShape: readonly number[],
  numClasses: number,
  backend: BackendInfo,
  broughtModel?: string,
): string {
  let model = JSON.stringify(spec.architecture);
  if (broughtModel) {
    const mtime = statSync(broughtModel, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    model = `model ${broughtModel} @${mtime}`;
  }
  return [hostname(), describeCpu(), backend.name, backend.device, model, inputShape.join('x'), numClasses].join(' | ');
}

/** The throughput cached under `key`, else `measure()`'s, cached (a failed write only costs the next measurement). */
export async function cachedThroughput(key: string, measure: () => Promise<Throughput>): Promise<Throughput> {
  const known = memory.get(key) ?? readCache()[key];
  if (isThroughput(known)) {
    memory.set(key, known);
    return known;
  }
  const measured = await measure();
  memory.set(key, measured);
  try {
    mkdirSync(dirname(cacheFile()), { recursive: true });
    const temp = `${cacheFile()}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ ...readCache(), [key]: measured }, null, 1));
    renameSync(temp, cacheFile());
  } catch {
    // A read-only cache folder: this process keeps the measurement in memory.
  }
  return measured;
}
