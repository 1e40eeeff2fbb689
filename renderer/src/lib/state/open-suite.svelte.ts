import type { ContractClient, EpochRow, RunEvent, RunTimeEstimate, SuiteAnalysis } from '$engine/contract.js';
import { isTrialFinal, type EpochRecord, type SuiteRecord, type TrialKey, type TrialRecord } from '$engine/domain.js';
import { messageOf } from './notices.svelte.js';

/** A trial being trained right now, as the run events describe it. */
export interface LiveTrial {
  trialId: number;
  key: TrialKey;
  maxEpochs: number;
  /** Latest evaluation, null before the first one. */
  record: EpochRecord | null;
  startedAtMs: number;
}

export interface PretrainProgress {
  epoch: number;
  epochs: number;
  loss: number | null;
  accuracy: number | null;
}

/** Live epoch rows are applied in batches, so a fast stream of events redraws charts a few times a second, not per event. */
export const EPOCH_FLUSH_MS = 250;
/** The analysis is recomputed at most this often while trials finish. */
export const ANALYSIS_REFRESH_MS = 2000;
/**
 * A running suite this app gets no events for (run by another process: `transfer-bench run` in a terminal, or the
 * workers of a distributed run on a shared database) is reloaded this often while it runs; the suites list too, while
 * it is shown or lists a running suite.
 */
export const QUIET_RUN_RELOAD_MS = 2000;

/** What an open suite needs from the app: the engine's client and the crossover tolerance the user chose. */
export interface OpenSuiteDeps {
  client: ContractClient;
  tolerance(): number;
  /** The run-time estimate shown when this client started the suite (the builder's), if any. */
  startEstimate?: RunTimeEstimate | null;
}

/** Keeps what the events said about a trial that finished when the server's (older) copy says it has not. */
export function mergeTrials(local: readonly TrialRecord[], loaded: readonly TrialRecord[]): TrialRecord[] {
  const known = new Map(local.map((t) => [t.id, t]));
  return loaded.map((t) => {
    const mine = known.get(t.id);
    return mine && isTrialFinal(mine.status) && !isTrialFinal(t.status) ? mine : t;
  });
}

function countFinal(trials: readonly TrialRecord[]): number {
  return trials.filter((t) => isTrialFinal(t.status)).length;
}

