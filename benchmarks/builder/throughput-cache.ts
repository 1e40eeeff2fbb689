/**
 * Throughputs measured on this machine, kept for a day: an estimate made twice for the same data says the same, and
 * the builder answers at once. A measurement is taken again when it is older than a day, when the machine's load has
 * changed by more than a core since, or when it was made for another processor, backend, model or input shape.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { modelCacheDir } from '../paths.js';
import type { Throughput } from './estimate.js';

const MAX_AGE_MS = 24 * 3600 * 1000;
const MAX_LOAD_CHANGE = 1;

interface Entry {
  throughput: Throughput;
  measuredAt: string;
}

export interface CachedThroughput extends Throughput {
  /** When it was measured (ISO 8601), and whether this estimate reused it. */
  measuredAt: string;
  reused: boolean;
}

function read(path: string): Record<string, Entry> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, Entry>) : {};
  } catch {
    return {}; // none yet, or unreadable: measure again
  }
}

/** The throughput for `what` (backend, architecture, input shape, …) measured here recently, else measured now. */
export async function cachedThroughput(
  what: Record<string, unknown>,
  measure: () => Promise<Throughput>,
  options: { path?: string; now?: number; load?: number } = {},
): Promise<CachedThroughput> {
  const path = options.path ?? join(modelCacheDir(), 'throughput.json');
  const now = options.now ?? Date.now();
  const load = options.load ?? loadavg()[0] ?? 0;
  const key = JSON.stringify({ cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, ...what });
  const entries = read(path);
  const entry = entries[key];
  if (
    entry &&
    now - Date.parse(entry.measuredAt) < MAX_AGE_MS &&
    Math.abs((entry.throughput.loadAverage ?? 0) - load) <= MAX_LOAD_CHANGE
  ) {
    return { ...entry.throughput, measuredAt: entry.measuredAt, reused: true };
  }
  const throughput = await measure();
  const measuredAt = new Date(now).toISOString();
  // Old entries go: the file holds what is fresh.
  const kept = Object.fromEntries(
    Object.entries(entries).filter(([, e]) => now - Date.parse(e.measuredAt) < MAX_AGE_MS),
  );
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.tmp`, JSON.stringify({ ...kept, [key]: { throughput, measuredAt } }, null, 1));
    renameSync(`${path}.tmp`, path);
  } catch {
    // a cache that cannot be written only costs the next estimate a measurement
  }
  return { ...throughput, measuredAt, reused: false };
}
