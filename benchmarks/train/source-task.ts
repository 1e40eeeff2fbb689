import { loadTask, type TaskData } from '../datasets/load-dataset.js';
import type { SuiteSpec } from '../spec/suite-schema.js';
import { cachedTask } from './task-cache.js';

/**
 * The source task a suite pretrains on. A text source is encoded with its text target's vocabulary (trained on the
 * target's training pool), so that the pretrained embedding's rows are the target's words; any other source is read
 * as it is.
 */
export async function loadSourceTask(spec: SuiteSpec, baseDir: string): Promise<TaskData> {
  const pretrain = spec.pretrain;
  if (!pretrain) throw new Error(`suite ${spec.name} has no pretraining stage`);
  const target = spec.target.dataset;
  if (pretrain.dataset.kind !== 'text' || target.kind !== 'text') {
    return loadTask(pretrain.dataset, pretrain.testPerClass, { baseDir });
  }
  const { vocabulary } = await cachedTask(target, spec.target.testPerClass, baseDir);
  return loadTask(pretrain.dataset, pretrain.testPerClass, { baseDir, vocabulary });
}
