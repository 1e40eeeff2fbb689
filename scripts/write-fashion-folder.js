#!/usr/bin/env node
/**
 * Writes real Fashion-MNIST images (Debian's dataset-fashion-mnist) out as image folders of PNG and JPEG files for
 * the `folder` dataset kind and the built-in `fashion-folder` suite (see benchmarks/datasets/fashion-folder.ts):
 * <out>/source/ (T-shirt-top, Trouser, Pullover, Dress, Coat) and <out>/target/ (Sandal, Shirt, Sneaker, Bag,
 * Ankle-boot), the first --per-class images of each class.
 * Usage: npm run data:fashion-folder [-- --out DIR] [-- --per-class N]   (default: data/fashion-mnist-folder, 1000)
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'benchmarks', 'datasets', 'fashion-folder.js');
if (!existsSync(built)) {
  console.error('write-fashion-folder: run `npm run build:engine` first');
  process.exit(1);
}
const { DEFAULT_FASHION_FOLDER, FASHION_MNIST_DIR, writeFashionFolder } = await import(built);
const { values } = parseArgs({
  options: { out: { type: 'string' }, 'per-class': { type: 'string', default: '1000' } },
});
if (!existsSync(join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'))) {
  console.error(
    `write-fashion-folder: no Fashion-MNIST in ${FASHION_MNIST_DIR}: apt-get install dataset-fashion-mnist`,
  );
  process.exit(1);
}
const out = resolve(values.out ?? DEFAULT_FASHION_FOLDER);
const started = performance.now();
try {
  const wrote = await writeFashionFolder(out, Number(values['per-class']), (line) => console.log(line));
  console.log(
    wrote
      ? `written in ${((performance.now() - started) / 1000).toFixed(1)} s`
      : `${out} is already written; nothing to do`,
  );
} catch (error) {
  console.error(`write-fashion-folder: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
