/**
 * The decode cache per chunk of files, on real MNIST digits written as PNG files: a second run decodes nothing, a
 * touched, replaced or added file is the only one decoded again, a removed one costs nothing, the cache keeps one
 * copy of each folder, and processes decoding at once never leave a torn entry.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, renameSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataCacheDir } from '../../../benchmarks/datasets/decode-cache.js';
import { chunkFiles } from '../../../benchmarks/datasets/decode-chunks.js';
import { scanImageFolder } from '../../../benchmarks/datasets/image-folder.js';
import { loadImageFolder, type LoadedFolder } from '../../../benchmarks/datasets/load-folder.js';
import { mnistImages, tempDir, writeDigitFolder } from './image-folder-fixtures.js';

const temp = tempDir('tb-decode-cache-');
const previousCache = process.env.TRANSFER_BENCH_DATA_CACHE;
afterAll(() => {
  temp.cleanup();
  if (previousCache === undefined) delete process.env.TRANSFER_BENCH_DATA_CACHE;
  else process.env.TRANSFER_BENCH_DATA_CACHE = previousCache;
});

/** Mean files per chunk in these tests: 60 files make about 15 entries, as 50,000 photos make hundreds. */
const CHUNK = 4;
const settings = { imageSize: [28, 28] as [number, number], channels: 1 as const };
const data = join(temp.dir, 'digits');
const load = (dir = data, side = 28): Promise<LoadedFolder> =>
  loadImageFolder(scanImageFolder(dir), { ...settings, imageSize: [side, side] }, undefined, CHUNK);
/** The decoded bytes (a folder's examples are bytes; RawExamples also allows floats). */
const px = (loaded: LoadedFolder): Uint8Array => loaded.examples.pixels as Uint8Array;
const cacheFiles = (suffix: string): string[] => readdirSync(dataCacheDir()).filter((f) => f.endsWith(suffix));
const rowOf = (loaded: LoadedFolder, name: string): Uint8Array => {
  const row = loaded.listing.files.findIndex((f) => f.path.endsWith(name));
  return px(loaded).subarray(row * 784, (row + 1) * 784);
};
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

/** Writes digit `digit`'s first image as a PNG at `path`, with a modification time unlike the file it replaces. */
async function writeDigit(path: string, digit: number, secondsAhead: number): Promise<Uint8Array> {
  const pixels = mnistImages([digit], 1)[0]!.pixels;
  await sharp(Buffer.from(pixels), { raw: { width: 28, height: 28, channels: 1 } })
    .png()
    .toFile(path);
  const when = new Date(Date.now() + secondsAhead * 1000);
  utimesSync(path, when, when);
  return pixels;
}

let first: LoadedFolder;
beforeAll(async () => {
  process.env.TRANSFER_BENCH_DATA_CACHE = join(temp.dir, 'cache');
  await writeDigitFolder(data, [1, 4, 7], 20, ['png']);
  first = await load();
});

