/**
 * The `mnist` package's digits, decoded once per machine instead of once per process.
 *
 * Parsing the package's ten JSON files costs about half a CPU second, and every trial worker, `check` and CLI process
 * that uses MNIST paid it at start. The decoded pixels (float32, exactly the values the parse gives) and the count of
 * each digit are kept in one file beside the decoded folders (`dataCacheDir()`), named by a hash of the package's
 * version and its digit files' names, sizes and modification times: a reinstalled or changed package is decoded again.
 * The file is written to a temporary name and renamed into place; a failure to read or write it costs a parse, never a
 * run.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataCacheDir } from './decode-cache.js';

// 2: the header is padded so that the pixels start at a multiple of 4 bytes and are read in place
const MAGIC = 'TBMNIST2';

export interface DecodedDigits {
  /** count × pixels values, in digit order. */
  pixels: Float32Array;
  /** How many examples of each digit, in digit order. */
  perDigit: number[];
}

/** The cache file's path for the package in `packageDir`, or null when its files cannot be listed. */
export function mnistCachePath(packageDir: string, version: string): string | null {
  try {
    const digitsDir = join(packageDir, 'src', 'digits');
    const files = readdirSync(digitsDir)
      .sort()
      .map((name) => {
        const stat = statSync(join(digitsDir, name));
        return [name, stat.size, stat.mtimeMs];
      });
    const key = createHash('sha256')
      .update(JSON.stringify([MAGIC, version, files]))
      .digest('hex')
      .slice(0, 24);
    return join(dataCacheDir(), `mnist-${key}.f32`);
  } catch {
    return null;
  }
}

/** The decoded digits stored at `path`, or null when there are none or the file is not whole. */
export function readDecodedDigits(path: string, pixelsPerExample: number): DecodedDigits | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return null;
  }
  try {
    const headerLength = bytes.readUInt32LE(0);
    const header = JSON.parse(bytes.toString('utf8', 4, 4 + headerLength)) as { magic?: unknown; perDigit?: unknown };
    const perDigit = header.perDigit;
    if (header.magic !== MAGIC || !Array.isArray(perDigit) || !perDigit.every((n) => Number.isInteger(n) && n >= 0)) {
      return null;
    }
    const count = (perDigit as number[]).reduce((sum, n) => sum + n, 0);
    const start = 4 + headerLength;
    if (bytes.length !== start + count * pixelsPerExample * 4) return null;
    // in place when aligned (a file this large is read into a buffer of its own); a copy otherwise
    const offset = bytes.byteOffset + start;
    const pixels =
      offset % 4 === 0
        ? new Float32Array(bytes.buffer, offset, count * pixelsPerExample)
        : new Float32Array(new Uint8Array(bytes.subarray(start)).buffer);
    return { pixels, perDigit: perDigit as number[] };
  } catch {
    return null;
  }
}

/** Stores decoded digits at `path` atomically; a failure is ignored (the next process parses the package again). */
export function writeDecodedDigits(path: string, digits: DecodedDigits): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dataCacheDir(), { recursive: true });
    const json = JSON.stringify({ magic: MAGIC, perDigit: digits.perDigit });
    // spaces after the JSON (which parses the same) so that the pixels start at a multiple of 4 bytes
    const header = Buffer.from(json.padEnd(json.length + ((4 - ((4 + json.length) % 4)) % 4)), 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(header.length, 0);
    const pixels = Buffer.from(digits.pixels.buffer, digits.pixels.byteOffset, digits.pixels.byteLength);
    writeFileSync(temporary, Buffer.concat([length, header, pixels]));
    renameSync(temporary, path);
  } catch {
    rmSync(temporary, { force: true });
  }
}
