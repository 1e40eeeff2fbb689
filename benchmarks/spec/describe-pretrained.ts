import { catalogueEntry } from './model-catalogue.js';
import type { PretrainedModelSpec } from './suite-schema.js';

/** A suite's brought model in words: the catalogue's description (origin, licence) or its path, the cut, the weights. */
export function describePretrainedModel(spec: PretrainedModelSpec): string {
  const entry = catalogueEntry(spec.path);
  const what = entry ? `${entry.name} (${entry.origin}; ${entry.licence})` : spec.path;
  const input = spec.inputShape ? `, input ${spec.inputShape.join('×')}` : '';
  return `${what}, cut at layer ${spec.cutLayer}${input}${spec.sha256 ? `; weights SHA-256 ${spec.sha256}` : ''}`;
}
