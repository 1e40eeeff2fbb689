/**
 * Real Fashion-MNIST images (Debian's dataset-fashion-mnist IDX files) written out as image folders of PNG and JPEG
 * files, one subfolder per class, for the built-in `fashion-folder` suite and the folder path's tests:
 *
 *   <out>/source/  T-shirt-top, Trouser, Pullover, Dress, Coat   (the classes to pretrain on)
 *   <out>/target/  Sandal, Shirt, Sneaker, Bag, Ankle-boot       (the classes to compare the approaches on)
 *
 * The first `perClass` images of each class in the training file, in file order, PNG and JPEG in turn. A finished
 * folder is left as it is (a hidden `.complete` file records what was written), so its files keep their modification
 * times and the decode cache stays valid.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { packageRoot } from '../paths.js';
import { exportImageFolder, type ExportedImage } from './export-image-folder.js';
import { readIdxPair } from './idx-reader.js';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
/** Where the built-in suite expects the folders. */
export const DEFAULT_FASHION_FOLDER = join(packageRoot(), 'data', 'fashion-mnist-folder');
const NAMES = [
  'T-shirt-top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle-boot',
];
const PARTS = [
  ['source', [0, 1, 2, 3, 4]],
  ['target', [5, 6, 7, 8, 9]],
] as const;

/** Writes the two folders under `out` unless they are already there; returns true when it wrote them. */
export async function writeFashionFolder(
  out: string = DEFAULT_FASHION_FOLDER,
  perClass = 1000,
  log: (line: string) => void = () => {},
): Promise<boolean> {
  if (!Number.isInteger(perClass) || perClass < 1 || perClass > 6000) {
    throw new UserError(`images per class must be a whole number from 1 to 6000, got ${perClass}`);
  }
  const marker = join(out, '.complete');
  const identity = JSON.stringify({ perClass, formats: ['png', 'jpg'], version: 1 });
  if (existsSync(marker) && readFileSync(marker, 'utf8') === identity) return false;
  const train = readIdxPair(
    join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'),
    join(FASHION_MNIST_DIR, 'train-labels-idx1-ubyte.gz'),
    'Fashion-MNIST',
  );
  rmSync(out, { recursive: true, force: true });
  const size = train.rows * train.cols;
  for (const [part, classes] of PARTS) {
    const images: ExportedImage[] = [];
    for (const label of classes) {
      let taken = 0;
      for (let i = 0; i < train.count && taken < perClass; i++) {
        if (train.labelValues[i] !== label) continue;
        images.push({ pixels: train.pixels.slice(i * size, (i + 1) * size), className: NAMES[label]! });
        taken++;
      }
    }
    const dir = join(out, part);
    mkdirSync(dir, { recursive: true });
    await exportImageFolder(dir, images, { height: train.rows, width: train.cols }, ['png', 'jpg']);
    log(`${dir}: ${images.length} images (${classes.map((c) => NAMES[c]).join(', ')})`);
  }
  writeFileSync(marker, identity);
  return true;
}
