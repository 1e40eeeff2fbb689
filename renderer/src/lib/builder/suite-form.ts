/**
 * The suite builder's form: what the user edits (text as typed), the suite it makes, and each problem keyed by the
 * field it concerns. Pure: the suite schema is the engine's own (`suiteSpec` from the contract), so what passes here
 * is what `run` accepts; the checks the schema cannot make (a size larger than the pool) use what draftSuite found.
 */
import { suiteSpec, type DraftSuiteResponse, type SuiteSpec } from '$engine/contract.js';
import { APPROACHES, type Approach } from '$engine/domain.js';

export interface ApproachForm {
  enabled: boolean;
  epochs: string;
  /** The floor on optimiser updates. */
  minSteps: string;
  /** One learning rate or a grid, comma-separated. */
  learningRates: string;
}

export interface SuiteForm {
  name: string;
  sizes: string;
  seeds: string;
  /** k-fold cross-validation at sizes with fewer validation examples per class than this (0: never). */
  crossValidateBelow: string;
  /** Epochs of pretraining on the source data; '' when the suite does not pretrain. */
  pretrainEpochs: string;
  approaches: Record<Approach, ApproachForm>;
  /** An adaptive design (trials chosen round after round from the results so far) instead of the full grid. */
  adaptive: boolean;
  /** The adaptive design's budget in minutes of training summed over trials; '' for none. */
  budgetMinutes: string;
}

/** Where a problem is shown: next to this field. `form` is a problem of the whole suite. */
export type FieldKey =
  | 'target'
  | 'source'
  | 'name'
  | 'sizes'
  | 'seeds'
  | 'crossValidateBelow'
  | 'pretrainEpochs'
  | 'approaches'
  | 'design'
  | `${Approach}.epochs`
  | `${Approach}.minSteps`
  | `${Approach}.learningRate`
  | 'form';

export type FieldErrors = Partial<Record<FieldKey, string>>;

export function listText(values: number | readonly number[]): string {
  return (typeof values === 'number' ? [values] : values).join(', ');
}

/** The form showing `spec` as drafted: approaches it leaves out (no source to fine-tune from) start switched off. */
export function formFromSpec(spec: SuiteSpec): SuiteForm {
  const approaches = Object.fromEntries(
    APPROACHES.map((a) => {
      const settings = spec.approaches[a];
      return [
        a,
        {
          enabled: settings !== undefined,
          epochs: settings ? String(settings.epochs) : '',
          minSteps: settings ? String(settings.minSteps) : '',
          learningRates: settings ? listText(settings.learningRate) : '',
        },
      ];
    }),
  ) as Record<Approach, ApproachForm>;
  return {
    name: spec.name,
    sizes: listText(spec.sizes),
    seeds: listText(spec.seeds),
    crossValidateBelow: String(spec.crossValidateBelow),
    pretrainEpochs: spec.pretrain ? String(spec.pretrain.epochs) : '',
    approaches,
    adaptive: spec.design?.kind === 'adaptive',
    budgetMinutes: spec.design?.budgetSeconds !== undefined ? String(spec.design.budgetSeconds / 60) : '',
  };
}

/** A comma- or space-separated list of numbers; one line naming the first entry that is not one. */
export function parseNumberList(
  text: string,
  what: string,
  kind: 'integer' | 'positive',
): { values: number[] } | { error: string } {
  const parts = text
    .split(/[\s,;]+/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) return { error: `give at least one ${what}` };
  const values: number[] = [];
  for (const part of parts) {
    const value = Number(part);
    if (!Number.isFinite(value)) return { error: `"${part}" is not a number: give ${what}s separated by commas` };
    if (kind === 'integer' && !Number.isInteger(value)) return { error: `${part} is not a whole number` };
    values.push(value);
  }
  return { values };
}

