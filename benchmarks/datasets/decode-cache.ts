/**
 * Decoded image folders on disk, beside the pretraining cache, one entry per chunk of files (decode-chunks.ts), so a
 * second run of the same folder does not decode again and a changed, added or removed file costs one decode.
 *
 * - `<key>.chunk`: the pixels of a few megabytes of files and, per file, its path, size, modification time and, for a
 *   file that did not decode, the reason. Named by a hash of the decode settings and its files' paths, sizes and
 *   modification times: an entry never changes once written.
 * - `<folder key>.folder.json`: a folder's manifest, the keys of its current chunks, one per folder and decode
 *   settings. When a folder changes, the chunks its old manifest named and the new one does not are deleted: the
 *   cache holds one decoded copy of each folder, not one per edit. Chunks no manifest names (left by a run killed
 *   between writing a chunk and its manifest) are deleted once an hour old; a folder that no longer exists loses its
 *   manifest and then its chunks.
 *
 * Every file is written to a temporary name and renamed into place, so two processes decoding at once never leave a
 * torn entry and a reader never sees half of one; a failure to write costs a decode next time, never a run.
 */
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { modelCacheDir } from '../paths.js';
import type { ImageFile } from './image-folder.js';

const CHUNK_MAGIC = 'TBCHUNK2';
const MANIFEST_MAGIC = 'TBFOLDER2';
/** An unnamed chunk or a temporary file younger than this may belong to a run writing right now. */
const GRACE_MS = 60 * 60 * 1000;

/** Where decoded folders are kept: `TRANSFER_BENCH_DATA_CACHE`, else `data-cache` beside the model cache. */
export function dataCacheDir(): string {
  return process.env.TRANSFER_BENCH_DATA_CACHE ?? join(dirname(modelCacheDir()), 'data-cache');
}

export interface SkippedFile {
  path: string;
  reason: string;
}

/** One file as a chunk stores it: what it was when decoded, and its pixels or why it did not decode. */
export interface CachedFile {
  path: string;
  size: number;
  mtimeMs: number;
  /** valuesPerImage bytes, or null when the file did not decode. */
  pixels: Uint8Array | null;
  error?: string;
}

interface ChunkHeader {
  magic: string;
  valuesPerImage: number;
  files: { path: string; size: number; mtimeMs: number; error?: string }[];
}

export interface FolderManifest {
  dir: string;
  chunks: string[];
}

const chunkPath = (key: string): string => join(dataCacheDir(), `${key}.chunk`);
const manifestPath = (key: string): string => join(dataCacheDir(), `${key}.folder.json`);

/**
 * The files of a cached chunk, or null when there is none, it is unreadable, or it does not hold exactly `expected`
 * (the files the key was computed from): the chunk is then decoded again.
 */
export function readChunk(key: string, valuesPerImage: number, expected?: readonly ImageFile[]): CachedFile[] | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(chunkPath(key));
  } catch {
    return null;
  }
  try {
    const headerLength = bytes.readUInt32LE(0);
    const header = JSON.parse(bytes.toString('utf8', 4, 4 + headerLength)) as ChunkHeader;
    if (header.magic !== CHUNK_MAGIC || header.valuesPerImage !== valuesPerImage) return null;
    const decoded = header.files.filter((f) => f.error === undefined).length;
    let at = 4 + headerLength;
    if (bytes.length !== at + decoded * valuesPerImage) return null;
    if (expected) {
      if (expected.length !== header.files.length) return null;
      const same = expected.every((f, i) => {
        const h = header.files[i]!;
        return h.path === f.path && h.size === f.size && h.mtimeMs === f.mtimeMs;
      });
      if (!same) return null;
    }
    return header.files.map((f) => {
      if (f.error !== undefined) return { ...f, pixels: null };
      const pixels = new Uint8Array(bytes.buffer, bytes.byteOffset + at, valuesPerImage);
      at += valuesPerImage;
      return { ...f, pixels };
    });
  } catch {
    return null;
  }
}

