import type { ContractHandlers, RequestName, ValidRequestOf } from '../../../benchmarks/contract.js';
import { UserError } from '../../../benchmarks/errors.js';
import type { RunEvent, RunEventListener } from '../../../benchmarks/domain.js';
import type { ServedService } from '../../../benchmarks/service/dispatch.js';

/** A stand-in for the engine service that records what reached it, to test transports in isolation. */
export class FakeService implements ServedService {
  readonly calls: { name: RequestName; request: unknown }[] = [];
  private readonly listeners = new Set<RunEventListener>();

  emit(event: RunEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  subscribe(listener: RunEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private record<K extends RequestName>(name: K, request: ValidRequestOf<K>): void {
    this.calls.push({ name, request });
  }

  getLimits: ContractHandlers['getLimits'] = async (request) => {
    this.record('getLimits', request);
    return { maxWorkers: 2 };
  };

  getEnvironment: ContractHandlers['getEnvironment'] = async (request) => {
    this.record('getEnvironment', request);
    return { cpu: 'Test CPU (2 cores)', probing: true, gpu: null, auto: null };
  };

  listBuiltinSuites: ContractHandlers['listBuiltinSuites'] = async (request) => {
    this.record('listBuiltinSuites', request);
    return [
      {
        name: 'quick',
        description: 'A small suite',
        architecture: 'mlp',
        sizes: [10, 100],
        seeds: [1],
        approaches: ['scratch', 'finetune'],
        trials: 4,
      },
    ];
  };

  listSuites: ContractHandlers['listSuites'] = async (request) => {
    this.record('listSuites', request);
    return [];
  };

  getSuite: ContractHandlers['getSuite'] = async (request) => {
    this.record('getSuite', request);
    throw new UserError(`no suite with id ${request.suiteId}`);
  };

  getEpochs: ContractHandlers['getEpochs'] = async (request) => {
    this.record('getEpochs', request);
    throw new Error('database is locked');
  };

  startSuite: ContractHandlers['startSuite'] = async (request) => {
    this.record('startSuite', request);
    return { suiteId: 7 };
  };

  cancelSuite: ContractHandlers['cancelSuite'] = async (request) => {
    this.record('cancelSuite', request);
    return { cancelled: true };
  };

  resumeSuite: ContractHandlers['resumeSuite'] = async (request) => {
    this.record('resumeSuite', request);
    return { suiteId: request.suiteId };
  };

  exportCsv: ContractHandlers['exportCsv'] = async (request) => {
    this.record('exportCsv', request);
    return { files: [{ name: 'trials.csv', content: 'a,b\n1,2\n' }] };
  };

  getAnalysis: ContractHandlers['getAnalysis'] = async (request) => {
    this.record('getAnalysis', request);
    throw new UserError(`suite ${request.suiteId} has no finished trials to analyse`);
  };

  getDesign: ContractHandlers['getDesign'] = async (request) => {
    this.record('getDesign', request);
    return null;
  };

  getReport: ContractHandlers['getReport'] = async (request) => {
    this.record('getReport', request);
    return { name: `suite-${request.suiteId}.${request.format}`, content: '# report\n' };
  };

  draftSuite: ContractHandlers['draftSuite'] = async (request) => {
    this.record('draftSuite', request);
    throw new UserError(
      `${request.target} does not exist; give a folder of images (one subfolder per class) or a CSV file`,
    );
  };

  compareSuites: ContractHandlers['compareSuites'] = async (request) => {
    this.record('compareSuites', request);
    throw new UserError(`cannot compare: no suite with id ${request.suiteIds[0]} in this database`);
  };

  exportComparisonCsv: ContractHandlers['exportComparisonCsv'] = async (request) => {
    this.record('exportComparisonCsv', request);
    return { files: [{ name: `compare-${request.suiteIds.join('-')}-summary.csv`, content: 'a,b\n1,2\n' }] };
  };

  estimateSuite: ContractHandlers['estimateSuite'] = async (request) => {
    this.record('estimateSuite', request);
    return {
      seconds: 60,
      trials: 3,
      workers: 1,
      pretrainSeconds: 0,
      samplesPerSecond: request.basis.samplesPerSecond,
      backend: request.basis.backend,
    };
  };

  estimateBuiltinSuite: ContractHandlers['estimateBuiltinSuite'] = async (request) => {
    this.record('estimateBuiltinSuite', request);
    return { estimate: null, none: `no estimate for ${request.name} in this fake engine` };
  };

  getCompareReport: ContractHandlers['getCompareReport'] = async (request) => {
    this.record('getCompareReport', request);
    return { name: `transfer-bench-compare-${request.suiteIds.join('-')}.${request.format}`, content: '# compare\n' };
  };
}
