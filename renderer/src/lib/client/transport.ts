import type {
  ContractClient,
  DataPathKind,
  TextFile,
  RequestName,
  RequestOf,
  ResponseOf,
  EngineEvent,
  SuiteSource,
} from '$engine/contract.js';

/** State of the event stream: `connecting` before the first connection and while reconnecting. */
export type EventStreamStatus = 'connecting' | 'open' | 'reconnecting';

/** Everything the UI needs from its host, whether Electron or a browser talking to `transfer-bench serve`. */
export interface AppTransport {
  kind: 'electron' | 'http';
  client: ContractClient;
  /**
   * Run events, in order. `onStatus` reports the stream's state; after a reconnect events may have been
   * missed, so the UI reloads what it shows.
   */
  subscribe(onEvent: (event: EngineEvent) => void, onStatus: (status: EventStreamStatus) => void): () => void;
  /** Asks the user for a suite file; null when they cancel. */
  pickSuite(): Promise<SuiteSource | null>;
  /** Saves CSV files where the user chooses; returns a description of where, or null when cancelled. */
  saveFiles(files: TextFile[]): Promise<string | null>;
  /**
   * The desktop app's native dialog for the suite builder's data (the path is then allowed for draftSuite); null in a
   * browser, where the user types a path that the server checks.
   */
  pickDataPath: ((kind: DataPathKind) => Promise<string | null>) | null;
  /** Saves a suite file where the user chooses (desktop: a save dialog; browser: a download); null when cancelled. */
  saveSuite(file: TextFile): Promise<string | null>;
}

export type RequestFn = <K extends RequestName>(name: K, request: RequestOf<K>) => Promise<ResponseOf<K>>;

/** A ContractClient over one generic request function. The mapped type makes leaving out a request a type error. */
export function clientOver(request: RequestFn): ContractClient {
  return {
    listBuiltinSuites: (r) => request('listBuiltinSuites', r),
    getLimits: (r) => request('getLimits', r),
    getEnvironment: (r) => request('getEnvironment', r),
    listSuites: (r) => request('listSuites', r),
    getSuite: (r) => request('getSuite', r),
    getEpochs: (r) => request('getEpochs', r),
    startSuite: (r) => request('startSuite', r),
    cancelSuite: (r) => request('cancelSuite', r),
    resumeSuite: (r) => request('resumeSuite', r),
    exportCsv: (r) => request('exportCsv', r),
    getAnalysis: (r) => request('getAnalysis', r),
    getDesign: (r) => request('getDesign', r),
    getReport: (r) => request('getReport', r),
    draftSuite: (r) => request('draftSuite', r),
    compareSuites: (r) => request('compareSuites', r),
    exportComparisonCsv: (r) => request('exportComparisonCsv', r),
    getCompareReport: (r) => request('getCompareReport', r),
    estimateSuite: (r) => request('estimateSuite', r),
    estimateBuiltinSuite: (r) => request('estimateBuiltinSuite', r),
  };
}