/** Stores a chunk atomically. */
export function writeChunk(key: string, valuesPerImage: number, files: readonly CachedFile[]): void {
  const header: ChunkHeader = {
    magic: CHUNK_MAGIC,
    valuesPerImage,
    files: files.map(({ path, size, mtimeMs, error }) => ({
      path,
      size,
      mtimeMs,
      ...(error !== undefined ? { error } : {}),
    })),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.length, 0);
  const parts: Uint8Array[] = [length, headerBytes];
  for (const f of files) if (f.error === undefined && f.pixels) parts.push(f.pixels);
  writeAtomically(chunkPath(key), parts);
}

export function readManifest(key: string): FolderManifest | null {
  try {
    const parsed = JSON.parse(readFileSync(manifestPath(key), 'utf8')) as Partial<FolderManifest> & { magic?: string };
    if (parsed.magic !== MANIFEST_MAGIC || typeof parsed.dir !== 'string' || !Array.isArray(parsed.chunks)) return null;
    return { dir: parsed.dir, chunks: parsed.chunks.filter((c): c is string => typeof c === 'string') };
  } catch {
    return null;
  }
}

/**
 * Makes `manifest` the folder's current one; then deletes the chunks its previous manifest named and no manifest
 * names now, and sweeps what is left over (see the file comment).
 */
export function replaceManifest(key: string, manifest: FolderManifest, previous: FolderManifest | null): void {
  const text = JSON.stringify({ magic: MANIFEST_MAGIC, ...manifest, written: new Date().toISOString() });
  if (!writeAtomically(manifestPath(key), [Buffer.from(text, 'utf8')])) return;
  const superseded = new Set((previous?.chunks ?? []).filter((c) => !manifest.chunks.includes(c)));
  sweep(superseded);
}

/** Deletes superseded and unnamed chunks, manifests of folders that are gone, and old temporary files. */
function sweep(superseded: ReadonlySet<string>): void {
  const dir = dataCacheDir();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const named = new Set<string>();
  const unwanted = new Set(superseded);
  for (const name of names.filter((n) => n.endsWith('.folder.json'))) {
    const manifest = readManifest(name.slice(0, -'.folder.json'.length));
    if (manifest && statSync(manifest.dir, { throwIfNoEntry: false }) === undefined) {
      rmSync(join(dir, name), { force: true });
      for (const chunk of manifest.chunks) unwanted.add(chunk);
      continue;
    }
    for (const chunk of manifest?.chunks ?? []) named.add(chunk);
  }
  const now = Date.now();
  const old = (name: string): boolean => {
    const stats = statSync(join(dir, name), { throwIfNoEntry: false });
    return stats !== undefined && now - stats.mtimeMs > GRACE_MS;
  };
  for (const name of names) {
    let remove = false;
    if (name.endsWith('.chunk')) {
      const key = name.slice(0, -'.chunk'.length);
      remove = !named.has(key) && (unwanted.has(key) || old(name));
    } else if (name.includes('.tmp-')) {
      remove = old(name);
    } else if (/^[0-9a-f]{32}\.bin$/.test(name)) {
      remove = true; // a whole-folder entry of the first cache format, never read again
    }
    if (remove) rmSync(join(dir, name), { force: true });
  }
}

/** Writes `parts` to a temporary file and renames it to `path`. False (with a warning) when that fails. */
function writeAtomically(path: string, parts: readonly Uint8Array[]): boolean {
  const temp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(temp, 'w');
    try {
      for (const part of parts) writeAll(fd, part);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    return true;
  } catch (error) {
    rmSync(temp, { force: true });
    process.emitWarning(`could not cache decoded images in ${dirname(path)}: ${(error as Error).message}`);
    return false;
  }
}

function writeAll(fd: number, data: Uint8Array): void {
  for (let at = 0; at < data.length;) at += writeSync(fd, data, at, data.length - at);
}
