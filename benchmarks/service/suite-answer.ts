import { analyzeSuite, type SuiteAnalysis } from '../analysis/analyze-suite.js';
import { isTrialFinal, type TextFile } from '../domain.js';
import type { Store } from '../store/store.js';
import type { DesignView } from '../contract.js';
import { designView } from '../design/design-view.js';
import { adaptiveSettingsOf, designTrial } from '../design/suite-design.js';

/** The analysis of a suite as stored now (finished or not). */
export async function suiteAnalysis(store: Store, suiteId: number, tolerance?: number): Promise<SuiteAnalysis> {
  const suite = await store.requireSuite(suiteId);
  return analyzeSuite(
    suite,
    await store.listTrials(suiteId),
    await store.listEpochs(suiteId),
    tolerance === undefined ? {} : { tolerance },
  );
}

/** The self-contained decision report of a suite, every number from the database. */
export async function suiteReport(
  store: Store,
  suiteId: number,
  format: 'html' | 'md',
  tolerance?: number,
): Promise<TextFile> {
  const suite = await store.requireSuite(suiteId);
  const trials = await store.listTrials(suiteId);
  const epochs = await store.listEpochs(suiteId);
  const analysis = analyzeSuite(suite, trials, epochs, tolerance === undefined ? {} : { tolerance });
  // The report's charts load ECharts: only when a report is asked for, not whenever the engine starts.
  const { renderReport } = await import('../report/render-report.js');
  return {
    name: `transfer-bench-${suite.name}-${suite.id}.${format}`,
    content: renderReport(analysis, suite, trials, epochs, format),
  };
}

/**
 * An adaptive suite's design as it happened so far (null for a fixed grid): its rounds replayed from the trials that
 * have finished (done or failed), so the round in progress shows how many of its trials are stored.
 */
export async function suiteDesign(store: Store, suiteId: number): Promise<DesignView | null> {
  const suite = await store.requireSuite(suiteId);
  const settings = adaptiveSettingsOf(suite.spec);
  if (!settings) return null;
  const finished = (await store.listTrials(suiteId)).filter((t) => isTrialFinal(t.status));
  return designView(settings, finished.map(designTrial));
}
