import type {
  BuiltinSuiteEstimate,
  BuiltinSuiteInfo,
  EngineEvent,
  EngineLimits,
  RunTimeEstimate,
  SuiteSource,
} from '$engine/contract.js';
import type { SuiteRecord } from '$engine/domain.js';
import { createTransport, type AppTransport, type EventStreamStatus } from '../client/index.js';
import { EnvironmentState } from './environment.svelte.js';
import { Notices, messageOf } from './notices.svelte.js';
import { ComparedSuites } from './compared-suites.svelte.js';
import { OpenSuite, QUIET_RUN_RELOAD_MS } from './open-suite.svelte.js';
import { parseRoute, routeHref, type Route } from './route.js';
import { preferences } from './preferences.svelte.js';
import { isHeldByAnotherRun } from './resume-choice.js';
import { SuiteBuilder } from './suite-builder.svelte.js';

export { OpenSuite, type LiveTrial, type PretrainProgress } from './open-suite.svelte.js';

/** How to resume a suite: also run its failed trials again; take it over from a run that looks alive. */
export interface ResumeOptions {
  retryFailed?: boolean;
  force?: boolean;
}

/**
 * A resume the engine refused because another live run (e.g. `transfer-bench run` in a terminal) holds the suite:
 * the app offers to take it over, which needs the user's confirmation (that run stops).
 */
export interface TakeOverOffer {
  suiteId: number;
  /** The engine's refusal, naming the run that holds the suite. */
  message: string;
  retryFailed: boolean;
  /** The user asked to take over and is being asked to confirm. */
  confirming: boolean;
}

/** The suites list is reloaded at most this often while trials finish. */
export const LIST_REFRESH_MS = 1500;

/**
 * The app shell: where the user is, the lists, the actions and the connection to the engine. The open suite keeps
 * itself current (open-suite.svelte.ts); notices are their own (notices.svelte.ts). One instance: `app`.
 */
export class AppShell {
  #transport: AppTransport | null;
  route = $state<Route>({ view: 'suites' });
  stream = $state<EventStreamStatus>('connecting');
  builtins = $state.raw<BuiltinSuiteInfo[] | null>(null);
  builtinsError = $state<string | null>(null);
  /** The engine's limits (e.g. most workers), null until known; the engine checks every request against them anyway. */
  limits = $state.raw<EngineLimits | null>(null);
  suites = $state.raw<SuiteRecord[] | null>(null);
  suitesError = $state<string | null>(null);
  /** Name of the built-in suite being started, or 'file' while a picked file is started. */
  starting = $state<string | null>(null);
  /** The built-in suite whose estimate is being measured before it starts (the Suites screen), or null. */
  estimating = $state<string | null>(null);
  /** The estimate of each built-in suite the Suites screen started (or why it has none), by name. */
  builtinEstimates = $state.raw<ReadonlyMap<string, BuiltinSuiteEstimate>>(new Map());
  /** Suite ids with a cancel or resume request in flight. */
  busy = $state.raw<ReadonlySet<number>>(new Set());
  open = $state<OpenSuite | null>(null);
  /** The suites side by side in the compare view; null in the other views. */
  compared = $state<ComparedSuites | null>(null);
  /** A refused resume the user may turn into a take-over; null when there is none. */
  takeOver = $state.raw<TakeOverOffer | null>(null);
  readonly notices = new Notices();
  /** The engine's machine and its GPU (probed in the background: "probing…" until it answers). */
  readonly environment = new EnvironmentState();
  /** The "New suite" screen; kept while the app runs, so going to a run and back keeps the form. */
  #builder: SuiteBuilder | null = null;
  /** The estimate the builder showed for each suite it started, for the run view before trials time themselves. */
  readonly #startEstimates = new Map<number, RunTimeEstimate>();
  #listTimer: ReturnType<typeof setTimeout> | null = null;
  /** Disconnected: no more list reloads are scheduled. */
  #stopped = false;

  /** Without a transport, the host's (Electron's bridge or HTTP) is created when first needed. */
  constructor(transport: AppTransport | null = null) {
    this.#transport = transport;
  }

  get transport(): AppTransport {
    this.#transport ??= createTransport();
    return this.#transport;
  }

