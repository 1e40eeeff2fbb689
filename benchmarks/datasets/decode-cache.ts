/**
 * Decoded image folders on disk, beside the pretraining cache, so a second run of the same folder does not decode
 * again. An entry is keyed by every file's path, size and modification time and the decode settings: a changed,
 * added or removed file gives another key and the folder is decoded again. Entries are written to a temp file and
 * renamed into place, so two processes decoding the same folder at once never leave a torn file (the last rename
 * wins, with the same content), and a reader never sees half an entry.
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { modelCacheDir } from '../paths.js';
import type { DecodeSettings } from './image-decode.js';
import type { ImageFile } from './image-folder.js';

/** Bump when decoding changes in a way that makes cached entries stale. */
const DECODE_VERSION = 1;
const MAGIC = 'TBIMG1';

/** Where decoded folders are kept: `TRANSFER_BENCH_DATA_CACHE`, else `data-cache` beside the model cache. */
export function dataCacheDir(): string {
  return process.env.TRANSFER_BENCH_DATA_CACHE ?? join(dirname(modelCacheDir()), 'data-cache');
}

export interface SkippedFile {
  path: string;
  reason: string;
}

/** What decoding a folder produced: the images that decoded, in listing order, and the files skipped. */
export interface DecodedFolder {
  /** Index into the listing's files of each decoded image. */
  kept: Int32Array;
  /** kept.length × height × width × channels bytes. */
  pixels: Uint8Array;
  skipped: SkippedFile[];
}

export function decodeCacheKey(files: readonly ImageFile[], settings: DecodeSettings): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ version: DECODE_VERSION, imageSize: settings.imageSize, channels: settings.channels }));
  for (const f of files) hash.update(`\n${f.path}\0${f.classIndex}\0${f.size}\0${f.mtimeMs}`);
  return hash.digest('hex').slice(0, 32);
}

function entryPath(key: string): string {
  return join(dataCacheDir(), `${key}.bin`);
}

interface Header {
  magic: string;
  count: number;
  valuesPerImage: number;
  skipped: SkippedFile[];
}

/** The cached decode of this key, or null when there is none (or it is unreadable: it is then decoded again). */
export function readDecoded(key: string, valuesPerImage: number): DecodedFolder | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(entryPath(key));
  } catch {
    return null;
  }
  try {
    const headerLength = bytes.readUInt32LE(0);
    const header = JSON.parse(bytes.toString('utf8', 4, 4 + headerLength)) as Header;
    if (header.magic !== MAGIC || header.valuesPerImage !== valuesPerImage) return null;
    const keptStart = 4 + headerLength;
    const pixelStart = keptStart + 4 * header.count;
    if (bytes.length !== pixelStart + header.count * valuesPerImage) return null;
    const kept = new Int32Array(header.count);
    for (let i = 0; i < header.count; i++) kept[i] = bytes.readInt32LE(keptStart + 4 * i);
    const pixels = new Uint8Array(bytes.buffer, bytes.byteOffset + pixelStart, header.count * valuesPerImage);
    return { kept, pixels, skipped: header.skipped };
  } catch {
    return null;
  }
}

/** Stores a decode atomically (temp file, then rename). A failure to write only costs a decode next time. */
export function writeDecoded(key: string, valuesPerImage: number, decoded: DecodedFolder): void {
  const path = entryPath(key);
  const temp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    const header: Header = { magic: MAGIC, count: decoded.kept.length, valuesPerImage, skipped: decoded.skipped };
    const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(headerBytes.length, 0);
    const kept = Buffer.alloc(4 * decoded.kept.length);
    decoded.kept.forEach((v, i) => kept.writeInt32LE(v, 4 * i));
    const fd = openSync(temp, 'w');
    try {
      for (const part of [length, headerBytes, kept, decoded.pixels]) writeAll(fd, part);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    process.emitWarning(`could not cache decoded images in ${dirname(path)}: ${(error as Error).message}`);
  }
}

function writeAll(fd: number, data: Uint8Array): void {
  for (let at = 0; at < data.length;) at += writeSync(fd, data, at, data.length - at);
}
