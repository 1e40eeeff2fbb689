import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../benchmarks/errors.js';
import { readIdxFile, readIdxPair } from '../../../benchmarks/datasets/idx-reader.js';
import { SIDE, encodeIdx, idImages, makeTempDir, writeIdx, writeIdxPair } from './idx-fixtures.js';

const temp = makeTempDir();
afterAll(temp.cleanup);
const at = (name: string): string => join(temp.dir, name);
const IMAGES = { dataset: 'Test', role: 'images' } as const;
const LABELS = { dataset: 'Test', role: 'labels' } as const;

describe('readIdxPair', () => {
  it.each([false, true])('reads images and labels (gzip: %s)', (gzip) => {
    const dir = at(gzip ? 'ok-gz' : 'ok-raw');
    const files = writeIdxPair(dir, 'train', [3, 1, 4, 1, 5], { gzip });
    const pair = readIdxPair(join(dir, files.images), join(dir, files.labels), 'Test');
    expect([pair.count, pair.rows, pair.cols]).toEqual([5, SIDE, SIDE]);
    expect([...pair.labelValues]).toEqual([3, 1, 4, 1, 5]);
    expect([...pair.pixels]).toEqual([...idImages(5)]);
  });

  it('detects gzip by content, not by file name', () => {
    const gzNamedRaw = writeIdx(at('named/raw.gz'), [2], Uint8Array.from([7, 8]));
    writeFileSync(at('named/gz-content'), encodeIdx([2], Uint8Array.from([9, 6]), { gzip: true }));
    expect([...readIdxFile(gzNamedRaw, 1, LABELS).data]).toEqual([7, 8]);
    expect([...readIdxFile(at('named/gz-content'), 1, LABELS).data]).toEqual([9, 6]);
  });

  it('rejects images and labels files that disagree on the count', () => {
    const images = writeIdx(at('mismatch/images'), [3, SIDE, SIDE], idImages(3));
    const labels = writeIdx(at('mismatch/labels'), [2], Uint8Array.from([0, 1]));
    expect(() => readIdxPair(images, labels, 'Test')).toThrow(
      `Test files disagree: images file ${images} has 3 images, labels file ${labels} has 2 labels`,
    );
  });

  it('rejects an empty data set', () => {
    const images = writeIdx(at('empty/images'), [0, SIDE, SIDE], new Uint8Array(0));
    const labels = writeIdx(at('empty/labels'), [0], new Uint8Array(0));
    expect(() => readIdxPair(images, labels, 'Test')).toThrow(`Test images file ${images} holds no images`);
  });
});

