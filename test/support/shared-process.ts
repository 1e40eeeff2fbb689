/**
 * Unit test folders whose files run one after another in a shared process per Vitest worker (`isolate: false`,
 * vitest.config.ts): a fresh process per file costs about 0.7 CPU s, most of a small unit test file's cost. A file
 * here must leave nothing behind for the next one: no module mocks, spies or fake timers, no environment variables
 * set, no TensorFlow.js backend chosen (test/unit/architecture/shared-process-tests.test.ts checks).
 */
export const SHARED_PROCESS_DIRS = [
  'analysis',
  'architecture',
  'charts',
  'design',
  'gpu',
  'report',
  'spec',
  'store',
  'server',
] as const;

export const SHARED_PROCESS = SHARED_PROCESS_DIRS.map((dir) => `test/unit/${dir}/**/*.test.ts`);
