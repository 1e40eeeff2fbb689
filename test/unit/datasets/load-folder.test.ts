import { copyFileSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataCacheDir } from '../../../benchmarks/datasets/decode-cache.js';
import { scanImageFolder } from '../../../benchmarks/datasets/image-folder.js';
import { countPerClass } from '../../../benchmarks/datasets/labelled-images.js';
import { loadTask } from '../../../benchmarks/datasets/load-dataset.js';
import { loadImageFolder } from '../../../benchmarks/datasets/load-folder.js';
import { UserError } from '../../../benchmarks/errors.js';
import type { DatasetSource } from '../../../benchmarks/spec/suite-schema.js';
import { mnistImages, tempDir, writeDigitFolder } from './image-folder-fixtures.js';

const temp = tempDir();
const previousCache = process.env.TRANSFER_BENCH_DATA_CACHE;
afterAll(() => {
  temp.cleanup();
  if (previousCache === undefined) delete process.env.TRANSFER_BENCH_DATA_CACHE;
  else process.env.TRANSFER_BENCH_DATA_CACHE = previousCache;
});

const data = join(temp.dir, 'digits');
const source = (extra: Partial<Extract<DatasetSource, { kind: 'folder' }>> = {}): DatasetSource => ({
  kind: 'folder',
  dir: data,
  imageSize: [28, 28],
  channels: 1,
  ...extra,
});

beforeAll(async () => {
  process.env.TRANSFER_BENCH_DATA_CACHE = join(temp.dir, 'cache');
  // Real MNIST digits 3, 5 and 8, 12 of each, in all six formats in turn.
  await writeDigitFolder(data, [3, 5, 8], 12);
  // What a real folder also holds: a truncated JPEG, a text file named .png, notes, hidden files and folders.
  const jpeg = readdirSync(join(data, 'digit-3')).find((f) => f.endsWith('.jpg'))!;
  const bytes = readFileSync(join(data, 'digit-3', jpeg));
  writeFileSync(join(data, 'digit-3', 'broken.jpg'), bytes.subarray(0, bytes.length >> 1));
  writeFileSync(join(data, 'digit-5', 'fake.png'), 'this is not a PNG');
  writeFileSync(join(data, 'digit-5', 'notes.txt'), 'labels checked by hand');
  writeFileSync(join(data, 'digit-8', '.DS_Store'), 'junk');
  writeFileSync(join(data, 'README.md'), 'digits');
  mkdirSync(join(data, '.thumbnails'));
  copyFileSync(join(data, 'digit-3', jpeg), join(data, '.thumbnails', jpeg));
});

