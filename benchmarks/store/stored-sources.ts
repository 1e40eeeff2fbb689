import type { PretrainRecord, TrialKey } from '../domain.js';
import { decodeArm, encodeArm } from '../spec/sources.js';

/**
 * How a suite's sources are kept in the store without a schema change (every store implementation uses these):
 * a trial's approach and source share the `approach` column as one key (spec/sources.ts), and `pretrain_json` holds
 * one record for a single-source suite or a list of records, each naming its source, for a suite with `sources`.
 */

/** The `approach` column's value for a trial key. */
export function approachColumn(key: Pick<TrialKey, 'approach' | 'source'>): string {
  return encodeArm(key);
}

/** A trial's approach and source from its `approach` column (no `source` field when it has none). */
export function fromApproachColumn(value: string): Pick<TrialKey, 'approach' | 'source'> {
  return decodeArm(value);
}

/** The suite record's pretraining fields from the `pretrain_json` column. */
export function decodePretrains(json: string | null): {
  pretrain: PretrainRecord | null;
  pretrains?: PretrainRecord[];
} {
  if (json === null) return { pretrain: null };
  const parsed = JSON.parse(json) as PretrainRecord | PretrainRecord[];
  return Array.isArray(parsed) ? { pretrain: null, pretrains: parsed } : { pretrain: parsed };
}