describe('decode cache per chunk of files', () => {
  it('decodes every file once, then a second run decodes nothing', async () => {
    expect(first.decodedFiles).toBe(60);
    expect(first.fromCache).toBe(false);
    const chunks = chunkFiles(first.listing.files, settings, CHUNK);
    expect(chunks.length).toBeGreaterThan(5);
    expect(cacheFiles('.chunk')).toHaveLength(chunks.length);
    expect(cacheFiles('.folder.json')).toHaveLength(1);

    const again = await load();
    expect(again.decodedFiles).toBe(0);
    expect(again.fromCache).toBe(true);
    expect(same(px(again), px(first))).toBe(true);
    expect([...again.examples.labelValues]).toEqual([...first.examples.labelValues]);
  });

  it('decodes a touched file again, and only that file; the entry it replaces is deleted', async () => {
    const path = join(data, 'digit-4', '00025.png');
    const when = new Date(Date.now() + 7000);
    utimesSync(path, when, when);
    const touched = await load();
    expect(touched.decodedFiles).toBe(1);
    expect(same(px(touched), px(first))).toBe(true);
    expect(cacheFiles('.chunk')).toHaveLength(chunkFiles(touched.listing.files, settings, CHUNK).length);
    expect((await load()).decodedFiles).toBe(0);
  });

  it('decodes a replaced file again, and only that file, to its new pixels', async () => {
    const replacement = await writeDigit(join(data, 'digit-7', '00047.png'), 0, 11);
    const replaced = await load();
    expect(replaced.decodedFiles).toBe(1);
    expect([...rowOf(replaced, '00047.png')]).toEqual([...replacement]);
    expect(same(rowOf(replaced, '00046.png'), rowOf(first, '00046.png'))).toBe(true);
    expect(same(rowOf(replaced, '00048.png'), rowOf(first, '00048.png'))).toBe(true);
    expect(same(rowOf(replaced, '00047.png'), rowOf(first, '00047.png'))).toBe(false);
  });

  it('decodes nothing when a file is removed, and only the new file when one is added', async () => {
    const before = await load();
    const gone = join(data, 'digit-1', '00003.png');
    const kept = join(temp.dir, '00003.png');
    renameSync(gone, kept);
    const removed = await load();
    expect(removed.decodedFiles).toBe(0);
    expect(removed.examples.count).toBe(59);
    const row = before.listing.files.findIndex((f) => f.path === gone);
    const expected = Buffer.concat([px(before).subarray(0, row * 784), px(before).subarray((row + 1) * 784)]);
    expect(same(px(removed), expected)).toBe(true);

    const added = join(data, 'digit-1', '00003b.png');
    const pixels = await writeDigit(added, 9, 13);
    const withNew = await load();
    expect(withNew.decodedFiles).toBe(1);
    expect(withNew.examples.count).toBe(60);
    expect([...rowOf(withNew, '00003b.png')]).toEqual([...pixels]);
    expect(cacheFiles('.chunk')).toHaveLength(chunkFiles(withNew.listing.files, settings, CHUNK).length);
  });

  it('decodes a damaged entry again, only its files, and keeps no temporary files', async () => {
    const before = await load();
    const chunks = chunkFiles(before.listing.files, settings, CHUNK);
    const victim = chunks[2]!;
    const path = join(dataCacheDir(), `${victim.key}.chunk`);
    truncateSync(path, statSync(path).size - 100);
    const repaired = await load();
    expect(repaired.decodedFiles).toBe(victim.end - victim.start);
    expect(same(px(repaired), px(before))).toBe(true);
    expect((await load()).decodedFiles).toBe(0);
    expect(readdirSync(dataCacheDir()).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('keeps one copy per folder and settings, and forgets a folder that is gone', async () => {
    const other = join(temp.dir, 'other');
    await writeDigitFolder(other, [2, 3], 6, ['png']);
    await load(other);
    const withOther = cacheFiles('.chunk').length;
    expect(cacheFiles('.folder.json')).toHaveLength(2);
    rmSync(other, { recursive: true });
    // The next change to any folder sweeps the cache: the other folder's manifest and chunks go.
    await writeDigit(join(data, 'digit-4', '00030.png'), 5, 17);
    const changed = await load();
    expect(changed.decodedFiles).toBe(1);
    expect(cacheFiles('.folder.json')).toHaveLength(1);
    expect(cacheFiles('.chunk').length).toBeLessThan(withOther);
    expect(cacheFiles('.chunk')).toHaveLength(chunkFiles(changed.listing.files, settings, CHUNK).length);
  });

  it('sweeps what a killed run left an hour ago and entries of the first cache format, at the next change', async () => {
    const dir = dataCacheDir();
    const hourAgo = new Date(Date.now() - 2 * 3600 * 1000);
    const leftovers = [
      '0123456789abcdef0123456789abcdef.chunk',
      'abc.chunk.tmp-1-x',
      'fedcba9876543210fedcba9876543210.bin',
    ];
    const fresh = '11111111111111111111111111111111.chunk';
    for (const name of [...leftovers, fresh]) writeFileSync(join(dir, name), 'left over');
    for (const name of leftovers.slice(0, 2)) utimesSync(join(dir, name), hourAgo, hourAgo);
    await writeDigit(join(data, 'digit-1', '00010.png'), 2, 23);
    expect((await load()).decodedFiles).toBe(1);
    const names = readdirSync(dir);
    for (const name of leftovers) expect(names).not.toContain(name);
    expect(names).toContain(fresh); // younger than an hour: it may be a chunk another run is about to name
  });
});

const TSX = createRequire(import.meta.url).resolve('tsx');
const CHILD = fileURLToPath(new URL('./load-folder-child.ts', import.meta.url));

function loadInChild(dir: string, side: number): Promise<{ pixels: string; decodedFiles: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, CHILD, dir, String(side), String(CHUNK)], {
      env: { ...process.env, TRANSFER_BENCH_DATA_CACHE: dataCacheDir() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as { pixels: string; decodedFiles: number }) : reject(new Error(err)),
    );
  });
}

describe('decode cache with several processes at once', () => {
  it('three processes decoding the same folder at once leave whole entries that a fourth reads', async () => {
    const side = 24; // settings no other test uses: every process finds the cache empty
    const results = await Promise.all([loadInChild(data, side), loadInChild(data, side), loadInChild(data, side)]);
    expect(new Set(results.map((r) => r.pixels)).size).toBe(1);
    const after = await load(data, side);
    expect(after.decodedFiles).toBe(0);
    expect(createHash('sha256').update(px(after)).digest('hex')).toBe(results[0]!.pixels);
    expect(readdirSync(dataCacheDir()).filter((f) => f.includes('.tmp-'))).toEqual([]);

    // Again after one file changed: each process decodes at most that file's chunk (that file alone, unless the
    // other process deleted the entry it replaces in between), and the entries stay whole.
    const path = join(data, 'digit-7', '00050.png');
    await writeDigit(path, 6, 19);
    const files = scanImageFolder(data).files;
    const chunk = chunkFiles(files, { ...settings, imageSize: [side, side] }, CHUNK).find((c) =>
      files.slice(c.start, c.end).some((f) => f.path === path),
    )!;
    const changed = await Promise.all([loadInChild(data, side), loadInChild(data, side)]);
    expect(changed.every((r) => r.decodedFiles <= chunk.end - chunk.start)).toBe(true);
    expect(changed[0]!.pixels).toBe(changed[1]!.pixels);
    const last = await load(data, side);
    expect(last.decodedFiles).toBe(0);
    expect(createHash('sha256').update(px(last)).digest('hex')).toBe(changed[0]!.pixels);
  });
});
