/**
 * Decoding speed of the `folder` dataset kind: real MNIST digits (the mnist package) written as PNG and JPEG files,
 * decoded and resized by sharp as a run decodes a folder (into a fresh decode cache), then read back from that cache
 * as a second run does, then read again after one file was replaced, as a run after a small edit of the folder
 * does. Prints `folder decode: N images/s`, `folder decode cache: N images/s` and
 * `folder re-decode after one changed file: X ms (N images)`.
 */
import { mkdtempSync, renameSync, rmSync, utimesSync } from 'node:fs';
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
  /** Seconds to load the folder again after one of its files was replaced (that file decoded, the rest cached). */
  oneChangedSeconds: number;
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
    // Replace one file with another digit (new content, size and modification time), as a user fixing a label does.
    const [path] = await exportImageFolder(join(dir, 'replacement'), [images[1]!], {
      height: raw.height,
      width: raw.width,
    });
    const target = scanImageFolder(folder).files[Math.floor(images.length / 2)]!.path;
    renameSync(path!, target);
    const later = new Date(Date.now() + 60_000);
    utimesSync(target, later, later);
    const changed = await loadImageFolder(scanImageFolder(folder), settings);
    if (changed.decodedFiles !== 1)
      throw new Error(`folder decode benchmark: ${changed.decodedFiles} files decoded after one changed, expected 1`);
    return {
      images: decoded.examples.count,
      decodePerSecond: decoded.examples.count / decoded.seconds,
      cachedPerSecond: cached.examples.count / cached.seconds,
      oneChangedSeconds: changed.seconds,
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
    `folder re-decode after one changed file: ${Math.round(speed.oneChangedSeconds * 1000)} ms (${speed.images} images: one decoded, the rest from the cache)`,
  ];
}