/** One whole number. */
function single(text: string, what: string): { value: number } | { error: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { error: `give a ${what}` };
  const parts = trimmed.split(/[\s,;]+/);
  if (parts.length > 1) return { error: `give one ${what}` };
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return { error: `"${trimmed}" is not a number: give a ${what}` };
  if (!Number.isInteger(value)) return { error: `${trimmed} is not a whole number` };
  return { value };
}

/** Training examples the sizes draw from: every example but the held-out test set (the builder has no test folder). */
export function poolOf(draft: Pick<DraftSuiteResponse, 'classes'>, testPerClass: number): number {
  return draft.classes.reduce((n, c) => n + c.count, 0) - testPerClass * draft.classes.length;
}

/**
 * The suite's `design` from the adaptive switch and its budget: absent for the full grid, `{ kind: 'adaptive' }` with
 * the budget in seconds when one is given (the drafted design's tolerance kept).
 */
function designFromForm(form: SuiteForm, base: SuiteSpec): { design: SuiteSpec['design'] } | { error: string } {
  if (!form.adaptive) return { design: undefined };
  const text = form.budgetMinutes.trim();
  const tolerance = base.design?.tolerance;
  const design = { kind: 'adaptive' as const, ...(tolerance === undefined ? {} : { tolerance }) };
  if (text === '') return { design };
  const minutes = Number(text);
  if (!Number.isFinite(minutes) || minutes <= 0)
    return { error: `"${text}" is not a number of minutes: give a budget above 0, or leave it empty for none` };
  return { design: { ...design, budgetSeconds: Math.round(minutes * 60) } };
}

/** The field a schema issue concerns, from its path in the suite. */
function fieldOf(path: readonly PropertyKey[]): FieldKey {
  const [first, second, third] = path;
  if (first === 'name' || first === 'sizes' || first === 'seeds' || first === 'crossValidateBelow') return first;
  // The cross-validation rule at tiny sizes is about the sizes the user typed, not the folds they did not see.
  if (first === 'folds') return 'sizes';
  if (first === 'pretrain' && second === 'epochs') return 'pretrainEpochs';
  if (first === 'design') return 'design';
  if (first === 'approaches') {
    if (typeof second === 'string' && (APPROACHES as readonly string[]).includes(second)) {
      if (third === 'epochs') return `${second as Approach}.epochs`;
      if (third === 'minSteps') return `${second as Approach}.minSteps`;
      if (third === 'learningRate') return `${second as Approach}.learningRate`;
    }
    return 'approaches';
  }
  return 'form';
}

export interface FormResult {
  /** The suite to save or run; null while any field has a problem. */
  spec: SuiteSpec | null;
  errors: FieldErrors;
}

/**
 * The suite the form describes, built on the drafted `base` (its data, architecture and everything the form does not
 * show), checked with the engine's suite schema and against the data: every problem keyed by its field.
 */