describe('image folder source', () => {
  it('lists classes by subfolder and ignores hidden and non-image files', () => {
    const listing = scanImageFolder(data);
    expect(listing.classNames).toEqual(['digit-3', 'digit-5', 'digit-8']);
    expect(listing.files).toHaveLength(38); // 36 digits + broken.jpg + fake.png
    expect(listing.ignored).toBe(4); // notes.txt, .DS_Store, README.md, .thumbnails
  });

  it('decodes JPEG, PNG, WebP, GIF, TIFF and AVIF, skips and names the files it cannot decode', async () => {
    const task = await loadTask(source(), 4, { baseDir: '/' });
    expect(task.pool.classNames).toEqual(['digit-3', 'digit-5', 'digit-8']);
    expect(task.pool.images).toBeInstanceOf(Uint8Array);
    expect(task.test.count).toBe(12);
    expect(task.pool.count).toBe(24);
    expect(countPerClass(task.pool.labels, 3)).toEqual([8, 8, 8]);
    expect(task.skipped.map((s) => s.path)).toEqual([
      join(data, 'digit-3', 'broken.jpg'),
      join(data, 'digit-5', 'fake.png'),
    ]);
    expect(task.skipped[0]!.reason).toMatch(/JPEG|jpeg/);
    expect(task.skipped[1]!.reason).toMatch(/unsupported image format/);
    expect(task.notices[0]).toMatch(
      new RegExp(`^image folder ${data}: 36 images decoded \\(and cached for the next run\\) in [\\d.]+ s$`),
    );
    expect(task.notices[1]).toBe('2 image files could not be decoded and were skipped:');
    expect(task.notices[2]).toContain('broken.jpg: ');
    expect(task.description).toBe(
      `image folder ${data}, classes digit-3, digit-5, digit-8: training pool 24, test 12 (4 per class, fixed), 28×28×1`,
    );
  });

  it('decodes a lossless file to exactly its pixels, and a lossy one close to them', async () => {
    const listing = scanImageFolder(data);
    const loaded = await loadImageFolder(listing, { imageSize: [28, 28], channels: 1 });
    const originals = mnistImages([3, 5, 8], 12);
    const pixelsOf = (name: string): Uint8Array => {
      const fileIndex = listing.files.findIndex((f) => f.path.endsWith(name));
      const row =
        listing.files.slice(0, fileIndex).length -
        loaded.skipped.filter((s) => s.path < listing.files[fileIndex]!.path).length;
      return loaded.examples.pixels.subarray(row * 784, (row + 1) * 784) as Uint8Array;
    };
    // File 00000.png is the first digit 3, 00001.jpg the second (formats go in turn).
    expect([...pixelsOf('00000.png')]).toEqual([...originals[0]!.pixels]);
    const jpeg = pixelsOf('00001.jpg');
    const error = jpeg.reduce((sum, v, i) => sum + Math.abs(v - originals[1]!.pixels[i]!), 0) / 784;
    expect(error).toBeLessThan(4);
  });

  it('gives three equal channels for a grayscale image asked for as RGB, resized to imageSize', async () => {
    const task = await loadTask(source({ imageSize: [14, 20], channels: 3 }), 2, { baseDir: '/' });
    expect([task.pool.height, task.pool.width, task.pool.channels]).toEqual([14, 20, 3]);
    const px = task.pool.images;
    for (let p = 0; p < 14 * 20; p++) {
      expect(px[3 * p]).toBe(px[3 * p + 1]);
      expect(px[3 * p]).toBe(px[3 * p + 2]);
    }
  });

  it('caches decoded images on disk and decodes again when a file changes', async () => {
    const settings = { imageSize: [28, 28] as [number, number], channels: 1 as const };
    const first = await loadImageFolder(scanImageFolder(data), settings);
    const again = await loadImageFolder(scanImageFolder(data), settings);
    expect(again.fromCache).toBe(true);
    expect(Buffer.from(again.examples.pixels).equals(Buffer.from(first.examples.pixels))).toBe(true);
    expect(readdirSync(dataCacheDir()).filter((f) => f.includes('.tmp-'))).toEqual([]);
    // Replace one image with another digit: same name, new content and modification time.
    const target = join(data, 'digit-8', '00024.png');
    await sharp(Buffer.from(mnistImages([0], 1)[0]!.pixels), { raw: { width: 28, height: 28, channels: 1 } })
      .png()
      .toFile(target);
    utimesSync(target, new Date(), new Date(Date.now() + 5000));
    const changed = await loadImageFolder(scanImageFolder(data), settings);
    expect(changed.fromCache).toBe(false);
    expect(Buffer.from(changed.examples.pixels).equals(Buffer.from(first.examples.pixels))).toBe(false);
    expect((await loadImageFolder(scanImageFolder(data), settings)).fromCache).toBe(true);
  });

  it('decodes the same folder twice at once without tearing the cache entry', async () => {
    const settings = { imageSize: [21, 21] as [number, number], channels: 1 as const };
    const [a, b] = await Promise.all([
      loadImageFolder(scanImageFolder(data), settings),
      loadImageFolder(scanImageFolder(data), settings),
    ]);
    const cached = await loadImageFolder(scanImageFolder(data), settings);
    expect(cached.fromCache).toBe(true);
    expect(Buffer.from(cached.examples.pixels).equals(Buffer.from(a.examples.pixels))).toBe(true);
    expect(Buffer.from(b.examples.pixels).equals(Buffer.from(a.examples.pixels))).toBe(true);
  });

  it('uses a test folder with the same classes instead of holding out', async () => {
    const testDir = join(temp.dir, 'digits-test');
    await writeDigitFolder(testDir, [3, 5, 8], 3, ['png']);
    const task = await loadTask(source({ test: testDir }), 3, { baseDir: '/' });
    expect(task.test.count).toBe(9);
    expect(task.pool.count).toBe(36);
  });
});

describe('image folder refusals', () => {
  const refuse = async (dir: string, message: string | RegExp, extra = {}): Promise<void> => {
    await expect(loadTask(source({ dir, ...extra }), 1, { baseDir: '/' })).rejects.toThrow(UserError);
    await expect(loadTask(source({ dir, ...extra }), 1, { baseDir: '/' })).rejects.toThrow(message);
  };

  it('refuses a folder that does not exist, and a file', async () => {
    await refuse(join(temp.dir, 'nope'), `image folder ${join(temp.dir, 'nope')} does not exist`);
    await refuse(join(data, 'README.md'), `image folder ${join(data, 'README.md')} is a file, not a folder`);
  });

  it('refuses an empty folder, and images with no class subfolder', async () => {
    const empty = join(temp.dir, 'empty');
    mkdirSync(empty);
    await refuse(
      empty,
      `image folder ${empty} has no images in class subfolders: put the images in one subfolder per class`,
    );
    const loose = join(temp.dir, 'loose');
    mkdirSync(loose);
    copyFileSync(join(data, 'digit-3', '00000.png'), join(loose, 'a.png'));
    await refuse(loose, /its 1 images lie directly in it: move them into one subfolder per class/);
  });

  it('refuses a folder with one class', async () => {
    const one = join(temp.dir, 'one');
    await writeDigitFolder(one, [7], 3, ['png']);
    await refuse(one, `image folder ${one} has one class (digit-7): a classifier needs at least 2`);
  });

  it('refuses a test folder whose classes differ', async () => {
    const other = join(temp.dir, 'other-test');
    await writeDigitFolder(other, [3, 5, 9], 2, ['png']);
    await refuse(data, `test folder ${other} has no images of digit-8 and classes digit-9 that ${data} does not have`, {
      test: other,
    });
  });

  it('names the class folder with too few images to hold out the test set', async () => {
    await expect(loadTask(source(), 12, { baseDir: '/' })).rejects.toThrow(
      `image folder ${data}: class "digit-3" (folder ${join(data, 'digit-3')}) has 12 examples, too few to hold out 12 for testing and leave 1 for training; lower testPerClass`,
    );
  });
});
