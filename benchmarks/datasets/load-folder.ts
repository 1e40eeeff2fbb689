/**
 * An image folder (and optionally a test folder with the same class subfolders) decoded into bytes: from the decode
 * cache when the files have not changed, else with sharp, a few files at a time. A file that cannot be decoded is
 * skipped and counted, never fatal.
 */
import { resolve } from 'node:path';
import { UserError } from '../errors.js';
import type { DatasetSource } from '../spec/suite-schema.js';
import { decodeCacheKey, readDecoded, writeDecoded, type DecodedFolder, type SkippedFile } from './decode-cache.js';
import { decodeImage, type DecodeSettings } from './image-decode.js';
import { scanImageFolder, type ImageFolderListing } from './image-folder.js';
import type { RawExamples } from './raw-examples.js';

type FolderSource = Extract<DatasetSource, { kind: 'folder' }>;

/** Files decoded at once: enough to keep libvips' threads busy, few enough to bound memory in flight. */
const DECODE_CONCURRENCY = 8;

export interface DecodeProgress {
  done: number;
  total: number;
}

export interface LoadedFolder {
  listing: ImageFolderListing;
  examples: RawExamples;
  skipped: SkippedFile[];
  /** True when the decoded images came from the cache. */
  fromCache: boolean;
  /** Seconds spent reading the cache or decoding. */
  seconds: number;
}

/** Decodes every file of a listing (or reads the cache) into raw examples labelled by class index. */
export async function loadImageFolder(
  listing: ImageFolderListing,
  settings: DecodeSettings,
  onProgress?: (progress: DecodeProgress) => void,
): Promise<LoadedFolder> {
  const [height, width] = settings.imageSize;
  const valuesPerImage = height * width * settings.channels;
  const started = performance.now();
  const key = decodeCacheKey(listing.files, settings);
  let decoded = readDecoded(key, valuesPerImage);
  const fromCache = decoded !== null;
  if (!decoded) {
    decoded = await decodeAll(listing, settings, valuesPerImage, onProgress);
    writeDecoded(key, valuesPerImage, decoded);
  }
  if (decoded.kept.length === 0) {
    const first = decoded.skipped[0];
    throw new UserError(
      `image folder ${listing.dir}: none of its ${listing.files.length} images could be decoded (${first ? `${first.path}: ${first.reason}` : 'no files'}); check that they are JPEG, PNG, WebP, GIF, TIFF or AVIF files`,
    );
  }
  const labelValues = new Int32Array(decoded.kept.length);
  decoded.kept.forEach((fileIndex, i) => (labelValues[i] = listing.files[fileIndex]!.classIndex));
  return {
    listing,
    examples: {
      pixels: decoded.pixels,
      labelValues,
      count: decoded.kept.length,
      height,
      width,
      channels: settings.channels,
    },
    skipped: decoded.skipped,
    fromCache,
    seconds: (performance.now() - started) / 1000,
  };
}

async function decodeAll(
  listing: ImageFolderListing,
  settings: DecodeSettings,
  valuesPerImage: number,
  onProgress?: (progress: DecodeProgress) => void,
): Promise<DecodedFolder> {
  const total = listing.files.length;
  const pixels = new Uint8Array(total * valuesPerImage);
  const ok = new Uint8Array(total);
  const reasons = new Map<number, string>();
  const failed: number[] = [];
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const index = next++;
      try {
        pixels.set(await decodeImage(listing.files[index]!.path, settings), index * valuesPerImage);
        ok[index] = 1;
      } catch {
        failed.push(index);
      }
      done++;
      if (onProgress && (done % 500 === 0 || done === total)) onProgress({ done, total });
    }
  };
  await Promise.all(Array.from({ length: Math.min(DECODE_CONCURRENCY, total) }, worker));
  // libvips keeps its error text per process, so with decodes in flight an error can carry another file's message:
  // each failure is decoded again on its own, for its true reason (and in case it only failed by company).
  for (const index of failed) {
    try {
      pixels.set(await decodeImage(listing.files[index]!.path, settings), index * valuesPerImage);
      ok[index] = 1;
    } catch (error) {
      reasons.set(index, (error as Error).message);
    }
  }
  const kept = Int32Array.from({ length: total }, (_, i) => i).filter((i) => ok[i] === 1);
  // Compact in place: kept images move down over the skipped ones, in order.
  kept.forEach((fileIndex, i) => {
    if (fileIndex !== i)
      pixels.copyWithin(i * valuesPerImage, fileIndex * valuesPerImage, (fileIndex + 1) * valuesPerImage);
  });
  const skipped = [...reasons.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, reason]) => ({ path: listing.files[index]!.path, reason }));
  return { kept, pixels: pixels.subarray(0, kept.length * valuesPerImage), skipped };
}

/** The folders of a `folder` source, resolved and listed; the test folder must have the same classes. */
export function listFolderSource(
  source: FolderSource,
  baseDir: string,
): { train: ImageFolderListing; test?: ImageFolderListing } {
  const train = scanImageFolder(resolve(baseDir, source.dir));
  if (source.test === undefined) return { train };
  const test = scanImageFolder(resolve(baseDir, source.test), 'test folder');
  const missing = train.classNames.filter((c) => !test.classNames.includes(c));
  const extra = test.classNames.filter((c) => !train.classNames.includes(c));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [
      missing.length > 0 ? `no images of ${missing.join(', ')}` : '',
      extra.length > 0 ? `classes ${extra.join(', ')} that ${train.dir} does not have` : '',
    ].filter(Boolean);
    throw new UserError(
      `test folder ${test.dir} has ${parts.join(' and ')}: give it the same class subfolders as ${train.dir} (${train.classNames.join(', ')})`,
    );
  }
  return { train, test };
}

/** Up to `limit` skipped files with their reason, and how many more, as lines for a run's summary. */
export function describeSkipped(skipped: readonly SkippedFile[], limit = 10): string[] {
  if (skipped.length === 0) return [];
  const lines = [
    `${skipped.length} image file${skipped.length === 1 ? '' : 's'} could not be decoded and ${skipped.length === 1 ? 'was' : 'were'} skipped:`,
  ];
  for (const file of skipped.slice(0, limit)) lines.push(`  ${file.path}: ${file.reason}`);
  if (skipped.length > limit) lines.push(`  … and ${skipped.length - limit} more`);
  return lines;
}

/** One line on where a folder's images came from, e.g. "image folder /x: 5000 images read from the decode cache in 0.2 s". */
export function describeLoad(loaded: LoadedFolder): string {
  const n = loaded.examples.count;
  const how = loaded.fromCache ? 'read from the decode cache' : 'decoded (and cached for the next run)';
  return `image folder ${loaded.listing.dir}: ${n} images ${how} in ${loaded.seconds.toFixed(1)} s`;
}
