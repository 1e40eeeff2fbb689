/**
 * How a folder's files are grouped for the decode cache: into chunks of a few megabytes of decoded pixels, with
 * boundaries chosen by the files' paths (content-defined, as rsync and restic cut files), not by position. Adding,
 * removing or changing one file then changes one chunk's key and leaves every other chunk of the folder as it was:
 * with 50,000 images, one new photo costs one decode and one chunk written, not the whole folder.
 */
import { createHash } from 'node:crypto';
import type { DecodeSettings } from './image-decode.js';
import type { ImageFile } from './image-folder.js';

/** Bump when decoding changes in a way that makes cached entries stale. */
export const DECODE_VERSION = 2;

/** Decoded bytes a chunk aims at: small enough to rewrite in a blink, large enough that a folder has few files. */
const CHUNK_BYTES = 4 * 1024 * 1024;
const MIN_FILES = 16;
const MAX_FILES = 1024;

/** Mean files per chunk for images of `valuesPerImage` bytes: about 4 MiB of pixels, 16 to 1,024 files. */
export function filesPerChunk(valuesPerImage: number): number {
  return Math.max(MIN_FILES, Math.min(MAX_FILES, Math.round(CHUNK_BYTES / Math.max(1, valuesPerImage))));
}

export interface Chunk {
  /** Files [start, end) of the listing. */
  start: number;
  end: number;
  /** Names the chunk's cache entry: the decode settings and every file's path, size and modification time. */
  key: string;
}

function settingsText(settings: DecodeSettings): string {
  return JSON.stringify({ version: DECODE_VERSION, imageSize: settings.imageSize, channels: settings.channels });
}

/** A 32-bit number from a path, the same on every run and machine. */
function pathHash(path: string): number {
  return createHash('sha1').update(path).digest().readUInt32LE(0);
}

/**
 * The listing's files cut into chunks of `mean` files on average: a chunk ends after a file whose path hashes to 0
 * modulo `mean`, or after 4 × `mean` files. Where a file sits depends only on the paths near it, so an insertion or a
 * removal moves no boundary but its own chunk's.
 */
export function chunkFiles(files: readonly ImageFile[], settings: DecodeSettings, mean: number): Chunk[] {
  const chunks: Chunk[] = [];
  const prefix = settingsText(settings);
  let start = 0;
  let hash = createHash('sha256').update(prefix);
  for (let i = 0; i < files.length; i++) {
    const f = files[i]!;
    hash.update(`\n${f.path}\0${f.size}\0${f.mtimeMs}`);
    const last = i === files.length - 1;
    if (last || pathHash(f.path) % mean === 0 || i + 1 - start >= 4 * mean) {
      chunks.push({ start, end: i + 1, key: hash.digest('hex').slice(0, 32) });
      start = i + 1;
      hash = createHash('sha256').update(prefix);
    }
  }
  return chunks;
}

/** Names the folder's manifest (its current chunks): the folder and the decode settings, not its files. */
export function folderKey(dir: string, settings: DecodeSettings): string {
  return createHash('sha256')
    .update(`${settingsText(settings)}\n${dir}`)
    .digest('hex')
    .slice(0, 32);
}
