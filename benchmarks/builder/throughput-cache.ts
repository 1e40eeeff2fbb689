/**
 * The training speed an estimate divides by, measured once per machine, backend and model, then reused for a day:
 * estimates for the same data are the same from one `init` or draft to the next (a fresh measurement on a busy machine
 * varied by a factor of five), and the builder answers at once. Kept in memory and in `throughput.json` in the model
 * cache; a measurement older than a day, or made for another processor, backend, model or input shape, is taken again
 * (delete the file to measure again at once, e.g. after a hardware change the key does not see).
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { modelCacheDir } from '../paths.js';
import type { Throughput } from './estimate.js';

const MAX_AGE_MS = 24 * 3600 * 1000;

interface Entry {
  throughput: Throughput;
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
  const t = entry?.throughput;
  return (
    entry !== undefined &&
    now - Date.parse(entry.measuredAt) < MAX_AGE_MS &&
    Number.isFinite(t?.samplesPerSecond) &&
    (t?.samplesPerSecond ?? 0) > 0 &&
    Number.isFinite(t?.flopsPerSecond) &&
    (t?.flopsPerSecond ?? 0) > 0
  );
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
  const path = options.path ?? join(modelCacheDir(), 'throughput.json');
  const now = options.now ?? Date.now();
  const key = JSON.stringify({ host: hostname(), cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, ...what });
  const entries = read(path);
  const known = memory.get(`${path}\n${key}`) ?? entries[key];
  if (usable(known, now)) {
    memory.set(`${path}\n${key}`, known);
    return { ...known.throughput, measuredAt: known.measuredAt, reused: true };
  }
  const throughput = await measure();
  const measuredAt = new Date(now).toISOString();
  memory.set(`${path}\n${key}`, { throughput, measuredAt });
  // Old entries go: the file holds what is fresh.
  const kept = Object.fromEntries(Object.entries(entries).filter(([, e]) => usable(e, now)));
  try {
    mkdirSync(dirname(path), { recursive: true });
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ ...kept, [key]: { throughput, measuredAt } }, null, 1));
    renameSync(temp, path);
  } catch {
    // a read-only cache folder: this process keeps the measurement in memory
  }
  return { ...throughput, measuredAt, reused: false };
}