/** The suite shown in the run view: loaded from the engine, then kept current by `apply(event)`. */
export class OpenSuite {
  readonly suiteId: number;
  suite = $state.raw<SuiteRecord | null>(null);
  trials = $state.raw<TrialRecord[]>([]);
  loading = $state(true);
  error = $state<string | null>(null);
  /** Training-set size whose curves are loaded; null before the suite is loaded. */
  curveSize = $state<number | null>(null);
  epochs = $state.raw<EpochRow[]>([]);
  epochsLoading = $state(false);
  epochsError = $state<string | null>(null);
  live = $state.raw<LiveTrial[]>([]);
  pretrain = $state<PretrainProgress | null>(null);
  /** The engine's analysis (verdict, comparisons, caveats); null until loaded or before any trial is done. */
  analysis = $state.raw<SuiteAnalysis | null>(null);
  analysisError = $state<string | null>(null);
  /** Size whose data multipliers the data-efficiency chart marks, as picked in the Answer panel; null: the default. */
  markedSize = $state<number | null>(null);
  /** Whether the chart shows the answer, as toggled; null: on for a finished suite, off while it runs. */
  showAnswer = $state<boolean | null>(null);
  /** When this client saw the current run start; null when it did not. */
  runStartedAtMs = $state<number | null>(null);
  /** The estimate the run started with (see OpenSuiteDeps.startEstimate); null when none was shown. */
  readonly startEstimate: RunTimeEstimate | null;
  readonly #deps: OpenSuiteDeps;
  #pendingRows: EpochRow[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | null = null;
  #loadToken = 0;
  #epochsToken = 0;
  #analysisToken = 0;
  #analysisTimer: ReturnType<typeof setTimeout> | null = null;
  #disposed = false;
  #lastEventMs = 0;
  #reloadTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(suiteId: number, deps: OpenSuiteDeps) {
    this.suiteId = suiteId;
    this.#deps = deps;
    this.startEstimate = deps.startEstimate ?? null;
  }

  get running(): boolean {
    return this.suite?.status === 'running';
  }

  /** Loads (or reloads) the suite, its trials, the curves of the selected size and the analysis. */
  async load(): Promise<void> {
    const token = ++this.#loadToken;
    this.loading = this.suite === null;
    try {
      const { suite, trials } = await this.#deps.client.getSuite({ suiteId: this.suiteId });
      if (token !== this.#loadToken || this.#disposed) return;
      // A trial may have finished (by event) after the server read these: keep what the events said.
      const merged = mergeTrials(this.trials, trials);
      this.suite = { ...suite, trialsFinished: countFinal(merged) };
      this.trials = merged;
      this.error = null;
      if (suite.status !== 'running') {
        // what the events of a run elsewhere left on screen (its end is not announced): it is over
        this.live = [];
        this.pretrain = null;
      }
      const size = this.curveSize ?? suite.spec.sizes[0] ?? null;
      await Promise.all([
        size !== null ? this.loadEpochs(size) : Promise.resolve(),
        this.loadAnalysis(this.#deps.tolerance()),
      ]);
    } catch (error) {
      if (token === this.#loadToken && !this.#disposed) this.error = messageOf(error);
    } finally {
      if (token === this.#loadToken && !this.#disposed) {
        this.loading = false;
        this.#scheduleQuietReload();
      }
    }
  }

  /** While the suite runs and no event about it arrived for a while, reloads it: its run is elsewhere. */
  #scheduleQuietReload(): void {
    if (this.#reloadTimer !== null || this.#disposed || !this.running) return;
    this.#reloadTimer = setTimeout(() => {
      this.#reloadTimer = null;
      if (Date.now() - this.#lastEventMs >= QUIET_RUN_RELOAD_MS) void this.load();
      else this.#scheduleQuietReload();
    }, QUIET_RUN_RELOAD_MS);
  }

  setTrial(trial: TrialRecord): void {
    const index = this.trials.findIndex((t) => t.id === trial.id);
    const next = [...this.trials];
    if (index === -1) next.push(trial);
    else next[index] = trial;
    this.trials = next;
    if (this.suite) this.suite = { ...this.suite, trialsFinished: countFinal(next) };
  }

  #setTrialRunning(trialId: number): void {
    const existing = this.trials.find((t) => t.id === trialId);
    if (existing) this.setTrial({ ...existing, status: 'running', startedAt: new Date().toISOString() });
  }

  #queueEpochRow(row: EpochRow): void {
    if (row.trainSize !== this.curveSize) return;
    this.#pendingRows.push(row);
    this.#flushTimer ??= setTimeout(() => this.flushEpochRows(), EPOCH_FLUSH_MS);
  }

  flushEpochRows(): void {
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    if (this.#pendingRows.length === 0) return;
    const rows = this.#pendingRows.filter((r) => r.trainSize === this.curveSize);
    this.#pendingRows = [];
    if (rows.length > 0) this.epochs = [...this.epochs, ...rows];
  }

  /**
   * Adds a finished trial's stored curve (its chosen training's) beside the live rows it sent while it trained: the
   * chart then draws the stored one, and the live ones stay for picking a candidate or fold (see oneTraining).
   */
  async #addStoredCurve(trialId: number, trainSize: number): Promise<void> {
    const token = this.#epochsToken;
    try {
      const rows = await this.#deps.client.getEpochs({ suiteId: this.suiteId, trainSize });
      if (token !== this.#epochsToken || this.#disposed) return;
      const stored = rows.filter((r) => r.trialId === trialId);
      if (stored.length > 0) this.epochs = [...this.epochs.filter((r) => r.trialId !== trialId || r.run), ...stored];
    } catch {
      // the live rows stay; the next full load brings the stored curve
    }
  }

  async loadEpochs(trainSize: number): Promise<void> {
    const token = ++this.#epochsToken;
    this.curveSize = trainSize;
    this.#pendingRows = [];
    this.epochsLoading = true;
    this.epochsError = null;
    try {
      const rows = await this.#deps.client.getEpochs({ suiteId: this.suiteId, trainSize });
      if (token !== this.#epochsToken) return;
      this.epochs = rows;
    } catch (error) {
      if (token !== this.#epochsToken) return;
      this.epochsError = messageOf(error);
      this.epochs = [];
    } finally {
      if (token === this.#epochsToken) this.epochsLoading = false;
    }
  }

  async loadAnalysis(tolerance: number): Promise<void> {
    const token = ++this.#analysisToken;
    try {
      const analysis = await this.#deps.client.getAnalysis({ suiteId: this.suiteId, tolerance });
      if (token !== this.#analysisToken) return;
      this.analysis = analysis;
      this.analysisError = null;
    } catch (error) {
      if (token === this.#analysisToken) this.analysisError = messageOf(error);
    }
  }

  /** Reloads the analysis soon, once for a burst of finished trials. */
  #scheduleAnalysis(): void {
    if (this.#analysisTimer !== null || this.#disposed) return;
    this.#analysisTimer = setTimeout(() => {
      this.#analysisTimer = null;
      void this.loadAnalysis(this.#deps.tolerance());
    }, ANALYSIS_REFRESH_MS);
  }

  /** Applies one run event of this suite (events of other suites are ignored). */
  apply(event: RunEvent): void {
    if (event.suiteId !== this.suiteId || this.#disposed) return;
    this.#lastEventMs = Date.now();
    switch (event.type) {
      case 'suite-started':
        this.runStartedAtMs = Date.now();
        if (this.suite) this.suite = { ...this.suite, status: 'running', finishedAt: null, error: null };
        break;
      case 'pretrain-started':
        this.pretrain = { epoch: 0, epochs: event.epochs, loss: null, accuracy: null };
        break;
      case 'pretrain-epoch':
        this.pretrain = { epoch: event.epoch, epochs: event.epochs, loss: event.loss, accuracy: event.accuracy };
        break;
      case 'pretrain-finished':
        this.pretrain = null;
        // The suite record now says what was pretrained and what it cost.
        void this.load();
        break;
      case 'trial-started':
        this.live = [
          ...this.live.filter((t) => t.trialId !== event.trialId),
          { trialId: event.trialId, key: event.key, maxEpochs: event.maxEpochs, record: null, startedAtMs: Date.now() },
        ];
        this.#setTrialRunning(event.trialId);
        break;
      case 'trial-epoch': {
        const known = this.live.some((t) => t.trialId === event.trialId);
        this.live = known
          ? this.live.map((t) =>
              t.trialId === event.trialId ? { ...t, record: event.record, maxEpochs: event.maxEpochs } : t,
            )
          : [
              ...this.live,
              {
                trialId: event.trialId,
                key: event.key,
                maxEpochs: event.maxEpochs,
                record: event.record,
                startedAtMs: Date.now() - event.record.elapsedSeconds * 1000,
              },
            ];
        this.#queueEpochRow({ trialId: event.trialId, ...event.key, ...event.record });
        break;
      }
      case 'trial-finished':
        this.flushEpochRows();
        if (event.trial.trainSize === this.curveSize) void this.#addStoredCurve(event.trial.id, event.trial.trainSize);
        this.live = this.live.filter((t) => t.trialId !== event.trial.id);
        this.setTrial(event.trial);
        this.#scheduleAnalysis();
        break;
      case 'suite-finished':
        this.live = [];
        this.pretrain = null;
        if (this.suite) this.suite = { ...this.suite, status: event.status, error: event.error };
        void this.load();
        break;
    }
  }

  /** Stops timers and makes answers still in flight land nowhere. */
  dispose(): void {
    this.#disposed = true;
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    if (this.#analysisTimer !== null) clearTimeout(this.#analysisTimer);
    if (this.#reloadTimer !== null) clearTimeout(this.#reloadTimer);
    this.#reloadTimer = null;
    this.#flushTimer = null;
    this.#analysisTimer = null;
    this.#loadToken++;
    this.#epochsToken++;
    this.#analysisToken++;
  }
}
