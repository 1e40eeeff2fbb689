import { analyzeSuite, type SuiteAnalysis } from '../analysis/analyze-suite.js';
import type { TextFile } from '../domain.js';
import { renderReport } from '../report/render-report.js';
import type { ResultStore } from '../store/result-store.js';

/** The analysis of a suite as stored now (finished or not). */
export function suiteAnalysis(store: ResultStore, suiteId: number, tolerance?: number): SuiteAnalysis {
  const suite = store.requireSuite(suiteId);
  return analyzeSuite(
    suite,
    store.listTrials(suiteId),
    store.listEpochs(suiteId),
    tolerance === undefined ? {} : { tolerance },
  );
}

/** The self-contained decision report of a suite, every number from the database. */
export function suiteReport(store: ResultStore, suiteId: number, format: 'html' | 'md', tolerance?: number): TextFile {
  const suite = store.requireSuite(suiteId);
  const trials = store.listTrials(suiteId);
  const epochs = store.listEpochs(suiteId);
  const analysis = analyzeSuite(suite, trials, epochs, tolerance === undefined ? {} : { tolerance });
  return {
    name: `transfer-bench-${suite.name}-${suite.id}.${format}`,
    content: renderReport(analysis, suite, trials, epochs, format),
  };
}
