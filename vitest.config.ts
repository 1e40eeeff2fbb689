import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';
import { engineAlias } from './renderer/vite.config.js';

export default defineConfig({
  // Svelte compiles the renderer's state modules (.svelte.ts, runes) so their logic is tested as it runs in the app.
  plugins: [svelte({ configFile: 'renderer/svelte.config.js' })],
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
