/**
 * Catalogue downloads as events on the engine's stream, for the New suite screen: bytes, the mean rate since the
 * model's first byte, and the time left at that rate. At most one event per model every `everyMs`, and always its
 * last one (`done`), so a fast local download does not flood the stream and a slow one is seen moving.
 */
import type { DownloadReport } from '../builder/brought-models.js';
import type { EngineEventListener } from '../domain.js';

export const DOWNLOAD_EVENT_MS = 250;

export function downloadEvents(
  emit: EngineEventListener,
  now: () => number = () => Date.now(),
  everyMs = DOWNLOAD_EVENT_MS,
): (progress: DownloadReport) => void {
  const models = new Map<string, { started: number; startBytes: number; sent: number; done: boolean }>();
  return (p) => {
    if (p.total <= 0) return;
    const t = now();
    let seen = models.get(p.model);
    if (!seen || (seen.done && p.bytes < p.total)) {
      // the rate counts what this download fetched, not what an earlier attempt left (a resumed shard)
      seen = { started: t, startBytes: p.bytes, sent: -Infinity, done: false };
      models.set(p.model, seen);
    }
    const done = p.bytes >= p.total;
    if (seen.done || (!done && t - seen.sent < everyMs)) return;
    seen.sent = t;
    seen.done = done;
    const seconds = (t - seen.started) / 1000;
    const fetched = p.bytes - seen.startBytes;
    const rate = seconds > 0 && fetched > 0 ? fetched / seconds : null;
    emit({
      type: 'model-download',
      model: p.model,
      file: p.file,
      bytes: p.bytes,
      total: p.total,
      bytesPerSecond: rate,
      etaSeconds: done ? 0 : rate === null ? null : Math.max(0, p.total - p.bytes) / rate,
      done,
    });
  };
}
