import { defineConfig } from 'vitest/config';
import { engineAlias } from './renderer/vite.config.js';

export default defineConfig({
  resolve: { alias: engineAlias },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    // The default output, then the list of tests skipped for a missing system component (test/support/system.ts).
    reporters: ['default', './test/support/system-skips-reporter.ts'],
  },
});
