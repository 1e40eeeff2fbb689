import { svelte } from '@sveltejs/vite-plugin-svelte';
import { configDefaults, defineConfig } from 'vitest/config';
import { engineAlias } from './renderer/vite.config.js';
import { CPU_LANES, WAITING_FILES } from './test/support/cpu-lanes.js';
import { IDLE_TEST_TIMEOUT_MS, SLOWDOWN_ENV, measureSlowdown, scaled } from './test/support/machine-load.js';
import WaitingFirstSequencer from './test/support/waiting-first-sequencer.js';
import { SHARED_PROCESS } from './test/support/shared-process.js';
import { requireTfjs } from './scripts/require-tfjs.js';

// Measured once, here, and passed to every test process: timeouts stretch with how busy the machine is
// (test/support/machine-load.ts; each test file stretches them again when it starts, in load-timeouts.ts).
process.env[SLOWDOWN_ENV] ??= measureSlowdown().toFixed(2);

export default defineConfig({
  // Svelte compiles the renderer's state modules (.svelte.ts, runes) so their logic is tested as it runs in the app.
  plugins: [
    svelte({ configFile: 'renderer/svelte.config.js' }),
    // The engine's modules and the tests require() TensorFlow.js here as in the build (scripts/require-tfjs.js): an
    // ES import of its CommonJS bundles costs every test process about 0.36 CPU s more.
    {
      name: 'require-tfjs',
      enforce: 'pre',
      transform(code, id) {
        const path = id.split('?')[0]!;
        if (path.includes('/node_modules/') || !/\/(benchmarks|test)\/.*\.ts$/.test(path)) return null;
        const rewritten = requireTfjs(code, path);
        return rewritten === code ? null : { code: rewritten, map: null };
      },
    },
  ],
  resolve: { alias: engineAlias },
  test: {
    // plain unit tests share a process per worker; every other file has its own (test/support/shared-process.ts)
    projects: [
      { extends: true, test: { name: 'shared', include: SHARED_PROCESS, isolate: false } },
      {
        extends: true,
        test: {
          name: 'isolated',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...SHARED_PROCESS],
        },
      },
    ],
    testTimeout: scaled(IDLE_TEST_TIMEOUT_MS),
    hookTimeout: scaled(IDLE_TEST_TIMEOUT_MS),
    // expect.poll waits for a condition; 1 s, vitest's default, is too short on a busy machine.
    expect: { poll: { timeout: scaled(5_000) } },
    pool: 'forks',
    fileParallelism: true,
    // One worker per core for the files that keep a core busy, each of which waits for a CPU lane, and one more per
    // file that mostly waits (a database stopped for minutes), which starts first and holds no lane
    // (test/support/cpu-lanes.ts).
    maxWorkers: CPU_LANES + Object.keys(WAITING_FILES).length,
    sequence: { sequencer: WaitingFirstSequencer },
    // shared-measurements.ts: the CLI runs of the tests measure the machine once per run, not once per sandbox.
    globalSetup: ['./test/support/cpu-lane-server.ts', './test/support/shared-measurements.ts'],
    // cpu-lane.ts first: a file's timeouts are stretched for the load when it has its lane and starts.
    setupFiles: ['./test/support/cpu-lane.ts', './test/support/load-timeouts.ts', './test/support/file-cost.ts'],
    // The default output, the slowest files with their CPU time (file-cost.ts), then the list of tests skipped for a
    // missing system component (test/support/system.ts).
    reporters: ['default', './test/support/slowest-files-reporter.ts', './test/support/system-skips-reporter.ts'],
  },
});
