import { UserError } from '../errors.js';
import type { TaskData } from '../datasets/load-dataset.js';
import { architectureName, isTextArchitecture } from '../spec/describe-architecture.js';
import type { SuiteSpec } from '../spec/suite-schema.js';

/**
 * What must hold between a suite's architecture and a text target: text goes to a text architecture (or a brought
 * model) and only text does, and the vocabulary fits the embedding.
 */
export function checkTextSuite(spec: SuiteSpec, target: TaskData, brought: boolean): void {
  const arch = spec.architecture;
  const text = target.vocabulary !== undefined;
  if (brought) return;
  if (text && !isTextArchitecture(arch)) {
    throw new UserError(
      `the target data is a text table but ${architectureName(arch)} takes ${arch === 'mlp' ? 'numeric features' : 'images'}: use the text-cnn or text-transformer architecture`,
    );
  }
  if (!text && isTextArchitecture(arch)) {
    throw new UserError(`${arch.name} takes token ids but the target data is not a text table: give a "text" dataset`);
  }
  if (text && isTextArchitecture(arch) && target.vocabulary!.length > arch.vocabularySize) {
    throw new UserError(
      `the target's vocabulary has ${target.vocabulary!.length} tokens but the ${arch.name} embedding has ${arch.vocabularySize} rows: raise architecture.vocabularySize to at least ${target.vocabulary!.length}`,
    );
  }
}
