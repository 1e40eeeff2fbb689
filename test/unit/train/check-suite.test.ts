import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';
import { writeFashionFolder } from '../../../benchmarks/datasets/fashion-folder.js';
import {
  DEFAULT_DEBIAN_TEXT,
  readDebianManifest,
  readDumpavail,
  writeDebianText,
} from '../../../benchmarks/datasets/text-debian.js';
import { builtinSuiteNames, loadSuite } from '../../../benchmarks/spec/load-suite.js';
import { suiteDataPaths } from '../../../benchmarks/spec/suite-data-paths.js';
import { checkSuite } from '../../../benchmarks/train/check-suite.js';
import { FASHION_MNIST_DIR, requireSystem } from '../../support/system.js';

/** Suites whose data is written by a script from a system component (the images of npm run data:fashion-folder). */
const FOLDER_SUITES = ['fashion-folder'];
/** Written by npm run data:debian-text from apt's package lists. */
const APT_SUITES = ['debian-text'];

describe('built-in suites', () => {
  // checks build models (mobilenet-split checks partial's trainFrom), as the worker that runs them does
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  for (const name of builtinSuiteNames().filter((n) => !FOLDER_SUITES.includes(n) && !APT_SUITES.includes(n))) {
    const { spec, baseDir } = loadSuite({ kind: 'builtin', name });
    // mnist-to-fashion reads Debian's Fashion-MNIST files.
    const needsFashion = suiteDataPaths({ spec, baseDir, origin: name }).some((path) =>
      path.startsWith(FASHION_MNIST_DIR),
    );
    it.skipIf(needsFashion && !requireSystem('fashion-mnist'))(
      `${name} passes the checks a run makes before storing anything`,
      async () => {
        const summary = await checkSuite({ spec, baseDir, base: null });
        expect(summary.poolSize).toBeGreaterThanOrEqual(Math.max(...spec.sizes));
        expect(summary.testSize).toBe(spec.target.testPerClass * summary.numClasses);
      },
    );
  }
});

describe.skipIf(!requireSystem('apt-lists'))('built-in suites on Debian package descriptions', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
    // What `npm run data:debian-text` does, unless it was done
    if (readDebianManifest(DEFAULT_DEBIAN_TEXT) === null) writeDebianText(DEFAULT_DEBIAN_TEXT, readDumpavail());
  });

  it.each(APT_SUITES)('%s passes the checks a run makes before storing anything', async (name) => {
    const { spec, baseDir } = loadSuite({ kind: 'builtin', name });
    const summary = await checkSuite({ spec, baseDir, base: null });
    expect(summary.poolSize).toBeGreaterThanOrEqual(Math.max(...spec.sizes));
    expect(summary.testSize).toBe(spec.target.testPerClass * summary.numClasses);
    expect(summary.notices.join('\n')).toMatch(/word vocabulary of \d+ trained on the training pool/);
  });
});

describe.skipIf(!requireSystem('fashion-mnist'))('built-in suites on image folders', () => {
  beforeAll(async () => {
    process.env.TRANSFER_BENCH_DATA_CACHE = mkdtempSync(join(tmpdir(), 'tb-decoded-'));
    // What `npm run data:fashion-folder` does; a folder already written is left as it is.
    await writeFashionFolder();
  });

  it.each(FOLDER_SUITES)('%s passes the checks a run makes before storing anything', async (name) => {
    const { spec, baseDir } = loadSuite({ kind: 'builtin', name });
    const summary = await checkSuite({ spec, baseDir, base: null });
    expect(summary.poolSize).toBe(Math.max(...spec.sizes));
    expect(summary.testSize).toBe(spec.target.testPerClass * summary.numClasses);
    expect(summary.notices.join('\n')).not.toContain('could not be decoded');
  });
});
