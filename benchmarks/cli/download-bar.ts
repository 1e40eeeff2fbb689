/** A progress bar on stderr for a model download: bytes, rate and time left (cli-progress). */
import cliProgress from 'cli-progress';
import type { DownloadReport } from '../builder/brought-models.js';
import { formatDuration } from './progress-display.js';

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** A listener for prepareModel's downloads that draws one bar per model, named as the catalogue names it; `stop` ends it. */
export function downloadBar(): { onDownload: (p: DownloadReport) => void; stop: () => void } {
  let bar: cliProgress.SingleBar | null = null;
  let model: string | null = null;
  let started = 0;
  return {
    onDownload: (p) => {
      if (p.total <= 0) return;
      const now = Date.now();
      if (bar && model !== p.model) {
        // a suite naming several models fetches them in turn: one bar each
        bar.stop();
        bar = null;
      }
      if (!bar) {
        model = p.model;
        started = now;
        bar = new cliProgress.SingleBar(
          {
            format: `downloading ${p.model} {bar} {done} of {size} | {rate} | ETA {eta_text} | {file}`,
            stream: process.stderr,
            hideCursor: false,
            noTTYOutput: true,
            notTTYSchedule: 2000,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(p.total, 0, { done: '0 B', size: formatBytes(p.total), rate: '…', eta_text: '…', file: p.file });
      }
      const seconds = (now - started) / 1000;
      const rate = seconds > 0 ? p.bytes / seconds : 0;
      bar.update(Math.min(p.bytes, p.total), {
        done: formatBytes(p.bytes),
        rate: rate > 0 ? `${formatBytes(rate)}/s` : '…',
        eta_text: rate > 0 ? formatDuration(Math.max(0, p.total - p.bytes) / rate) : '…',
        file: p.file,
      });
    },
    stop: () => {
      bar?.stop();
      bar = null;
    },
  };
}
