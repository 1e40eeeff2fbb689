import cliProgress from 'cli-progress';
import type { SuiteSpec } from '../spec/suite-schema.js';
import type { RunEvent, TrialKey } from '../domain.js';
import { formatSeconds } from '../analysis/format.js';
import { armLabel } from '../spec/sources.js';

/** A duration as 42s, 3m07s or 1h02m. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Rough relative cost of a trial (samples it may train on), so the ETA weighs a 4,000-example trial above a 10-example one. */
function expectedWork(spec: SuiteSpec, key: TrialKey): number {
  const settings = spec.approaches[key.approach];
  if (!settings) return 1;
  const trainCount = Math.max(1, Math.round(key.trainSize * (1 - spec.validationFraction)));
  return Math.max(settings.minSteps * settings.batchSize, settings.epochs * trainCount);
}

const describeKey = (key: TrialKey): string => `${armLabel(key)} n=${key.trainSize} seed=${key.seed}`;

/**
 * Shows a suite's progress on stderr: a live bar on a terminal (trials done/total, trials in flight with their epoch,
 * elapsed, ETA), one line per finished trial otherwise.
 */
export class ProgressDisplay {
  private readonly multibar: cliProgress.MultiBar | null;
  private bar: cliProgress.SingleBar | null = null;
  private readonly inFlight = new Map<number, { key: TrialKey; epoch: number; maxEpochs: number }>();
  private readonly started = Date.now();
  private total = 0;
  private done = 0;
  private workDone = 0;
  private workTotal = 0;
  private workAtStart = 0;
  private stage = '';

  constructor(
    private readonly spec: SuiteSpec,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.multibar = stream.isTTY
      ? new cliProgress.MultiBar(
          {
            stream,
            format: '{bar} {trialsFinished}/{trialsTotal} trials | {elapsedText} elapsed | ETA {etaText} | {stage}',
            barsize: 24,
            hideCursor: true,
            clearOnComplete: false,
            fps: 5,
          },
          cliProgress.Presets.shades_classic,
        )
      : null;
  }

  handle(event: RunEvent, trialKeys: TrialKey[], finishedKeys: TrialKey[]): void {
    switch (event.type) {
      case 'suite-started':
        this.total = event.total;
        this.done = event.finished;
        this.workTotal = trialKeys.reduce((sum, key) => sum + expectedWork(this.spec, key), 0);
        this.workDone = finishedKeys.reduce((sum, key) => sum + expectedWork(this.spec, key), 0);
        this.workAtStart = this.workDone;
        this.bar = this.multibar?.create(this.workTotal, this.workDone, this.payload()) ?? null;
        if (!this.bar) this.log(`suite ${event.suiteId}: ${event.finished}/${event.total} trials already finished`);
        break;
      case 'pretrain-started':
        this.stage = `pretraining ${event.source ? `source "${event.source}"` : 'the source model'} (${event.epochs} epochs)`;
        if (!this.multibar) this.log(this.stage);
        break;
      case 'pretrain-epoch':
        this.stage = `pretraining${event.source ? ` "${event.source}"` : ''} epoch ${event.epoch}/${event.epochs}, train accuracy ${(event.accuracy * 100).toFixed(1)}%`;
        if (!this.multibar) this.log(this.stage);
        break;
      case 'pretrain-finished':
        this.stage = `${event.reused ? 'reusing the cached pretrained model' : 'pretraining done'}${event.source ? ` (source "${event.source}")` : ''}`;
        if (!this.multibar) this.log(this.stage);
        break;
      case 'trial-started':
        this.inFlight.set(event.trialId, { key: event.key, epoch: 0, maxEpochs: event.maxEpochs });
        break;
      case 'trial-epoch':
        this.inFlight.set(event.trialId, { key: event.key, epoch: event.record.epoch, maxEpochs: event.maxEpochs });
        break;
      case 'trial-finished': {
        this.inFlight.delete(event.trial.id);
        this.done += 1;
        this.workDone += expectedWork(this.spec, event.trial);
        const t = event.trial;
        const outcome =
          t.status === 'done'
            ? `test accuracy ${((t.testAccuracy ?? 0) * 100).toFixed(1)}% in ${formatSeconds(t.wallSeconds ?? 0)}`
            : `${t.status}: ${t.error ?? ''}`;
        // Without the live bar (a log file, CI), each line carries what the bar shows: elapsed time and the ETA.
        const now = this.payload();
        const timing = this.multibar ? '' : ` (${now.elapsedText} elapsed, ETA ${now.etaText})`;
        this.log(`[${this.done}/${this.total}] ${describeKey(t)}: ${outcome}${timing}`);
        break;
      }
      case 'suite-finished':
        this.stop();
        return;
    }
    this.stage = this.inFlight.size > 0 ? this.describeInFlight() : this.stage;
    this.bar?.update(this.workDone, this.payload());
  }

  stop(): void {
    this.multibar?.stop();
  }

  private describeInFlight(): string {
    return [...this.inFlight.values()].map((t) => `${describeKey(t.key)} epoch ${t.epoch}/${t.maxEpochs}`).join(' · ');
  }

  private payload(): Record<string, string | number> {
    const elapsed = (Date.now() - this.started) / 1000;
    const fresh = this.workDone - this.workAtStart;
    const eta = fresh > 0 ? formatDuration((elapsed * (this.workTotal - this.workDone)) / fresh) : '…';
    return {
      trialsFinished: this.done,
      trialsTotal: this.total,
      elapsedText: formatDuration(elapsed),
      etaText: eta,
      stage: this.stage,
    };
  }

  private log(line: string): void {
    if (this.multibar) this.multibar.log(`${line}\n`);
    else this.stream.write(`${line}\n`);
  }
}
