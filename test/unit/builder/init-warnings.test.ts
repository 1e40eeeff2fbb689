import { describe, expect, it } from 'vitest';
import { testSetWarning } from '../../../benchmarks/builder/init-suite.js';

describe('a test set too small to separate the approaches', () => {
  it('is a warning with the numbers below 100 examples or above 2 points of standard error', () => {
    expect(testSetWarning(32)).toBe(
      'the test set has 32 images (each one 3.1 points of accuracy; standard error up to 8.8 points): approaches closer than about 24 points cannot be told apart. Add images per class, or give a larger test set with --test',
    );
    // 400 examples: 2.5 points of standard error at 50% accuracy
    expect(testSetWarning(400, 'rows')).toMatch(/^the test set has 400 rows .*standard error up to 2\.5 points/);
    expect(testSetWarning(625)).toBeNull();
    expect(testSetWarning(5000)).toBeNull();
  });
});
