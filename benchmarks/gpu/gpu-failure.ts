import type { TrialKey } from '../domain.js';
import type { SuiteSpec } from '../spec/suite-schema.js';

/** Messages browser engines and TensorFlow.js give when GPU memory (or a GPU size limit) runs out. */
const OUT_OF_MEMORY =
  /out of memory|OUT_OF_MEMORY|GPUOutOfMemoryError|failed to allocate|allocation failed|greater than WebGL maximum|exceeds the max(imum)? buffer size|maxBufferSize|maxStorageBufferBindingSize/i;

export function isOutOfMemory(text: string): boolean {
  return OUT_OF_MEMORY.test(text);
}

/**
 * The error recorded for a trial that ran out of GPU memory: which trial, and what to try. The examples of a trial
 * (training, validation and test splits) stay on the GPU for its whole length, and each step holds one batch's
 * activations and gradients; so the batch size and the training-set size are what to lower.
 */
export function outOfMemoryError(spec: SuiteSpec, key: TrialKey, reason: string, largestDone: number | null): string {
  const batch = spec.approaches[key.approach]?.batchSize;
  const advice = [
    batch !== undefined && batch > 1
      ? `a smaller batchSize for ${key.approach} (it is ${batch}; try ${Math.max(1, Math.floor(batch / 2))})`
      : null,
    largestDone !== null && largestDone < key.trainSize
      ? `sizes up to ${largestDone} examples (the largest that finished on this GPU)`
      : `sizes below ${key.trainSize} examples`,
    'or the wasm backend, which uses main memory',
  ].filter((a): a is string => a !== null);
  return (
    `GPU out of memory in trial ${key.approach}, ${key.trainSize} examples, seed ${key.seed}: ` +
    `${reason.trim().replace(/\.+$/, '')}. ` +
    `Try ${advice.join(', ')}`
  );
}
