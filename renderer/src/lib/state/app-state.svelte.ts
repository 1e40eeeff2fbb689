import type { BuiltinSuiteInfo, EpochRow, RunEvent, SuiteAnalysis, SuiteSource } from '$engine/contract.js';
import { isTrialFinal, type EpochRecord, type SuiteRecord, type TrialKey, type TrialRecord } from '$engine/domain.js';
import { createTransport, type AppTransport, type EventStreamStatus } from '../client/index.js';
import { parseRoute, routeHref, type Route } from './route.js';
import { preferences } from './preferences.svelte.js';

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

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  title: string;
  detail: string | null;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Live epoch rows are applied in batches, so a fast stream of events redraws charts a few times a second, not per event. */
const EPOCH_FLUSH_MS = 250;
/** The suites list is reloaded at most this often while trials finish. */
const LIST_REFRESH_MS = 1500;
/** The analysis is recomputed at most this often while trials finish. */
const ANALYSIS_REFRESH_MS = 2000;

/** The suite shown in the run view, kept current by run events. */
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
  #pendingRows: EpochRow[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | null = null;
  #epochsToken = 0;
  #analysisToken = 0;
  #analysisTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(suiteId: number) {
    this.suiteId = suiteId;
  }

  get running(): boolean {
    return this.suite?.status === 'running';
  }

  setTrial(trial: TrialRecord): void {
    const index = this.trials.findIndex((t) => t.id === trial.id);
    const next = [...this.trials];
    if (index === -1) next.push(trial);
    else next[index] = trial;
    this.trials = next;
    if (this.suite) this.suite = { ...this.suite, trialsFinished: next.filter((t) => isTrialFinal(t.status)).length };
  }

  setTrialRunning(trialId: number): void {
    const existing = this.trials.find((t) => t.id === trialId);
    if (existing) this.setTrial({ ...existing, status: 'running', startedAt: new Date().toISOString() });
  }

  queueEpochRow(row: EpochRow): void {
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

  async loadEpochs(transport: AppTransport, trainSize: number): Promise<void> {
    const token = ++this.#epochsToken;
    this.curveSize = trainSize;
    this.#pendingRows = [];
    this.epochsLoading = true;
    this.epochsError = null;
    try {
      const rows = await transport.client.getEpochs({ suiteId: this.suiteId, trainSize });
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

  async loadAnalysis(transport: AppTransport, tolerance: number): Promise<void> {
    const token = ++this.#analysisToken;
    try {
      const analysis = await transport.client.getAnalysis({ suiteId: this.suiteId, tolerance });
      if (token !== this.#analysisToken) return;
      this.analysis = analysis;
      this.analysisError = null;
    } catch (error) {
      if (token === this.#analysisToken) this.analysisError = messageOf(error);
    }
  }

  /** Reloads the analysis soon, once for a burst of finished trials. */
  scheduleAnalysis(transport: AppTransport, tolerance: number): void {
    if (this.#analysisTimer !== null) return;
    this.#analysisTimer = setTimeout(() => {
      this.#analysisTimer = null;
      void this.loadAnalysis(transport, tolerance);
    }, ANALYSIS_REFRESH_MS);
  }

  dispose(): void {
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    if (this.#analysisTimer !== null) clearTimeout(this.#analysisTimer);
    this.#flushTimer = null;
    this.#analysisTimer = null;
    this.#epochsToken++;
    this.#analysisToken++;
  }
}

/** The app's shared state: what is loaded, where the user is, and what the run events say. One instance: `app`. */
class AppState {
  #transport: AppTransport | null = null;
  route = $state<Route>({ view: 'suites' });
  stream = $state<EventStreamStatus>('connecting');
  builtins = $state.raw<BuiltinSuiteInfo[] | null>(null);
  builtinsError = $state<string | null>(null);
  suites = $state.raw<SuiteRecord[] | null>(null);
  suitesError = $state<string | null>(null);
  /** Name of the built-in suite being started, or 'file' while a picked file is started. */
  starting = $state<string | null>(null);
  /** Suite ids with a cancel or resume request in flight. */
  busy = $state.raw<ReadonlySet<number>>(new Set());
  open = $state<OpenSuite | null>(null);
  notices = $state.raw<Notice[]>([]);
  #noticeId = 0;
  #listTimer: ReturnType<typeof setTimeout> | null = null;

  get transport(): AppTransport {
    this.#transport ??= createTransport();
    return this.#transport;
  }

  get host(): 'electron' | 'http' {
    return this.transport.kind;
  }

  /** Connects to the engine, follows the URL and loads the first view. Returns a function that stops it all. */
  start(): () => void {
    const onHash = () => this.#go(parseRoute(location.hash));
    window.addEventListener('hashchange', onHash);
    let wasOpen = false;
    const unsubscribe = this.transport.subscribe(
      (event) => this.#onEvent(event),
      (status) => {
        // After a reconnect events may have been missed: reload what is on screen.
        if (status === 'open' && wasOpen && this.stream !== 'open') void this.refresh();
        if (status === 'open') wasOpen = true;
        this.stream = status;
      },
    );
    void this.loadBuiltins();
    void this.loadSuites();
    onHash();
    return () => {
      window.removeEventListener('hashchange', onHash);
      unsubscribe();
      this.open?.dispose();
    };
  }

  navigate(route: Route): void {
    const href = routeHref(route);
    if (location.hash !== href) location.hash = href;
    else this.#go(route);
  }

  #go(route: Route): void {
    this.route = route;
    if (route.view === 'suite') {
      if (this.open?.suiteId !== route.suiteId) {
        this.open?.dispose();
        this.open = new OpenSuite(route.suiteId);
        void this.loadOpenSuite();
      }
    } else {
      this.open?.dispose();
      this.open = null;
      void this.loadSuites();
    }
  }

  async refresh(): Promise<void> {
    await Promise.all([this.loadSuites(), this.open ? this.loadOpenSuite() : Promise.resolve()]);
  }

  async loadBuiltins(): Promise<void> {
    this.builtinsError = null;
    try {
      this.builtins = await this.transport.client.listBuiltinSuites({});
    } catch (error) {
      this.builtinsError = messageOf(error);
    }
  }

  async loadSuites(): Promise<void> {
    try {
      this.suites = await this.transport.client.listSuites({});
      this.suitesError = null;
    } catch (error) {
      this.suitesError = messageOf(error);
    }
  }

  #scheduleListRefresh(): void {
    if (this.#listTimer !== null) return;
    this.#listTimer = setTimeout(() => {
      this.#listTimer = null;
      void this.loadSuites();
    }, LIST_REFRESH_MS);
  }

  async loadOpenSuite(): Promise<void> {
    const open = this.open;
    if (!open) return;
    open.loading = open.suite === null;
    try {
      const { suite, trials } = await this.transport.client.getSuite({ suiteId: open.suiteId });
      if (this.open !== open) return;
      // A trial may have finished (by event) after the server read these: keep what the events said.
      const local = new Map(open.trials.map((t) => [t.id, t]));
      const merged = trials.map((t) => {
        const known = local.get(t.id);
        return known && isTrialFinal(known.status) && !isTrialFinal(t.status) ? known : t;
      });
      open.suite = { ...suite, trialsFinished: merged.filter((t) => isTrialFinal(t.status)).length };
      open.trials = merged;
      open.error = null;
      if (suite.status !== 'running') open.live = [];
      const size = open.curveSize ?? suite.spec.sizes[0] ?? null;
      await Promise.all([
        size !== null ? open.loadEpochs(this.transport, size) : Promise.resolve(),
        open.loadAnalysis(this.transport, preferences.tolerance),
      ]);
    } catch (error) {
      if (this.open === open) open.error = messageOf(error);
    } finally {
      if (this.open === open) open.loading = false;
    }
  }

  async selectCurveSize(trainSize: number): Promise<void> {
    if (this.open) await this.open.loadEpochs(this.transport, trainSize);
  }

  async setTolerance(tolerance: number): Promise<void> {
    preferences.tolerance = tolerance;
    if (this.open) await this.open.loadAnalysis(this.transport, tolerance);
  }

  async downloadReport(suiteId: number, format: 'html' | 'md'): Promise<void> {
    await this.#withBusy(suiteId, async () => {
      try {
        const report = await this.transport.client.getReport({ suiteId, format, tolerance: preferences.tolerance });
        const where = await this.transport.saveFiles([report]);
        if (where !== null) this.notify('info', `Saved the report ${report.name}`, `→ ${where}`);
      } catch (error) {
        this.notify('error', 'Could not make the report', messageOf(error));
      }
    });
  }

  async startSuite(source: SuiteSource, label: string): Promise<void> {
    this.starting = label;
    try {
      const { suiteId } = await this.transport.client.startSuite({
        source,
        backend: preferences.backend,
        ...(preferences.workers !== null ? { workers: preferences.workers } : {}),
      });
      void this.loadSuites();
      this.navigate({ view: 'suite', suiteId });
    } catch (error) {
      this.notify('error', `Could not start ${label}`, messageOf(error));
    } finally {
      this.starting = null;
    }
  }

  async openSuiteFile(): Promise<void> {
    let source: SuiteSource | null;
    try {
      source = await this.transport.pickSuite();
    } catch (error) {
      this.notify('error', 'Could not open the suite file', messageOf(error));
      return;
    }
    if (source === null) return;
    const label = source.kind === 'file' ? source.path : source.kind === 'text' ? source.origin : source.name;
    await this.startSuite(source, label);
  }

  async #withBusy(suiteId: number, action: () => Promise<void>): Promise<void> {
    this.busy = new Set([...this.busy, suiteId]);
    try {
      await action();
    } finally {
      const next = new Set(this.busy);
      next.delete(suiteId);
      this.busy = next;
    }
  }

  async cancelSuite(suiteId: number): Promise<void> {
    await this.#withBusy(suiteId, async () => {
      try {
        const { cancelled } = await this.transport.client.cancelSuite({ suiteId });
        if (!cancelled) this.notify('info', 'Nothing to cancel', `Suite #${suiteId} is not running.`);
      } catch (error) {
        this.notify('error', `Could not cancel suite #${suiteId}`, messageOf(error));
      }
      await this.refresh();
    });
  }

  async resumeSuite(suiteId: number): Promise<void> {
    await this.#withBusy(suiteId, async () => {
      try {
        const { suiteId: resumed } = await this.transport.client.resumeSuite({ suiteId });
        await this.refresh();
        this.navigate({ view: 'suite', suiteId: resumed });
      } catch (error) {
        this.notify('error', `Could not resume suite #${suiteId}`, messageOf(error));
      }
    });
  }

  async exportCsv(suiteId: number): Promise<void> {
    await this.#withBusy(suiteId, async () => {
      try {
        const { files } = await this.transport.client.exportCsv({ suiteId });
        const where = await this.transport.saveFiles(files);
        if (where !== null) {
          this.notify(
            'info',
            `Exported ${files.length} CSV file${files.length === 1 ? '' : 's'}`,
            `${files.map((f) => f.name).join(', ')} → ${where}`,
          );
        }
      } catch (error) {
        this.notify('error', 'CSV export failed', messageOf(error));
      }
    });
  }

  notify(kind: Notice['kind'], title: string, detail: string | null = null): void {
    const notice: Notice = { id: ++this.#noticeId, kind, title, detail };
    this.notices = [...this.notices, notice];
    if (kind === 'info') setTimeout(() => this.dismiss(notice.id), 6000);
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  #onEvent(event: RunEvent): void {
    const open = this.open?.suiteId === event.suiteId ? this.open : null;
    switch (event.type) {
      case 'suite-started':
        this.#patchListed(event.suiteId, {
          status: 'running',
          trialsTotal: event.total,
          trialsFinished: event.finished,
        });
        if (!this.suites?.some((s) => s.id === event.suiteId)) void this.loadSuites();
        if (open) {
          open.runStartedAtMs = Date.now();
          if (open.suite) open.suite = { ...open.suite, status: 'running', finishedAt: null, error: null };
        }
        break;
      case 'pretrain-started':
        if (open) open.pretrain = { epoch: 0, epochs: event.epochs, loss: null, accuracy: null };
        break;
      case 'pretrain-epoch':
        if (open)
          open.pretrain = { epoch: event.epoch, epochs: event.epochs, loss: event.loss, accuracy: event.accuracy };
        break;
      case 'pretrain-finished':
        if (open) {
          open.pretrain = null;
          // The suite record now says what was pretrained and what it cost.
          void this.loadOpenSuite();
        }
        break;
      case 'trial-started':
        if (open) {
          open.runStartedAtMs ??= Date.now();
          open.live = [
            ...open.live.filter((t) => t.trialId !== event.trialId),
            {
              trialId: event.trialId,
              key: event.key,
              maxEpochs: event.maxEpochs,
              record: null,
              startedAtMs: Date.now(),
            },
          ];
          open.setTrialRunning(event.trialId);
        }
        break;
      case 'trial-epoch':
        if (open) {
          const known = open.live.some((t) => t.trialId === event.trialId);
          const now = Date.now();
          open.live = known
            ? open.live.map((t) =>
                t.trialId === event.trialId ? { ...t, record: event.record, maxEpochs: event.maxEpochs } : t,
              )
            : [
                ...open.live,
                {
                  trialId: event.trialId,
                  key: event.key,
                  maxEpochs: event.maxEpochs,
                  record: event.record,
                  startedAtMs: now - event.record.elapsedSeconds * 1000,
                },
              ];
          open.queueEpochRow({ trialId: event.trialId, ...event.key, ...event.record });
        }
        break;
      case 'trial-finished':
        if (open) {
          open.flushEpochRows();
          open.live = open.live.filter((t) => t.trialId !== event.trial.id);
          open.setTrial(event.trial);
          open.scheduleAnalysis(this.transport, preferences.tolerance);
        }
        this.#scheduleListRefresh();
        break;
      case 'suite-finished':
        if (open) {
          open.live = [];
          open.pretrain = null;
          if (open.suite) open.suite = { ...open.suite, status: event.status, error: event.error };
          void this.loadOpenSuite();
        }
        this.#patchListed(event.suiteId, { status: event.status, error: event.error });
        void this.loadSuites();
        break;
    }
  }

  #patchListed(suiteId: number, patch: Partial<SuiteRecord>): void {
    if (!this.suites?.some((s) => s.id === suiteId)) return;
    this.suites = this.suites.map((s) => (s.id === suiteId ? { ...s, ...patch } : s));
  }
}

export const app = new AppState();