describe('readIdxFile errors', () => {
  it('says where it looked for a missing file and how to get it', () => {
    const missing = at('nowhere/train-images-idx3-ubyte');
    expect(() => readIdxFile(missing, 3, IMAGES)).toThrow(UserError);
    expect(() => readIdxFile(missing, 3, IMAGES)).toThrow(
      `Test images file not found: looked for ${missing}; download`,
    );
  });

  it('points to the Debian package for the Fashion-MNIST folder', () => {
    const path = '/usr/share/datasets/fashion-mnist/no-such-file-idx3-ubyte.gz';
    expect(() => readIdxFile(path, 3, { dataset: 'Fashion-MNIST', role: 'images' })).toThrow(
      `Fashion-MNIST images file not found: looked for ${path}; install Fashion-MNIST with \`apt-get install dataset-fashion-mnist\``,
    );
  });

  it('suggests the gzipped twin when only that exists', () => {
    const twin = writeIdx(at('twin/labels.gz'), [1], Uint8Array.from([0]), { gzip: true });
    expect(() => readIdxFile(at('twin/labels'), 1, LABELS)).toThrow(`${twin} exists: did you mean that file?`);
  });

  it('rejects a directory', () => {
    mkdirSync(at('a-dir'), { recursive: true });
    expect(() => readIdxFile(at('a-dir'), 1, LABELS)).toThrow(`Test labels file ${at('a-dir')} is a directory`);
  });

  it.each([false, true])('rejects a bad magic number (gzip: %s)', (gzip) => {
    const path = writeIdx(at(`magic-${gzip}`), [2], Uint8Array.from([0, 1]), { magic: [0x50, 0x4b], gzip });
    expect(() => readIdxFile(path, 1, LABELS)).toThrow(
      `Test labels file ${path} is not an IDX file: it does not start with the IDX magic number (0x00 0x00 0x08 0x01)`,
    );
  });

  it('rejects data types other than unsigned bytes', () => {
    const path = writeIdx(at('float'), [2], new Uint8Array(8), { typeCode: 0x0d });
    expect(() => readIdxFile(path, 1, LABELS)).toThrow(
      `Test labels file ${path} has unsupported data type 0x0d (float); only 0x08 (unsigned byte) is supported`,
    );
  });

  it('rejects the wrong number of dimensions', () => {
    const labels = writeIdx(at('dims/labels'), [4], Uint8Array.from([0, 1, 2, 3]));
    expect(() => readIdxFile(labels, 3, IMAGES)).toThrow(
      `Test images file ${labels} has 1 dimensions, expected 3 (count, rows, columns)`,
    );
    const images = writeIdx(at('dims/images'), [1, 2, 2], new Uint8Array(4));
    expect(() => readIdxFile(images, 1, LABELS)).toThrow(
      `Test labels file ${images} has 3 dimensions, expected 1 (count)`,
    );
  });

  it.each([false, true])('rejects truncated data, naming the header and what it found (gzip: %s)', (gzip) => {
    const path = writeIdx(at(`truncated-${gzip}`), [60000, 28, 28], new Uint8Array(1234), { gzip });
    expect(() => readIdxFile(path, 3, { dataset: 'Fashion-MNIST', role: 'images' })).toThrow(
      `Fashion-MNIST images file ${path} is truncated: header says 60000×28×28 = 47040000 bytes of data, found 1234`,
    );
  });

  it('rejects data longer than the header says', () => {
    const path = writeIdx(at('too-long'), [3], new Uint8Array(5));
    expect(() => readIdxFile(path, 1, LABELS)).toThrow(
      `Test labels file ${path} is too long: header says 3 = 3 bytes of data, found 5`,
    );
  });

  it('rejects a file cut inside its header, and a file too short to have one', () => {
    const cut = at('cut-header');
    writeFileSync(cut, encodeIdx([10, SIDE, SIDE], new Uint8Array(0)).subarray(0, 9));
    expect(() => readIdxFile(cut, 3, IMAGES)).toThrow(
      `Test images file ${cut} is truncated: its header needs 16 bytes for 3 dimensions, found 9`,
    );
    writeFileSync(at('tiny'), Buffer.from([0, 0]));
    expect(() => readIdxFile(at('tiny'), 1, LABELS)).toThrow(/is too short to be an IDX file \(2 bytes\)/);
  });

  it('rejects a damaged gzip stream', () => {
    const good = encodeIdx([100], new Uint8Array(100).fill(3), { gzip: true });
    const path = at('damaged.gz');
    writeFileSync(path, good.subarray(0, good.length - 12));
    expect(() => readIdxFile(path, 1, LABELS)).toThrow(`Test labels file ${path} is a damaged gzip file`);
  });

  it('rereads a file that changed on disk', () => {
    const path = writeIdx(at('changing'), [2], Uint8Array.from([1, 2]));
    expect([...readIdxFile(path, 1, LABELS).data]).toEqual([1, 2]);
    writeIdx(path, [3], Uint8Array.from([4, 5, 6]));
    expect([...readIdxFile(path, 1, LABELS).data]).toEqual([4, 5, 6]);
    expect(readFileSync(path).length).toBe(11);
  });
});
