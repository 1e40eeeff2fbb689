import type {
  BuiltinSuiteEstimate,
  ContractClient,
  EnvironmentInfo,
  RunEvent,
  SuiteComparison,
  TextFile,
} from '../../../../benchmarks/contract.js';
import type { SuiteRecord, TrialRecord, EpochRow } from '../../../../benchmarks/domain.js';
import type { AppTransport, EventStreamStatus } from '../../../../renderer/src/lib/client/transport.js';

/** Deferred answers: a test decides when (and with what) the engine's answer arrives. */
export class Gate<T> {
  readonly promise: Promise<T>;
  resolve!: (value: T) => void;
  reject!: (error: unknown) => void;
  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }
}

/** An engine in memory: what getSuite/getEpochs/listSuites answer, and a log of every request. */
export class FakeEngine {
  suite: SuiteRecord;
  trials: TrialRecord[] = [];
  epochs: EpochRow[] = [];
  suites: SuiteRecord[] = [];
  /** What compareSuites answers (an Error: it fails with that message). */
  comparison: SuiteComparison | Error | null = null;
  /** Files the app asked to save. */
  saved: TextFile[][] = [];
  /** What getEnvironment answers (a test changes it to end the probe). */
  environment: EnvironmentInfo = { cpu: 'Test CPU (2 cores)', probing: true, gpu: null, auto: null };
  readonly calls: string[] = [];
  /** When set, the next getSuite waits for this gate (then answers with what the engine holds at that moment). */
  holdGetSuite: Gate<void> | null = null;
  #onEvent: ((event: RunEvent) => void) | null = null;
  #onStatus: ((status: EventStreamStatus) => void) | null = null;

  constructor(suite: SuiteRecord) {
    this.suite = suite;
  }

  client: ContractClient = {
    listBuiltinSuites: async () => {
      this.calls.push('listBuiltinSuites');
      return [];
    },
    getLimits: async () => {
      this.calls.push('getLimits');
      return { maxWorkers: 2 };
    },
    getEnvironment: async () => {
      this.calls.push('getEnvironment');
      return this.environment;
    },
    listSuites: async () => {
      this.calls.push('listSuites');
      return this.suites;
    },
    getSuite: async () => {
      this.calls.push('getSuite');
      const hold = this.holdGetSuite;
      this.holdGetSuite = null;
      // What the server read before waiting: an answer that is older than the events that follow.
      const answer = { suite: this.suite, trials: this.trials };
      if (hold) await hold.promise;
      return answer;
    },
    getEpochs: async ({ trainSize }) => {
      this.calls.push(`getEpochs:${trainSize ?? 'all'}`);
      return this.epochs.filter((r) => trainSize === undefined || r.trainSize === trainSize);
    },
    getAnalysis: async () => {
      this.calls.push('getAnalysis');
      throw new Error('no analysis in this fake');
    },
    getDesign: async () => {
      this.calls.push('getDesign');
      return null;
    },
    startSuite: async ({ workers }) => {
      this.calls.push(`startSuite:workers=${workers ?? 'default'}`);
      return { suiteId: this.suite.id };
    },
    cancelSuite: async () => ({ cancelled: true }),
    resumeSuite: async () => ({ suiteId: this.suite.id }),
    exportCsv: async () => ({ files: [] }),
    getReport: async () => ({ name: 'r.html', content: '' }),
    draftSuite: async () => {
      throw new Error('not used by these tests');
    },
    compareSuites: async ({ suiteIds }) => {
      this.calls.push(`compareSuites:${suiteIds.join(',')}`);
      if (this.comparison instanceof Error) throw this.comparison;
      if (!this.comparison) throw new Error('no comparison in this fake');
      return this.comparison;
    },
    getCompareReport: async ({ suiteIds, format }) => {
      this.calls.push(`getCompareReport:${suiteIds.join(',')}`);
      return { name: `transfer-bench-compare-${suiteIds.join('-')}.${format ?? 'html'}`, content: '<html></html>' };
    },
    exportComparisonCsv: async ({ suiteIds }) => {
      this.calls.push(`exportComparisonCsv:${suiteIds.join(',')}`);
      return { files: [{ name: `compare-${suiteIds.join('-')}-summary.csv`, content: 'suite_id\r\n1\r\n' }] };
    },
    estimateSuite: async () => {
      throw new Error('not used by these tests');
    },
    estimateBuiltinSuite: async ({ name }) => {
      this.calls.push(`estimateBuiltinSuite:${name}`);
      return this.builtinEstimate;
    },
  };

  /** What estimateBuiltinSuite answers. */
  builtinEstimate: BuiltinSuiteEstimate = { estimate: null, none: 'no estimate in this fake engine' };

  transport: AppTransport = {
    kind: 'http',
    client: this.client,
    subscribe: (onEvent, onStatus) => {
      this.#onEvent = onEvent;
      this.#onStatus = onStatus;
      return () => {
        this.#onEvent = null;
        this.#onStatus = null;
      };
    },
    pickSuite: async () => null,
    saveFiles: async (files) => {
      this.saved.push(files);
      return 'the test folder';
    },
    pickDataPath: null,
    saveSuite: async () => null,
  };

  emit(event: RunEvent): void {
    if (!this.#onEvent) throw new Error('nobody subscribed');
    this.#onEvent(event);
  }

  status(status: EventStreamStatus): void {
    if (!this.#onStatus) throw new Error('nobody subscribed');
    this.#onStatus(status);
  }

  count(call: string): number {
    return this.calls.filter((c) => c === call).length;
  }
}

/** Lets every promise callback that is already due run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
