/**
 * The training speed an estimate divides by, measured once per machine, backend and model, then reused for a day
 * (and a worker's start-up, once per machine and backend):
 * estimates for the same data are the same from one `init` or draft to the next (a fresh measurement on a busy machine
 * varied by a factor of five), and the builder answers at once. Kept in memory and in `throughput.json` in the model
 * cache; a measurement older than a day, or made for another processor, backend, model or input shape, is taken again
 * (delete the file to measure again at once, e.g. after a hardware change the key does not see).
 * `TRANSFER_BENCH_THROUGHPUT_CACHE` names another file, e.g. one file for several model caches on the same machine, which
 * then measure once between them.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { cpus, hostname, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { modelCacheDir } from '../paths.js';
import type { Throughput } from './estimate.js';

const MAX_AGE_MS = 24 * 3600 * 1000;

/** The file the measurements are kept in instead of `throughput.json` in the model cache. */
export const THROUGHPUT_CACHE_ENV = 'TRANSFER_BENCH_THROUGHPUT_CACHE';

/** Where the measurements are kept: TRANSFER_BENCH_THROUGHPUT_CACHE, else `throughput.json` in the model cache. */
export function throughputCachePath(): string {
  return process.env[THROUGHPUT_CACHE_ENV] || join(modelCacheDir(), 'throughput.json');
}

/** A measurement kept (under `throughput`, the name older files use, whatever it measured) and when it was taken. */
interface Entry {
  throughput: unknown;
  measuredAt: string;
}

export interface CachedThroughput extends Throughput {
  /** When it was measured (ISO 8601), and whether this estimate reused it. */
  measuredAt: string;
  reused: boolean;
}

const memory = new Map<string, Entry>();

function read(path: string): Record<string, Entry> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, Entry>) : {};
  } catch {
    return {}; // none yet, or unreadable: measure again
  }
}

function usable(entry: Entry | undefined, now: number): entry is Entry {
  return entry !== undefined && entry.throughput !== undefined && now - Date.parse(entry.measuredAt) < MAX_AGE_MS;
}

/** A brought model's file as the key sees it: its path and when it last changed. */
export function modelFileKey(path: string | undefined): string | null {
  if (!path) return null;
  return `${path} @${statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0}`;
}

/**
 * The throughput for `what` (backend and device, architecture, input shape, brought model, …) measured on this machine
 * within a day, else measured now and kept (a failed write only costs the next estimate a measurement).
 */
export async function cachedThroughput(
  what: Record<string, unknown>,
  measure: () => Promise<Throughput>,
  options: { path?: string; now?: number } = {},
): Promise<CachedThroughput> {
  const { value, measuredAt, reused } = await cachedMeasurement(what, measure, options, (t) => {
    const throughput = t as Partial<Throughput> | undefined;
    return (
      Number.isFinite(throughput?.samplesPerSecond) &&
      (throughput?.samplesPerSecond ?? 0) > 0 &&
      Number.isFinite(throughput?.flopsPerSecond) &&
      (throughput?.flopsPerSecond ?? 0) > 0
    );
  });
  return { ...value, measuredAt, reused };
}

/**
 * Seconds a worker takes to start on `backend` (its process, TensorFlow.js and the backend) on this machine, measured
 * within a day, else measured now by `measure` and kept, beside the throughputs.
 */
export async function cachedWorkerStart(
  backend: string,
  measure: () => Promise<number>,
  options: { path?: string; now?: number } = {},
): Promise<{ seconds: number; measuredAt: string; reused: boolean }> {
  const { value, measuredAt, reused } = await cachedMeasurement(
    { measurement: 'worker-start', backend },
    async () => ({ seconds: await measure() }),
    options,
    (v) => Number.isFinite((v as { seconds?: number } | undefined)?.seconds),
  );
  return { seconds: value.seconds, measuredAt, reused };
}

/**
 * Seconds something took that an estimate adds (decoding a suite's data, loading its model), as first measured on this
 * machine within a day (`seconds`, just measured, is kept when there is none): estimates of the same suite stay the
 * same from one to the next, as with the throughput.
 */
export async function cachedSeconds(
  what: Record<string, unknown>,
  seconds: number,
  options: { path?: string; now?: number } = {},
): Promise<number> {
  const { value } = await cachedMeasurement(
    what,
    async () => ({ seconds }),
    options,
    (v) => Number.isFinite((v as { seconds?: number } | undefined)?.seconds),
  );
  return value.seconds;
}

async function cachedMeasurement<T>(
  what: Record<string, unknown>,
  measure: () => Promise<T>,
  options: { path?: string; now?: number },
  valid: (value: unknown) => boolean,
): Promise<{ value: T; measuredAt: string; reused: boolean }> {
  const path = options.path ?? throughputCachePath();
  const now = options.now ?? Date.now();
  const key = JSON.stringify({ host: hostname(), cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, ...what });
  const entries = read(path);
  const known = memory.get(`${path}\n${key}`) ?? entries[key];
  if (usable(known, now) && valid(known.throughput)) {
    memory.set(`${path}\n${key}`, known);
    return { value: known.throughput as T, measuredAt: known.measuredAt, reused: true };
  }
  const value = await measure();
  const measuredAt = new Date(now).toISOString();
  memory.set(`${path}\n${key}`, { throughput: value, measuredAt });
  // Old entries go: the file holds what is fresh.
  const kept = Object.fromEntries(Object.entries(entries).filter(([, e]) => usable(e, now)));
  try {
    mkdirSync(dirname(path), { recursive: true });
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ ...kept, [key]: { throughput: value, measuredAt } }, null, 1));
    renameSync(temp, path);
  } catch {
    // a read-only cache folder: this process keeps the measurement in memory
  }
  return { value, measuredAt, reused: false };
}

/**
 * The throughput as an estimate made now uses it: a reused measurement carries the load of now (`loadNow`), so that a
 * speed measured on a quiet machine is not promised on a busy one (estimate.ts stretches it by the load's share).
 */
export function throughputNow(t: CachedThroughput): CachedThroughput {
  return t.reused ? { ...t, loadNow: loadavg()[0] ?? 0 } : t;
}
