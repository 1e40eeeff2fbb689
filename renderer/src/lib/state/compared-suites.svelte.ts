import type { ContractClient, SuiteComparison, TextFile } from '$engine/contract.js';
import { messageOf } from './notices.svelte.js';

/** What the compare view needs from the app: the engine, where files go, the user's tolerance, and notices. */
export interface ComparedSuitesDeps {
  client: ContractClient;
  /** The host's save: a download in a browser, the folder dialog in the desktop app; null when the user cancels. */
  saveFiles(files: TextFile[]): Promise<string | null>;
  tolerance(): number;
  notify(kind: 'error' | 'info', title: string, detail: string): void;
}

/** The suites shown side by side in the compare view: loaded once from the engine (finished suites do not change). */
export class ComparedSuites {
  readonly suiteIds: readonly number[];
  comparison = $state.raw<SuiteComparison | null>(null);
  loading = $state(true);
  /** The engine's refusal (a suite not finished, another target…) or a failure to reach it. */
  error = $state<string | null>(null);
  exporting = $state(false);
  readonly #deps: ComparedSuitesDeps;

  constructor(suiteIds: readonly number[], deps: ComparedSuitesDeps) {
    this.suiteIds = [...suiteIds];
    this.#deps = deps;
  }

  async load(): Promise<void> {
    this.loading = true;
    try {
      this.comparison = await this.#deps.client.compareSuites({
        suiteIds: [...this.suiteIds],
        tolerance: this.#deps.tolerance(),
      });
      this.error = null;
    } catch (error) {
      this.comparison = null;
      this.error = messageOf(error);
    } finally {
      this.loading = false;
    }
  }

  /** The combined summary and comparison tables as CSV, saved where the host saves files. */
  async exportCsv(): Promise<void> {
    this.exporting = true;
    try {
      const { files } = await this.#deps.client.exportComparisonCsv({
        suiteIds: [...this.suiteIds],
        tolerance: this.#deps.tolerance(),
      });
      const where = await this.#deps.saveFiles(files);
      if (where !== null) {
        this.#deps.notify(
          'info',
          `Exported ${files.length} file${files.length === 1 ? '' : 's'}`,
          `${files.map((f) => f.name).join(', ')} → ${where}`,
        );
      }
    } catch (error) {
      this.#deps.notify('error', 'CSV export failed', messageOf(error));
    } finally {
      this.exporting = false;
    }
  }

  /** The comparison report (the overlaid chart, each suite's answer), saved where the host saves files. */
  async downloadReport(format: 'html' | 'md'): Promise<void> {
    this.exporting = true;
    try {
      const report = await this.#deps.client.getCompareReport({
        suiteIds: [...this.suiteIds],
        format,
        tolerance: this.#deps.tolerance(),
      });
      const where = await this.#deps.saveFiles([report]);
      if (where !== null) this.#deps.notify('info', `Saved the report ${report.name}`, `→ ${where}`);
    } catch (error) {
      this.#deps.notify('error', 'Could not make the report', messageOf(error));
    } finally {
      this.exporting = false;
    }
  }
}
