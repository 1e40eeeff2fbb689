import type {
  ContractClient,
  DataPathKind,
  DraftSuiteResponse,
  ModelDownloadEvent,
  RunTimeEstimate,
  SuiteSource,
  TextFile,
} from '$engine/contract.js';
import {
  draftErrorField,
  formFromSpec,
  specFromForm,
  suiteFileName,
  type FieldErrors,
  type FormResult,
  type SuiteForm,
} from '../builder/suite-form.js';
import { messageOf } from './notices.svelte.js';

/** Edits are re-estimated this long after the last keystroke. */
export const ESTIMATE_DELAY_MS = 300;

export interface SuiteBuilderDeps {
  client: ContractClient;
  /** The desktop app's native dialog; null in a browser (the user types the path). */
  pickDataPath: ((kind: DataPathKind) => Promise<string | null>) | null;
  saveSuite: (file: TextFile) => Promise<string | null>;
  /** Starts the suite and shows its run; resolves to the engine's refusal, or null when it started. */
  /** `estimate`: the run time shown when the user pressed Run, for the run view until trials have timed themselves. */
  startSuite: (source: SuiteSource, label: string, estimate?: RunTimeEstimate | null) => Promise<string | null>;
  /** Workers the run will use, when the user chose a number (the estimate divides by it). */
  workers: () => number | undefined;
}

/**
 * The "New suite" screen's state: the data paths, what draftSuite found, the form the user edits, the estimate and
 * the save and run actions. Every problem is kept with the field it concerns.
 */
export class SuiteBuilder {
  readonly #deps: SuiteBuilderDeps;
  target = $state('');
  source = $state('');
  /** A draftSuite request is in flight. */
  drafting = $state(false);
  /** The catalogue model the draft in flight is downloading (its first use): bytes, rate, time left. */
  download = $state.raw<ModelDownloadEvent | null>(null);
  draft = $state.raw<DraftSuiteResponse | null>(null);
  /** The paths the draft was made for (trimmed). */
  drafted = $state.raw<{ target: string; source: string } | null>(null);
  /** Problems with the paths: what draftSuite refused, shown next to the path's field. */
  pathErrors = $state<Pick<FieldErrors, 'target' | 'source'>>({});
  form = $state<SuiteForm | null>(null);
  /** The suite the form describes and each field's problem; recomputed as the user types. */
  readonly result: FormResult = $derived.by(() =>
    this.draft && this.form
      ? specFromForm(this.draft.spec, this.form, this.draft)
      : { spec: null, errors: {} satisfies FieldErrors },
  );
  /** The current run-time estimate: the draft's, then the edited suite's. */
  estimate = $state.raw<RunTimeEstimate | null>(null);
  /** The estimate is for an earlier version of the form (an edit is being re-estimated, or the form is invalid). */
  estimateStale = $state(false);
  estimateError = $state<string | null>(null);
  saving = $state(false);
  /** Where the suite was last saved. */
  savedTo = $state<string | null>(null);
  saveError = $state<string | null>(null);
  running = $state(false);
  runError = $state<string | null>(null);
  #draftRequest = 0;
  #estimateRequest = 0;
  #estimateTimer: ReturnType<typeof setTimeout> | null = null;
  /** The spec and workers last estimated, as JSON: an edit that changes nothing is not estimated again. */
  #estimated: string | null = null;

  constructor(deps: SuiteBuilderDeps) {
    this.#deps = deps;
  }

  /** The paths were changed since the data was looked at: what is shown is for other data until it is looked at again. */
  get pathsChanged(): boolean {
    return (
      this.drafted !== null &&
      (this.drafted.target !== this.target.trim() || this.drafted.source !== this.source.trim())
    );
  }

  get canPick(): boolean {
    return this.#deps.pickDataPath !== null;
  }

  /** Desktop: the native dialog for `field`; the chosen path is looked at at once. */
  async choose(field: 'target' | 'source', kind: DataPathKind): Promise<void> {
    const pick = this.#deps.pickDataPath;
    if (!pick) return;
    let path: string | null;
    try {
      path = await pick(kind);
    } catch (error) {
      this.pathErrors = { [field]: messageOf(error) };
      return;
    }
    if (path === null) return;
    this[field] = path;
    await this.look();
  }