  get builder(): SuiteBuilder {
    this.#builder ??= new SuiteBuilder({
      client: this.transport.client,
      pickDataPath: this.transport.pickDataPath,
      saveSuite: (file) => this.transport.saveSuite(file),
      startSuite: (source, label, estimate) => this.startSuite(source, label, estimate),
      workers: () =>
        preferences.workers === null
          ? undefined
          : Math.min(preferences.workers, this.limits?.maxWorkers ?? preferences.workers),
    });
    return this.#builder;
  }

  get host(): 'electron' | 'http' {
    return this.transport.kind;
  }

  /** Connects to the engine, follows the URL and loads the first view. Returns a function that stops it all. */
  start(): () => void {
    const onHash = () => this.show(parseRoute(location.hash));
    window.addEventListener('hashchange', onHash);
    const disconnect = this.connect();
    void this.loadBuiltins();
    void this.loadLimits();
    void this.loadSuites();
    const stopEnvironment = this.environment.watch(this.transport.client);
    onHash();
    return () => {
      window.removeEventListener('hashchange', onHash);
      stopEnvironment();
      disconnect();
    };
  }

  /** Follows the run events; after a reconnect (events may have been missed) reloads what is on screen. */
  connect(): () => void {
    let wasOpen = false;
    this.#stopped = false;
    const unsubscribe = this.transport.subscribe(
      (event) => this.#onEvent(event),
      (status) => {
        if (status === 'open' && wasOpen && this.stream !== 'open') void this.refresh();
        if (status === 'open') wasOpen = true;
        this.stream = status;
      },
    );
    return () => {
      this.#stopped = true;
      unsubscribe();
      this.open?.dispose();
      if (this.#listTimer !== null) clearTimeout(this.#listTimer);
      this.#listTimer = null;
    };
  }

  navigate(route: Route): void {
    const href = routeHref(route);
    if (location.hash !== href) location.hash = href;
    else this.show(route);
  }

  /** Shows `route` without touching the URL (`navigate` does). */
  show(route: Route): void {
    this.route = route;
    if (route.view !== 'compare') this.compared = null;
    else if (this.compared?.suiteIds.join() !== route.suiteIds.join()) {
      this.compared = new ComparedSuites(route.suiteIds, {
        client: this.transport.client,
        saveFiles: (files) => this.transport.saveFiles(files),
        tolerance: () => preferences.tolerance,
        notify: (kind, title, detail) => this.notices.notify(kind, title, detail),
      });
      void this.compared.load();
    }
    if (route.view === 'suite') {
      if (this.open?.suiteId !== route.suiteId) {
        this.open?.dispose();
        this.open = new OpenSuite(route.suiteId, {
          client: this.transport.client,
          tolerance: () => preferences.tolerance,
          startEstimate: this.#startEstimates.get(route.suiteId) ?? null,
        });
        void this.open.load();
      }
    } else {
      this.open?.dispose();
      this.open = null;
      if (route.view === 'suites') void this.loadSuites();
    }
  }

  async refresh(): Promise<void> {
    await Promise.all([this.loadSuites(), this.open ? this.open.load() : Promise.resolve()]);
  }

  async loadLimits(): Promise<void> {
    try {
      this.limits = await this.transport.client.getLimits({});
    } catch {
      // Not fatal: the run settings then take any number, and the engine's refusal names the limit.
    }
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
      // Suites started or run by another process (a terminal, a distributed run's workers) send this app no events.
      if (this.route.view === 'suites' || this.suites.some((suite) => suite.status === 'running')) {
        this.#scheduleListRefresh(QUIET_RUN_RELOAD_MS);
      }
    } catch (error) {
      this.suitesError = messageOf(error);
    }
  }

  #scheduleListRefresh(delayMs = LIST_REFRESH_MS): void {
    if (this.#listTimer !== null || this.#stopped) return;
    this.#listTimer = setTimeout(() => {
      this.#listTimer = null;
      void this.loadSuites();
    }, delayMs);
  }

  async selectCurveSize(trainSize: number): Promise<void> {
    if (this.open) await this.open.loadEpochs(trainSize);
  }

  async setTolerance(tolerance: number): Promise<void> {
    preferences.tolerance = tolerance;
    if (this.open) await this.open.loadAnalysis(tolerance);
  }

  async downloadReport(suiteId: number, format: 'html' | 'md'): Promise<void> {
    await this.#withBusy(suiteId, async () => {
      try {
        const report = await this.transport.client.getReport({ suiteId, format, tolerance: preferences.tolerance });
        const where = await this.transport.saveFiles([report]);
        if (where !== null) this.notices.notify('info', `Saved the report ${report.name}`, `→ ${where}`);
      } catch (error) {
        this.notices.notify('error', 'Could not make the report', messageOf(error));
      }
    });
  }

  /**
   * Starts a built-in suite from the Suites screen: first its estimate on the engine's machine (the estimator `run`
   * prints from: the suite's data read, the speed measured once a day), so the card and the run view show how long it
   * takes before the first trial; then the run. A suite without an estimate says why, and starts all the same.
   */
  async startBuiltin(name: string): Promise<string | null> {
    this.estimating = name;
    this.starting = name;
    let found: BuiltinSuiteEstimate;
    try {
      found = await this.transport.client.estimateBuiltinSuite({
        name,
        backend: preferences.backend,
        ...(preferences.workers !== null
          ? { workers: Math.min(preferences.workers, this.limits?.maxWorkers ?? preferences.workers) }
          : {}),
      });
    } catch (error) {
      found = { estimate: null, none: `no estimate: ${messageOf(error)}` };
    } finally {
      this.estimating = null;
    }
    this.builtinEstimates = new Map([...this.builtinEstimates, [name, found]]);
    return this.startSuite({ kind: 'builtin', name }, name, found.estimate);
  }

  /** Starts a suite and shows its run; resolves to the engine's refusal (also shown as a notice), or null. */
  async startSuite(source: SuiteSource, label: string, estimate?: RunTimeEstimate | null): Promise<string | null> {
    this.starting = label;
    try {
      const { suiteId } = await this.transport.client.startSuite({
        source,
        backend: preferences.backend,
        // A saved preference from a bigger machine is held to this engine's limit rather than refused.
        ...(preferences.workers !== null
          ? { workers: Math.min(preferences.workers, this.limits?.maxWorkers ?? preferences.workers) }
          : {}),
      });
      if (estimate) this.#startEstimates.set(suiteId, estimate);
      void this.loadSuites();
      this.navigate({ view: 'suite', suiteId });
      return null;
    } catch (error) {
      const message = messageOf(error);
      this.notices.notify('error', `Could not start ${label}`, message);
      return message;
    } finally {
      this.starting = null;
    }
  }

  async openSuiteFile(): Promise<void> {
    let source: SuiteSource | null;
    try {
      source = await this.transport.pickSuite();
    } catch (error) {
      this.notices.notify('error', 'Could not open the suite file', messageOf(error));
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
        await this.refresh();
        if (cancelled) return;
        if (this.#statusOf(suiteId) === 'running') {
          // Recorded as running, but not by this engine: a run in another process (or one that stopped answering).
          this.takeOver = {
            suiteId,
            message: `Suite #${suiteId} is not run by this app but by another process (e.g. \`transfer-bench run\` in a terminal): stop it there, or take it over here and then cancel it.`,
            retryFailed: false,
            confirming: false,
          };
        } else {
          this.notices.notify('info', 'Nothing to cancel', `Suite #${suiteId} is not running.`);
        }
      } catch (error) {
        this.notices.notify('error', `Could not cancel suite #${suiteId}`, messageOf(error));
        await this.refresh();
      }
    });
  }

  async resumeSuite(suiteId: number, options: ResumeOptions = {}): Promise<void> {
    const retryFailed = options.retryFailed ?? false;
    const force = options.force ?? false;
    if (this.takeOver?.suiteId === suiteId) this.takeOver = null;
    await this.#withBusy(suiteId, async () => {
      try {
        const { suiteId: resumed } = await this.transport.client.resumeSuite({ suiteId, retryFailed, force });
        await this.refresh();
        this.navigate({ view: 'suite', suiteId: resumed });
      } catch (error) {
        const message = messageOf(error);
        if (!force && isHeldByAnotherRun(message)) {
          this.takeOver = { suiteId, message, retryFailed, confirming: false };
        } else {
          this.notices.notify('error', `Could not resume suite #${suiteId}`, message);
        }
      }
    });
  }

  #statusOf(suiteId: number): SuiteRecord['status'] | null {
    if (this.open?.suiteId === suiteId && this.open.suite) return this.open.suite.status;
    return this.suites?.find((suite) => suite.id === suiteId)?.status ?? null;
  }

  /** The user chose "Take over" on a refused resume: ask to confirm first. */
  askTakeOver(): void {
    if (this.takeOver) this.takeOver = { ...this.takeOver, confirming: true };
  }

  /** Confirmed: resume with force (the run that held the suite stops at its next heartbeat). */
  async confirmTakeOver(): Promise<void> {
    const offer = this.takeOver;
    if (!offer?.confirming) return;
    this.takeOver = null;
    await this.resumeSuite(offer.suiteId, { retryFailed: offer.retryFailed, force: true });
  }

  dismissTakeOver(): void {
    this.takeOver = null;
  }

  async exportCsv(suiteId: number): Promise<void> {
    await this.#withBusy(suiteId, async () => {
      try {
        const { files } = await this.transport.client.exportCsv({ suiteId });
        const where = await this.transport.saveFiles(files);
        if (where !== null) {
          this.notices.notify(
            'info',
            `Exported ${files.length} file${files.length === 1 ? '' : 's'}`,
            `${files.map((f) => f.name).join(', ')} → ${where}`,
          );
        }
      } catch (error) {
        this.notices.notify('error', 'CSV export failed', messageOf(error));
      }
    });
  }

  #onEvent(event: EngineEvent): void {
    if (event.type === 'model-download') {
      this.#builder?.downloading(event);
      return;
    }
    this.open?.apply(event);
    switch (event.type) {
      case 'suite-started':
        this.#patchListed(event.suiteId, {
          status: 'running',
          trialsTotal: event.total,
          trialsFinished: event.finished,
        });
        if (!this.suites?.some((s) => s.id === event.suiteId)) void this.loadSuites();
        break;
      case 'trial-finished':
        this.#scheduleListRefresh();
        break;
      case 'suite-finished':
        this.#patchListed(event.suiteId, { status: event.status, error: event.error });
        void this.loadSuites();
        break;
      default:
        break;
    }
  }

  #patchListed(suiteId: number, patch: Partial<SuiteRecord>): void {
    if (!this.suites?.some((s) => s.id === suiteId)) return;
    this.suites = this.suites.map((s) => (s.id === suiteId ? { ...s, ...patch } : s));
  }
}

export const app = new AppShell();
