import { compareSuites, type SuiteComparison, type SuiteToCompare } from '../analysis/compare-suites.js';
import type { SuiteRecord, TextFile } from '../domain.js';
import { UserError } from '../errors.js';
import { comparisonCsvFiles } from '../export/csv-export.js';
import type { Store, StoredSuite } from '../store/store.js';

export interface CompareRequest {
  suiteIds: number[];
  /** Crossover tolerance as a fraction (0.01 = 1 percentage point). */
  tolerance?: number | undefined;
}

/**
 * Reads the suites to compare, every id first: ids that are not in the database are named together in one message.
 * `present` shows a stored suite as the UI sees it (a run that is gone reads as interrupted).
 */
async function readSuites(
  store: Store,
  suiteIds: readonly number[],
  present: (stored: StoredSuite) => SuiteRecord,
): Promise<SuiteToCompare[]> {
  const stored = await Promise.all(suiteIds.map(async (id) => ({ id, suite: await store.getSuite(id) })));
  const missing = stored.filter((s) => s.suite === undefined).map((s) => s.id);
  if (missing.length > 0) {
    const ids = missing.length === 1 ? `id ${missing[0]}` : `ids ${missing.join(', ')}`;
    throw new UserError(`cannot compare: no suite with ${ids} in this database (see \`transfer-bench list\`)`);
  }
  return Promise.all(
    stored.map(async ({ id, suite }) => ({
      suite: present(suite!),
      baseDir: suite!.baseDir,
      trials: await store.listTrials(id),
      epochs: await store.listEpochs(id),
    })),
  );
}

/** Several finished suites of one target side by side (analysis/compare-suites.ts says what is refused and why). */
export async function suiteComparison(
  store: Store,
  request: CompareRequest,
  present: (stored: StoredSuite) => SuiteRecord,
): Promise<SuiteComparison> {
  const inputs = await readSuites(store, request.suiteIds, present);
  return compareSuites(inputs, request.tolerance === undefined ? {} : { tolerance: request.tolerance });
}

/** The comparison's combined tables as CSV files (export/csv-export.ts), named after the suites compared. */
export async function comparisonCsv(
  store: Store,
  request: CompareRequest,
  present: (stored: StoredSuite) => SuiteRecord,
): Promise<TextFile[]> {
  return comparisonCsvFiles(await suiteComparison(store, request, present));
}

/** The comparison's report (report/compare-report.ts) as a file named after the suites compared. */
export async function comparisonReport(
  store: Store,
  request: CompareRequest & { format: 'html' | 'md' },
  present: (stored: StoredSuite) => SuiteRecord,
): Promise<TextFile> {
  const comparison = await suiteComparison(store, request, present);
  // The report's chart loads ECharts: only when a report is asked for, not whenever the engine starts.
  const { compareReport } = await import('../report/compare-report.js');
  return compareReport(comparison, request.format);
}
