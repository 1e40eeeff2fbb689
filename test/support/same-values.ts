import { expect } from 'vitest';

/**
 * Equal element by element, −0 told from 0 and NaN equal to NaN (Object.is): what "bit for bit the same values" means
 * in the kernel tests. The first few differences are shown.
 */
export function expectSame(actual: Float32Array, expected: Float32Array, what: string): void {
  expect(actual.length).toBe(expected.length);
  const differences: string[] = [];
  for (let i = 0; i < expected.length && differences.length < 5; i++) {
    if (!Object.is(actual[i], expected[i])) differences.push(`${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
  expect(differences).toEqual([]);
}
