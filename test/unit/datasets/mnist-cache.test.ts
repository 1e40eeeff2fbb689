/**
 * The decoded MNIST package kept on disk: a process that finds it reads the same float32 values the parse gives, and a
 * torn, foreign or stale file is never used.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { mnistCachePath, readDecodedDigits, writeDecodedDigits } from '../../../benchmarks/datasets/mnist-cache.js';
import { tempDir } from './image-folder-fixtures.js';

const PIXELS = 28 * 28;
const temp = tempDir('tb-mnist-cache-');
const previousCache = process.env.TRANSFER_BENCH_DATA_CACHE;
process.env.TRANSFER_BENCH_DATA_CACHE = join(temp.dir, 'cache');
afterAll(() => {
  temp.cleanup();
  if (previousCache === undefined) delete process.env.TRANSFER_BENCH_DATA_CACHE;
  else process.env.TRANSFER_BENCH_DATA_CACHE = previousCache;
});

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Loads the package in a fresh process with the given cache folder; prints a digest of pixels and labels. */
function loadInChild(cacheDir: string): { digest: string; count: number } {
  const script = `
    import { createHash } from 'node:crypto';
    const { loadMnistPackage } = await import('./benchmarks/datasets/mnist-package.ts');
    const d = loadMnistPackage();
    const h = createHash('sha256');
    h.update(Buffer.from(d.pixels.buffer, d.pixels.byteOffset, d.pixels.byteLength));
    h.update(Buffer.from(d.labelValues.buffer, d.labelValues.byteOffset, d.labelValues.byteLength));
    console.log(JSON.stringify({ digest: h.digest('hex'), count: d.count }));`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    env: { ...process.env, TRANSFER_BENCH_DATA_CACHE: cacheDir },
    encoding: 'utf8',
  });
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { digest: string; count: number };
}

describe('decoded MNIST cache', () => {
  it('a second process reads exactly what the first parsed, from one file', () => {
    const cacheDir = join(temp.dir, 'processes');
    const parsed = loadInChild(cacheDir);
    const files = readdirSync(cacheDir).filter((f) => f.startsWith('mnist-') && f.endsWith('.f32'));
    expect(files).toHaveLength(1);
    // The file holds the values: a second process that reads it prints the same digest.
    expect(loadInChild(cacheDir)).toEqual(parsed);
    expect(parsed.count).toBe(10_000);
    // And it was read, not parsed again: a file whose values were changed is what the next process returns.
    const file = join(cacheDir, files[0]!);
    const bytes = readFileSync(file);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0x01, bytes.length - 1);
    writeFileSync(file, bytes);
    expect(loadInChild(cacheDir).digest).not.toBe(parsed.digest);
  });

  it('round-trips the values and refuses a torn or foreign file', () => {
    const path = join(temp.dir, 'cache', 'digits.f32');
    const pixels = Float32Array.from({ length: 3 * PIXELS }, (_, i) => (i % 255) / 255);
    writeDecodedDigits(path, { pixels, perDigit: [2, 0, 1] });
    const read = readDecodedDigits(path, PIXELS);
    expect(read?.perDigit).toEqual([2, 0, 1]);
    const bytesOf = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    expect(bytesOf(read!.pixels).equals(bytesOf(pixels))).toBe(true);
    // another row length than the file's: not whole
    expect(readDecodedDigits(path, PIXELS - 1)).toBeNull();
    truncateSync(path, readFileSync(path).length - 4);
    expect(readDecodedDigits(path, PIXELS)).toBeNull();
    writeFileSync(path, 'not a cache file');
    expect(readDecodedDigits(path, PIXELS)).toBeNull();
    expect(readDecodedDigits(join(temp.dir, 'missing.f32'), PIXELS)).toBeNull();
  });

  it('reads the pixels in place, whatever the header length (it is padded to a multiple of 4 bytes)', () => {
    const pixels = Float32Array.from({ length: 10 * PIXELS }, (_, i) => ((i * 7) % 255) / 255);
    // header JSON lengths that leave every remainder modulo 4
    for (const perDigit of [[4], [1, 3], [0, 0, 4], [1, 1, 1, 1], [2, 0, 0, 0, 2], [10, 0, 0, 0, 0, 0, 0, 0, 0, 0]]) {
      const total = perDigit.reduce((a, b) => a + b, 0);
      const path = join(temp.dir, 'cache', `aligned-${perDigit.length}.f32`);
      const written = pixels.subarray(0, total * PIXELS);
      writeDecodedDigits(path, { pixels: written, perDigit });
      const read = readDecodedDigits(path, PIXELS);
      expect(read?.perDigit).toEqual(perDigit);
      expect(Array.from(read!.pixels)).toEqual(Array.from(written));
      // a view on the file's own buffer, not a copy of it
      expect(read!.pixels.buffer.byteLength).toBe(readFileSync(path).length);
    }
  });

  it('names the file after the package version and its digit files, so a changed package is parsed again', () => {
    const pkg = join(temp.dir, 'fake-mnist');
    mkdirSync(join(pkg, 'src', 'digits'), { recursive: true });
    const digitFile = join(pkg, 'src', 'digits', '0.json');
    writeFileSync(digitFile, '[]');
    const first = mnistCachePath(pkg, '1.1.0');
    expect(first).not.toBeNull();
    expect(mnistCachePath(pkg, '1.1.0')).toBe(first);
    expect(mnistCachePath(pkg, '1.2.0')).not.toBe(first);
    utimesSync(digitFile, new Date(2020, 0, 1), new Date(2020, 0, 1));
    expect(mnistCachePath(pkg, '1.1.0')).not.toBe(first);
    expect(mnistCachePath(join(temp.dir, 'no-such-package'), '1.1.0')).toBeNull();
  });
});
