import { describe, expect, it } from 'vitest';
import { builtinSuiteNames, loadSuite } from '../../../benchmarks/spec/load-suite.js';
import { suiteDataPaths } from '../../../benchmarks/spec/suite-data-paths.js';
import { checkSuite } from '../../../benchmarks/train/check-suite.js';
import { FASHION_MNIST_DIR, requireSystem } from '../../support/system.js';

describe('built-in suites', () => {
  for (const name of builtinSuiteNames()) {
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
