/** Synthetic IDX files for tests: small, written to a temp folder, each image carrying its own id. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { valueAt } from '../../../benchmarks/datasets/labelled-images.js';
import { gzipSync } from 'node:zlib';

export interface IdxEncoding {
  magic?: [number, number];
  typeCode?: number;
  gzip?: boolean;
}

/** Bytes of an IDX file: header for `dims`, then `data` (which need not match the header). */
export function encodeIdx(dims: number[], data: Uint8Array, opts: IdxEncoding = {}): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  const [m0, m1] = opts.magic ?? [0, 0];
  header[0] = m0;
  header[1] = m1;
  header[2] = opts.typeCode ?? 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  const raw = Buffer.concat([header, Buffer.from(data)]);
  return opts.gzip ? gzipSync(raw) : raw;
}

export function writeIdx(path: string, dims: number[], data: Uint8Array, opts: IdxEncoding = {}): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodeIdx(dims, data, opts));
  return path;
}

export const SIDE = 4;

/** Pixels of `labels.length` SIDE×SIDE images; image i has (i + idBase) in its first two pixels (low, high byte). */
export function idImages(count: number, idBase = 0): Uint8Array {
  const pixels = new Uint8Array(count * SIDE * SIDE);
  for (let i = 0; i < count; i++) {
    const id = i + idBase;
    pixels[i * SIDE * SIDE] = id & 0xff;
    pixels[i * SIDE * SIDE + 1] = id >> 8;
    pixels[i * SIDE * SIDE + 2] = 255;
  }
  return pixels;
}

/** The id written by idImages into image `row` of a [0,1] float image array. */
export function idOf(images: Uint8Array | Float32Array, row: number): number {
  const at = row * SIDE * SIDE;
  return Math.round(valueAt(images, at) * 255) + 256 * Math.round(valueAt(images, at + 1) * 255);
}

/** Writes an images/labels pair in `dir` with ids idBase.. and the given labels. */
export function writeIdxPair(
  dir: string,
  prefix: string,
  labels: number[],
  opts: IdxEncoding & { idBase?: number } = {},
): { images: string; labels: string } {
  const ext = opts.gzip ? '-ubyte.gz' : '-ubyte';
  const images = `${prefix}-images-idx3${ext}`;
  const labelsFile = `${prefix}-labels-idx1${ext}`;
  writeIdx(join(dir, images), [labels.length, SIDE, SIDE], idImages(labels.length, opts.idBase), opts);
  writeIdx(join(dir, labelsFile), [labels.length], Uint8Array.from(labels), opts);
  return { images, labels: labelsFile };
}

/** Labels 0..classes-1, `perClass` of each, interleaved (0,1,2,…,0,1,2,…). */
export function interleavedLabels(classes: number, perClass: number): number[] {
  return Array.from({ length: classes * perClass }, (_, i) => i % classes);
}

export function makeTempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'transfer-bench-datasets-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