  /** Looks at the data (draftSuite): classes, counts, thumbnails, a drafted suite and its estimate. */
  async look(): Promise<void> {
    const target = this.target.trim();
    const source = this.source.trim();
    if (target === '') {
      this.pathErrors = { target: 'give the path of a folder of images (one subfolder per class) or a CSV file' };
      return;
    }
    const request = ++this.#draftRequest;
    this.drafting = true;
    this.download = null;
    this.pathErrors = {};
    try {
      const draft = await this.#deps.client.draftSuite({ target, ...(source !== '' ? { source } : {}) });
      if (request !== this.#draftRequest) return;
      this.#clearEstimateTimer();
      this.draft = draft;
      this.drafted = { target, source };
      this.form = formFromSpec(draft.spec);
      this.estimate = draft.estimate;
      this.estimateStale = false;
      this.estimateError = null;
      // The draft's estimate is for the engine's default workers: a chosen number is estimated again.
      this.#estimated = this.#deps.workers() === undefined ? this.#estimateKey(draft.spec) : null;
      if (this.#estimated === null) this.refreshEstimate();
      this.savedTo = null;
      this.saveError = null;
      this.runError = null;
    } catch (error) {
      if (request !== this.#draftRequest) return;
      const message = messageOf(error);
      this.pathErrors = { [draftErrorField(message, target, source)]: message };
    } finally {
      if (request === this.#draftRequest) {
        this.drafting = false;
        this.download = null;
      }
    }
  }

  /** A catalogue download's progress, from the engine's event stream: shown while the draft that needs it runs. */
  downloading(event: ModelDownloadEvent): void {
    if (this.drafting && event.model === this.source.trim()) this.download = event;
  }

  /** After an edit: what was saved is no longer what is shown; the estimate follows. */
  edited(): void {
    this.savedTo = null;
    this.refreshEstimate();
  }

  #estimateKey(spec: unknown): string {
    return JSON.stringify([spec, this.#deps.workers() ?? null]);
  }

  /** Re-estimates the suite once the user stops typing (or changed the workers), if it is valid and changed. */
  refreshEstimate(): void {
    const spec = this.result.spec;
    if (!spec || !this.draft) {
      this.#clearEstimateTimer();
      this.estimateStale = this.estimate !== null;
      return;
    }
    if (this.#estimateKey(spec) === this.#estimated) {
      this.#clearEstimateTimer();
      this.estimateStale = false;
      return;
    }
    this.estimateStale = true;
    this.#clearEstimateTimer();
    this.#estimateTimer = setTimeout(() => {
      this.#estimateTimer = null;
      void this.reestimate();
    }, ESTIMATE_DELAY_MS);
  }

  /** Asks the engine for the current suite's run time (from the throughput draftSuite measured). */
  async reestimate(): Promise<void> {
    const spec = this.result.spec;
    const basis = this.draft?.estimateBasis;
    if (!spec || !basis) return;
    const key = this.#estimateKey(spec);
    const request = ++this.#estimateRequest;
    const workers = this.#deps.workers();
    try {
      const estimate = await this.#deps.client.estimateSuite({
        spec,
        basis,
        ...(workers !== undefined ? { workers } : {}),
      });
      if (request !== this.#estimateRequest) return;
      this.estimate = estimate;
      this.#estimated = key;
      this.estimateError = null;
      this.estimateStale = this.#estimateKey(this.result.spec) !== key;
    } catch (error) {
      if (request !== this.#estimateRequest) return;
      this.estimateError = messageOf(error);
    }
  }

  #clearEstimateTimer(): void {
    if (this.#estimateTimer !== null) clearTimeout(this.#estimateTimer);
    this.#estimateTimer = null;
  }

  /** The suite as a file: the desktop app's save dialog, a download in a browser. */
  async save(): Promise<void> {
    const spec = this.result.spec;
    if (!spec || this.pathsChanged) return;
    this.saving = true;
    this.saveError = null;
    try {
      const where = await this.#deps.saveSuite({
        name: suiteFileName(spec),
        content: `${JSON.stringify(spec, null, 2)}\n`,
      });
      if (where !== null) this.savedTo = where;
    } catch (error) {
      this.saveError = messageOf(error);
    } finally {
      this.saving = false;
    }
  }

  /** Starts the suite as it is in the form; the app then shows its run. */
  async run(): Promise<void> {
    const spec = this.result.spec;
    if (!spec || this.pathsChanged) return;
    this.running = true;
    this.runError = null;
    try {
      this.runError = await this.#deps.startSuite(
        { kind: 'text', text: JSON.stringify(spec), origin: `${spec.name} (New suite)` },
        spec.name,
        this.estimateStale ? null : this.estimate,
      );
    } finally {
      this.running = false;
    }
  }

  dispose(): void {
    this.#clearEstimateTimer();
  }
}
