import { APPROACHES, type Approach } from '../domain.js';
import type { PretrainedModelSpec, PretrainSpec, SuiteSpec } from './suite-schema.js';

/**
 * The sources of a suite's pretrained models, and how a trial names the one it starts from: the one place that
 * knows both the single-source forms (`pretrain`, `pretrainedModel`) and the several-source form (`sources`).
 *
 * A trial of a suite with `sources` keeps its approach and names its source (`{ approach: 'finetune', source:
 * 'fashion' }`); scratch has no source. In the store the pair is one approach key, `finetune@fashion` (a source name
 * cannot contain "@"), so the trials table, its UNIQUE key and every stored suite stay as they are: a trial of a
 * single-source suite keeps the bare approach as its key.
 */

export interface SuiteSource {
  /** The name a suite with `sources` gives it; null for the only source of a single-source suite. */
  name: string | null;
  pretrain?: PretrainSpec;
  pretrainedModel?: PretrainedModelSpec;
}

/** The sources of a suite, in the order it lists them: none, the one of a single-source suite, or its `sources`. */
export function suiteSources(spec: SuiteSpec): SuiteSource[] {
  if (spec.sources) return spec.sources.map((s) => ({ ...s }));
  if (spec.pretrain) return [{ name: null, pretrain: spec.pretrain }];
  if (spec.pretrainedModel) return [{ name: null, pretrainedModel: spec.pretrainedModel }];
  return [];
}

/** True when the suite names its sources (`sources`), so that its trials carry a source. */
export function hasNamedSources(spec: SuiteSpec): boolean {
  return spec.sources !== undefined;
}

/** Names of a suite's sources in order; empty for a single-source suite. */
export function sourceNames(spec: SuiteSpec): string[] {
  return spec.sources?.map((s) => s.name) ?? [];
}

/**
 * The suite as a single-source suite for one of its sources: what a trial of that source, its pretraining and its
 * checks see (so the training code knows one source only, and a source's cache key is the one a single-source suite
 * with the same pretraining would have). `undefined` gives the suite without any source: what its scratch trials see.
 * A single-source suite is returned as it is.
 */
export function specForSource(spec: SuiteSpec, source: string | undefined): SuiteSpec {
  if (!spec.sources) return spec;
  const { sources, ...rest } = spec;
  if (source === undefined) return { ...rest, pretrain: undefined, pretrainedModel: undefined };
  const found = sources.find((s) => s.name === source);
  if (!found) {
    throw new Error(`suite ${spec.name} has no source "${source}" (sources: ${sources.map((s) => s.name).join(', ')})`);
  }
  return { ...rest, pretrain: found.pretrain, pretrainedModel: found.pretrainedModel };
}

/** An approach and the source it starts from; `source` is absent for scratch and in a single-source suite. */
export interface Arm {
  approach: Approach;
  source?: string;
}

export const SOURCE_SEPARATOR = '@';

/** The approach key a trial is stored under: "finetune", or "finetune@fashion" for a named source. */
export function encodeArm(arm: Arm): string {
  return arm.source === undefined ? arm.approach : `${arm.approach}${SOURCE_SEPARATOR}${arm.source}`;
}

/** The inverse of encodeArm: the one place a stored approach key is read. */
export function decodeArm(key: string): Arm {
  const at = key.indexOf(SOURCE_SEPARATOR);
  const approach = at < 0 ? key : key.slice(0, at);
  if (!(APPROACHES as readonly string[]).includes(approach)) {
    throw new Error(`stored trial has an unknown approach "${key}"`);
  }
  return at < 0 ? { approach: approach as Approach } : { approach: approach as Approach, source: key.slice(at + 1) };
}

/** The suite's approaches, each transfer approach once per source in a suite with `sources`: scratch first. */
export function suiteArms(spec: SuiteSpec): Arm[] {
  const approaches = APPROACHES.filter((a) => spec.approaches[a] !== undefined);
  const names = sourceNames(spec);
  return [
    ...approaches.filter((a) => a === 'scratch' || names.length === 0).map((approach) => ({ approach })),
    ...names.flatMap((source) => approaches.filter((a) => a !== 'scratch').map((approach) => ({ approach, source }))),
  ];
}

/** "finetune", or "finetune · fashion": how tables, charts and the report name an approach from one source. */
export function armLabel(arm: Arm): string {
  return arm.source === undefined ? arm.approach : `${arm.approach} · ${arm.source}`;
}

/** True when two records are of the same approach from the same source. */
export function sameArm(a: Arm, b: Arm): boolean {
  return a.approach === b.approach && a.source === b.source;
}
