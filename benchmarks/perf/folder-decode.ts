/**
 * Decoding speed of the `folder` dataset kind: real MNIST digits (the mnist package) written as PNG and JPEG files,
 * decoded and resized by sharp as a run decodes a folder (into a fresh decode cache), then read back from that cache
 * as a second run does. Prints `folder decode: N images/s` and `folder decode cache: N images/s`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportImageFolder, type ExportedImage } from '../datasets/export-image-folder.js';
import { scanImageFolder } from '../datasets/image-folder.js';
import { loadImageFolder } from '../datasets/load-folder.js';
import { loadMnistPackage } from '../datasets/mnist-package.js';

export interface FolderDecodeSpeed {
  images: number;
  decodePerSecond: number;
  cachedPerSecond: number;
}

/** `count` digits, PNG and JPEG in turn, one subfolder per digit, decoded to 28×28×1. */
export async function measureFolderDecode(count = 2000): Promise<FolderDecodeSpeed> {
  const dir = mkdtempSync(join(tmpdir(), 'tb-perf-folder-'));
  const previous = process.env.TRANSFER_BENCH_DATA_CACHE;
  process.env.TRANSFER_BENCH_DATA_CACHE = join(dir, 'cache');
  try {
    const raw = loadMnistPackage();
    const side = raw.height * raw.width;
    const images: ExportedImage[] = Array.from({ length: Math.min(count, raw.count) }, (_, i) => {
      // Spread over the ten digits (the package holds them digit by digit).
      const index = Math.floor((i * raw.count) / count);
      const pixels = Uint8Array.from(raw.pixels.subarray(index * side, (index + 1) * side), (v) => Math.round(v * 255));
      return { pixels, className: `digit-${raw.labelValues[index]}` };
    });
    const folder = join(dir, 'digits');
    await exportImageFolder(folder, images, { height: raw.height, width: raw.width }, ['png', 'jpg']);
    const settings = { imageSize: [raw.height, raw.width] as [number, number], channels: 1 as const };
    const decoded = await loadImageFolder(scanImageFolder(folder), settings);
    if (decoded.fromCache || decoded.skipped.length > 0)
      throw new Error('folder decode benchmark: unexpected cache hit or skipped file');
    const cached = await loadImageFolder(scanImageFolder(folder), settings);
    return {
      images: decoded.examples.count,
      decodePerSecond: decoded.examples.count / decoded.seconds,
      cachedPerSecond: cached.examples.count / cached.seconds,
    };
  } finally {
    if (previous === undefined) delete process.env.TRANSFER_BENCH_DATA_CACHE;
    else process.env.TRANSFER_BENCH_DATA_CACHE = previous;
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatFolderDecode(speed: FolderDecodeSpeed): string[] {
  return [
    `folder decode: ${Math.round(speed.decodePerSecond)} images/s (${speed.images} MNIST digits as PNG and JPEG files, 28×28 grayscale, sharp)`,
    `folder decode cache: ${Math.round(speed.cachedPerSecond)} images/s (the same folder read back by a second run)`,
  ];
}
