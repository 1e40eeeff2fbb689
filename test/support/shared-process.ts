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

/**
 * Single files of the other folders that qualify as those folders' files do: plain functions of the renderer, the CLI
 * and the datasets, with nothing but their own module and pure helpers imported (no TensorFlow.js, no data cache).
 */
export const SHARED_PROCESS_FILES = [
  'test/unit/cli/csv-columns.test.ts',
  'test/unit/cli/invocation.test.ts',
  'test/unit/datasets/idx-reader.test.ts',
  'test/unit/datasets/labelled-images.test.ts',
  'test/unit/datasets/seeded-random.test.ts',
  'test/unit/datasets/stratified-quotas.test.ts',
  'test/unit/datasets/task-file.test.ts',
  'test/unit/datasets/training-subset.test.ts',
  'test/unit/renderer/answer-cells.test.ts',
  'test/unit/renderer/builder/suite-form.test.ts',
  'test/unit/renderer/environment-rows.test.ts',
  'test/unit/renderer/eta.test.ts',
  'test/unit/renderer/run-start.test.ts',
  'test/unit/renderer/state/apply-theme.test.ts',
  'test/unit/renderer/trial-table.test.ts',
] as const;

export const SHARED_PROCESS = [
  ...SHARED_PROCESS_DIRS.map((dir) => `test/unit/${dir}/**/*.test.ts`),
  ...SHARED_PROCESS_FILES,
];