export function specFromForm(base: SuiteSpec, form: SuiteForm, draft: Pick<DraftSuiteResponse, 'classes'>): FormResult {
  const errors: FieldErrors = {};
  const sizes = parseNumberList(form.sizes, 'training-set size', 'integer');
  const seeds = parseNumberList(form.seeds, 'seed', 'integer');
  const crossValidateBelow = single(form.crossValidateBelow, 'number of validation examples per class');
  if ('error' in sizes) errors.sizes = sizes.error;
  if ('error' in seeds) errors.seeds = seeds.error;
  if ('error' in crossValidateBelow) errors.crossValidateBelow = crossValidateBelow.error;
  const design = designFromForm(form, base);
  if ('error' in design) errors.design = design.error;
  const approaches: Record<string, unknown> = {};
  for (const a of APPROACHES) {
    const entry = form.approaches[a];
    const drafted = base.approaches[a];
    if (!entry.enabled || !drafted) continue;
    const epochs = single(entry.epochs, 'number of epochs');
    const minSteps = single(entry.minSteps, 'number of steps');
    const rates = parseNumberList(entry.learningRates, 'learning rate', 'positive');
    if ('error' in epochs) errors[`${a}.epochs`] = epochs.error;
    if ('error' in minSteps) errors[`${a}.minSteps`] = minSteps.error;
    if ('error' in rates) errors[`${a}.learningRate`] = rates.error;
    approaches[a] = {
      ...drafted,
      epochs: 'value' in epochs ? epochs.value : drafted.epochs,
      minSteps: 'value' in minSteps ? minSteps.value : drafted.minSteps,
      learningRate:
        'values' in rates ? (rates.values.length === 1 ? rates.values[0] : rates.values) : drafted.learningRate,
    };
  }
  // Pretraining serves only the approaches that start from it: with scratch alone, the suite neither pretrains nor
  // loads a model (and its estimate drops the pretraining).
  const transfers = Object.keys(approaches).some((a) => a !== 'scratch');
  const { pretrain, pretrainedModel } = base;
  const source: Partial<Pick<SuiteSpec, 'pretrain' | 'pretrainedModel'>> = {};
  if (transfers && pretrainedModel) source.pretrainedModel = pretrainedModel;
  if (transfers && pretrain) {
    const epochs = single(form.pretrainEpochs, 'number of epochs');
    if ('error' in epochs) errors.pretrainEpochs = epochs.error;
    source.pretrain = { ...pretrain, epochs: 'value' in epochs ? epochs.value : pretrain.epochs };
  }
  // The drafted suite's fields in its order (the saved file reads as init writes it), with the form's values.
  const candidate: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(base)) {
    if (key === 'design') continue;
    if (key === 'pretrain' || key === 'pretrainedModel') {
      if (key in source) candidate[key] = source[key];
    } else candidate[key] = value;
  }
  Object.assign(candidate, {
    name: form.name.trim(),
    sizes: 'values' in sizes ? sizes.values : base.sizes,
    seeds: 'values' in seeds ? seeds.values : base.seeds,
    crossValidateBelow: 'value' in crossValidateBelow ? crossValidateBelow.value : base.crossValidateBelow,
    approaches,
    ...('design' in design && design.design ? { design: design.design } : {}),
  });
  const parsed = suiteSpec.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = fieldOf(issue.path);
      const message =
        field === 'sizes' && issue.path[0] === 'folds'
          ? `every size needs at least ${base.folds} examples (the cross-validation at tiny sizes uses ${base.folds} folds)`
          : issue.message;
      errors[field] ??= message;
    }
  }
  if (!errors.sizes && 'values' in sizes) {
    const pool = poolOf(draft, base.target.testPerClass);
    const largest = Math.max(...sizes.values);
    const smallest = Math.min(...sizes.values);
    const k = draft.classes.length;
    if (largest > pool) {
      errors.sizes = `${largest} is more than the ${pool} examples left for training after ${base.target.testPerClass} per class are held out for testing: use sizes up to ${pool}`;
    } else if (smallest < 2 * k) {
      errors.sizes = `${smallest} is too small for ${k} classes: each size needs at least ${2 * k} (one training and one validation example per class)`;
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { spec: null, errors };
  return { spec: parsed.data, errors };
}

/**
 * Which path field an error of draftSuite concerns: the source when the message names the source's path (the
 * engine's messages name the file at fault), else the target.
 */
export function draftErrorField(message: string, target: string, source: string): 'target' | 'source' {
  const s = source.trim().replace(/[\\/]+$/, '');
  if (s === '') return 'target';
  // Followed by a character that cannot continue a path: /data/a must not match inside /data/a/b or /data/a-b.
  // (A sentence's full stop may follow it.)
  return new RegExp(`${escapeRegExp(s)}(?![\\w/\\\\-]|\\.\\w)`).test(message) ? 'source' : 'target';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The suite file's name: the suite's name, `.json`. */
export function suiteFileName(spec: Pick<SuiteSpec, 'name'>): string {
  return `${spec.name}.json`;
}
