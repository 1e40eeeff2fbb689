import { describe, expect, it } from 'vitest';
import { builtinSuiteNames, loadSuite } from '../../../benchmarks/spec/load-suite.js';
import { checkSuite } from '../../../benchmarks/train/check-suite.js';

describe('built-in suites', () => {
  it.each(builtinSuiteNames())('%s passes the checks a run makes before storing anything', async (name) => {
    const { spec, baseDir } = loadSuite({ kind: 'builtin', name });
    const summary = await checkSuite({ spec, baseDir, base: null });
    expect(summary.poolSize).toBeGreaterThanOrEqual(Math.max(...spec.sizes));
    expect(summary.testSize).toBe(spec.target.testPerClass * summary.numClasses);
  });
});
