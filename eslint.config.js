import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/*
 * Layers: imports point one way (docs/ARCHITECTURE.md draws the picture).
 *
 *   renderer/  → `$engine/contract.js`, `$engine/contract-channels.js`, `$engine/domain.js`, `$engine/charts/…` only
 *   electron/  → benchmarks/service/ and the core files (benchmarks/*.ts), never another engine folder
 *   benchmarks/<folder>/ → the folders ENGINE_LAYERS allows it, itself and the core files; nothing below imports above
 *   core files (domain.ts, contract.ts, contract-channels.ts, errors.ts, paths.ts) → each other and spec/; contract.ts
 *     also names the analysis types its responses carry (type-only imports)
 *
 * charts/ holds the chart definitions the app, its PNG/SVG export and the report share: browser-safe (no Node
 * modules), importing only analysis/, spec/ and the core files, so both the renderer and report/ may import it.
 */

/** Each engine folder and the engine folders it may import (besides itself and the core files). */
export const ENGINE_LAYERS = {
  spec: [],
  backend: ['spec'],
  datasets: ['spec'],
  models: ['spec'],
  // datasets/: the seeded random numbers (the bootstrap of learning-curves.ts draws with them)
  analysis: ['spec', 'datasets'],
  store: ['spec'],
  charts: ['spec', 'analysis'],
  train: ['spec', 'backend', 'datasets', 'models'],
  builder: ['spec', 'backend', 'datasets', 'models', 'train'],
  // design/: an adaptive suite's next round
  runner: ['spec', 'backend', 'datasets', 'models', 'train', 'store', 'design'],
  // the GPU workers: a browser page trains with train/; its host speaks the runner's worker protocol
  gpu: ['spec', 'backend', 'datasets', 'models', 'train', 'runner'],
  export: ['spec', 'analysis', 'store'],
  // design/: the adaptive design of a suite, a pure function of its stored trials (analysis/'s tests and intervals)
  design: ['spec', 'analysis', 'datasets'],
  report: ['spec', 'analysis', 'charts', 'design'],
  // distributed/: the progress the workers of a distributed run announce, passed on to the UI
  service: [
    'spec',
    'design',
    'backend',
    'datasets',
    'analysis',
    'store',
    'runner',
    'gpu',
    'export',
    'report',
    'builder',
    'distributed',
  ],
  server: ['service'],
  perf: ['spec', 'backend', 'datasets', 'models', 'train', 'store', 'runner', 'gpu'],
  // workers on other machines: the queue (pg-boss), the blobs, a worker's loop and the run that enqueues a suite
  distributed: ['spec', 'backend', 'datasets', 'models', 'train', 'store', 'runner'],
  cli: ['spec', 'analysis', 'store', 'runner', 'export', 'report', 'service', 'server', 'builder', 'distributed'],
};

/** Engine folders without TypeScript. */
const DATA_FOLDERS = ['suites'];

const engineFolders = readdirSync(new URL('./benchmarks/', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !DATA_FOLDERS.includes(entry.name))
  .map((entry) => entry.name);
const unplaced = engineFolders.filter((folder) => !(folder in ENGINE_LAYERS));
if (unplaced.length > 0) {
  throw new Error(
    `eslint.config.js: benchmarks/${unplaced.join('/, benchmarks/')}/ has no layer: add it to ENGINE_LAYERS ` +
      '(which engine folders it may import) so that imports keep pointing one way',
  );
}

/** A relative import that lands in one of `folders` of the engine, from anywhere inside the repository. */
function intoEngineFolders(folders) {
  return `^(?:\\./|(?:\\.\\./)+)(?:benchmarks/)?(?:${folders.join('|')})/`;
}

const layerMessage = 'imports point one way: see ENGINE_LAYERS in eslint.config.js and docs/ARCHITECTURE.md';

function engineFolderRule(folder) {
  const forbidden = engineFolders.filter((other) => other !== folder && !ENGINE_LAYERS[folder].includes(other));
  return {
    files: [`benchmarks/${folder}/**/*.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: intoEngineFolders(forbidden),
              message: `benchmarks/${folder}/ may not import this: ${layerMessage}`,
            },
            { regex: '^(?:\\.\\./)+(?:renderer|electron)/', message: `the engine never imports a UI: ${layerMessage}` },
            ...(folder === 'charts'
              ? [{ regex: '^node:', message: 'charts/ runs in the browser too: no Node modules' }]
              : []),
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['dist/', 'release/', 'node_modules/', 'test-results/', '.cache/', 'renderer/**/*.svelte'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  ...engineFolders.map(engineFolderRule),
  {
    files: ['benchmarks/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: intoEngineFolders(engineFolders.filter((f) => f !== 'spec' && f !== 'analysis')),
              message: `the core files import only each other and spec/: ${layerMessage}`,
            },
            {
              regex: intoEngineFolders(['analysis']),
              allowTypeImports: true,
              message: `the core files may name analysis types, not import analysis code: ${layerMessage}`,
            },
            { regex: '^\\.\\./(?:renderer|electron)/', message: `the engine never imports a UI: ${layerMessage}` },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(?:benchmarks/(?!service/)[^/]+/|renderer/)',
              message: `electron/ imports the engine through benchmarks/service/ and the core files: ${layerMessage}`,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?:\\.\\.?/)+(?:.*/)?(?:benchmarks|electron)/',
              message: `the renderer reaches the engine only through $engine/…: ${layerMessage}`,
            },
            {
              regex: '^\\$engine/(?!(?:contract|contract-channels|domain)\\.js$|charts/[\\w/-]+\\.js$)',
              message: `the renderer imports $engine/contract.js, contract-channels.js, domain.js and charts/ only: ${layerMessage}`,
            },
          ],
        },
      ],
    },
  },
);
