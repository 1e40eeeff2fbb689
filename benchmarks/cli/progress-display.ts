import cliProgress from 'cli-progress';
import type { SuiteSpec } from '../spec/suite-schema.js';
import type { RunEvent, TrialKey } from '../domain.js';
import { formatSeconds } from '../analysis/format.js';
import { armLabel } from '../spec/sources.js';
import { expectedWork, type WorkBasis } from '../spec/trial-work.js';

export { expectedWork };

/** A duration as 42s, 3m07s or 1h02m. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
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
  private stage = '';
  /** Of the trials finished in this run: their wall seconds and their expected work. */
  private secondsFinished = 0;
  private workFinished = 0;
  /** Most trials seen in flight at once: how many run in parallel. */
  private parallel = 1;

  /**
   * `numClasses`: the target's classes, when known before the run (its estimate read the data), so that a trial of a
   * size that cross-validates weighs its folds (spec/trial-work.ts); else the spec's own count, when it gives one.
   * `basis`: the estimate's FLOP counts and measured rate, so that trials weigh their FLOPs (a linear probe's
   * trainings are cheap) rather than their training samples.
   */
  constructor(
    private readonly spec: SuiteSpec,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly numClasses?: number,
    private readonly basis?: WorkBasis,
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
        this.workTotal = trialKeys.reduce((sum, key) => sum + this.work(key), 0);
        this.workDone = finishedKeys.reduce((sum, key) => sum + this.work(key), 0);
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
        this.parallel = Math.max(this.parallel, this.inFlight.size);
        break;
      case 'trial-epoch':
        this.inFlight.set(event.trialId, { key: event.key, epoch: event.record.epoch, maxEpochs: event.maxEpochs });
        break;
      case 'trial-finished': {
        this.inFlight.delete(event.trial.id);
        this.done += 1;
        const t = event.trial;
        const work = this.work(t);
        this.workDone += work;
        if (t.wallSeconds !== null && Number.isFinite(t.wallSeconds)) {
          this.secondsFinished += t.wallSeconds;
          this.workFinished += work;
        }
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

  private work(key: Pick<TrialKey, 'approach' | 'trainSize'>): number {
    return expectedWork(this.spec, key, this.numClasses, this.basis);
  }

  stop(): void {
    this.multibar?.stop();
  }

  private describeInFlight(): string {
    return [...this.inFlight.values()].map((t) => `${describeKey(t.key)} epoch ${t.epoch}/${t.maxEpochs}`).join(' · ');
  }

  private payload(): Record<string, string | number> {
    const elapsed = (Date.now() - this.started) / 1000;
    // From the first finished trial on: the work left (FLOPs, when the estimate counted them) at what finished trials
    // actually took per unit of work (their own wall time, not the elapsed time, which includes pretraining and
    // start-up), shared by the trials in flight.
    const secondsPerWork = this.workFinished > 0 ? this.secondsFinished / this.workFinished : null;
    const eta =
      secondsPerWork !== null
        ? formatDuration(((this.workTotal - this.workDone) * secondsPerWork) / this.parallel)
        : 'after the first trial';
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
