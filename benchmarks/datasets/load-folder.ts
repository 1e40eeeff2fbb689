/**
 * An image folder (and optionally a test folder with the same class subfolders) decoded into bytes: from the decode
 * cache for the files that have not changed, with sharp for the others, a few files at a time. A file that cannot be
 * decoded is skipped and counted, never fatal.
 */
import { resolve } from 'node:path';
import { UserError } from '../errors.js';
import type { DatasetSource } from '../spec/suite-schema.js';
import {
  readChunk,
  readManifest,
  replaceManifest,
  writeChunk,
  type CachedFile,
  type SkippedFile,
} from './decode-cache.js';
import { chunkFiles, filesPerChunk, folderKey, type Chunk } from './decode-chunks.js';
import { decodeImage, type DecodeSettings } from './image-decode.js';
import { scanImageFolder, type ImageFile, type ImageFolderListing } from './image-folder.js';
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
  /** True when every image came from the cache (nothing was decoded). */
  fromCache: boolean;
  /** Files decoded this time (new or changed since they were cached, or never cached). */
  decodedFiles: number;
  /** Seconds spent reading the cache and decoding. */
  seconds: number;
}

/**
 * Decodes the files of a listing into raw examples labelled by class index, reading every file that has not changed
 * from the decode cache. `chunkSize`: mean files per cache entry (default: about 4 MiB of pixels; tests set it).
 */
export async function loadImageFolder(
  listing: ImageFolderListing,
  settings: DecodeSettings,
  onProgress?: (progress: DecodeProgress) => void,
  chunkSize?: number,
): Promise<LoadedFolder> {
  const [height, width] = settings.imageSize;
  const valuesPerImage = height * width * settings.channels;
  const started = performance.now();
  const { files } = listing;
  const total = files.length;
  const pixels = new Uint8Array(total * valuesPerImage);
  const errors = new Map<number, string>();
  const place = (index: number, cached: CachedFile): void => {
    if (cached.pixels) pixels.set(cached.pixels, index * valuesPerImage);
    else errors.set(index, cached.error ?? 'cannot decode');
  };

  const chunks = chunkFiles(files, settings, chunkSize ?? filesPerChunk(valuesPerImage));
  const missing: Chunk[] = [];
  for (const chunk of chunks) {
    const cached = readChunk(chunk.key, valuesPerImage, files.slice(chunk.start, chunk.end));
    if (cached) cached.forEach((f, i) => place(chunk.start + i, f));
    else missing.push(chunk);
  }

  const manifestKey = folderKey(listing.dir, settings);
  const previous = readManifest(manifestKey);
  let decodedFiles = 0;
  if (missing.length > 0) {
    // Files of the chunks that changed: those cached before under their old chunk are reused, the rest decoded.
    const before = previousFiles(previous, new Set(chunks.map((c) => c.key)), valuesPerImage);
    const toDecode: number[] = [];
    for (const chunk of missing) {
      for (let index = chunk.start; index < chunk.end; index++) {
        const file = files[index]!;
        const old = before.get(file.path);
        if (old && old.size === file.size && old.mtimeMs === file.mtimeMs) place(index, old);
        else toDecode.push(index);
      }
    }
    await decodeFiles(files, toDecode, settings, valuesPerImage, pixels, errors, onProgress);
    decodedFiles = toDecode.length;
    for (const chunk of missing) {
      const entry: CachedFile[] = [];
      for (let index = chunk.start; index < chunk.end; index++) {
        const { path, size, mtimeMs } = files[index]!;
        const error = errors.get(index);
        entry.push(
          error === undefined
            ? { path, size, mtimeMs, pixels: pixels.subarray(index * valuesPerImage, (index + 1) * valuesPerImage) }
            : { path, size, mtimeMs, pixels: null, error },
        );
      }
      writeChunk(chunk.key, valuesPerImage, entry);
    }
  }
  const current = chunks.map((c) => c.key);
  if (previous?.dir !== listing.dir || previous.chunks.join() !== current.join()) {
    replaceManifest(manifestKey, { dir: listing.dir, chunks: current }, previous);
  }

  const kept = Int32Array.from({ length: total }, (_, i) => i).filter((i) => !errors.has(i));
  // Compact in place: kept images move down over the skipped ones, in order.
  kept.forEach((fileIndex, i) => {
    if (fileIndex !== i)
      pixels.copyWithin(i * valuesPerImage, fileIndex * valuesPerImage, (fileIndex + 1) * valuesPerImage);
  });
  const skipped = [...errors.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, reason]) => ({ path: files[index]!.path, reason }));
  if (kept.length === 0) {
    const first = skipped[0];
    throw new UserError(
      `image folder ${listing.dir}: none of its ${total} images could be decoded (${first ? `${first.path}: ${first.reason}` : 'no files'}); check that they are JPEG, PNG, WebP, GIF, TIFF or AVIF files`,
    );
  }
  const labelValues = new Int32Array(kept.length);
  kept.forEach((fileIndex, i) => (labelValues[i] = files[fileIndex]!.classIndex));
  return {
    listing,
    examples: {
      pixels: pixels.subarray(0, kept.length * valuesPerImage),
      labelValues,
      count: kept.length,
      height,
      width,
      channels: settings.channels,
    },
    skipped,
    fromCache: decodedFiles === 0,
    decodedFiles,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The files of the chunks the folder's last manifest named and this listing no longer does, by path. */
function previousFiles(
  manifest: ReturnType<typeof readManifest>,
  current: ReadonlySet<string>,
  valuesPerImage: number,
): Map<string, CachedFile> {
  const byPath = new Map<string, CachedFile>();
  for (const key of manifest?.chunks ?? []) {
    if (current.has(key)) continue;
    for (const file of readChunk(key, valuesPerImage) ?? []) byPath.set(file.path, file);
  }
  return byPath;
}

/** Decodes the files at `indices` into `pixels`; a file that does not decode gets its reason in `errors`. */
async function decodeFiles(
  files: readonly ImageFile[],
  indices: readonly number[],
  settings: DecodeSettings,
  valuesPerImage: number,
  pixels: Uint8Array,
  errors: Map<number, string>,
  onProgress?: (progress: DecodeProgress) => void,
): Promise<void> {
  const total = indices.length;
  const failed: number[] = [];
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const index = indices[next++]!;
      try {
        pixels.set(await decodeImage(files[index]!.path, settings), index * valuesPerImage);
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
  for (const index of failed.sort((a, b) => a - b)) {
    try {
      pixels.set(await decodeImage(files[index]!.path, settings), index * valuesPerImage);
    } catch (error) {
      errors.set(index, (error as Error).message);
    }
  }
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

/** The symbolic links of an image folder that were not followed, each with why, as lines for a run's summary. */
export function describeExcluded(excluded: readonly SkippedFile[]): string[] {
  return excluded.map((entry) => `skipped ${entry.path}: ${entry.reason}`);
}

/** One line on where a folder's images came from, e.g. "image folder /x: 5000 images read from the decode cache in 0.2 s". */
export function describeLoad(loaded: LoadedFolder): string {
  const n = loaded.examples.count;
  const how = loaded.fromCache
    ? 'read from the decode cache'
    : loaded.decodedFiles === n + loaded.skipped.length
      ? 'decoded (and cached for the next run)'
      : `read from the decode cache, ${loaded.decodedFiles} new or changed decoded (and cached)`;
  return `image folder ${loaded.listing.dir}: ${n} images ${how} in ${loaded.seconds.toFixed(1)} s`;
}
