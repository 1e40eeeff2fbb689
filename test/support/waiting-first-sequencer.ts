import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { isWaitingFile } from './cpu-lanes.js';

/**
 * Vitest's order (failed first, then the longest first), with the files that mostly wait moved to the front
 * (cpu-lanes.ts): they take their own worker slots at the start, so no CPU lane ever waits behind them.
 */
export default class WaitingFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const waiting = (spec: TestSpecification) => isWaitingFile(relative(spec.project.config.root, spec.moduleId));
    return [...sorted.filter(waiting), ...sorted.filter((spec) => !waiting(spec))];
  }
}
