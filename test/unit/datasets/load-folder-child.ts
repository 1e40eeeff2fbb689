/**
 * A separate process loading an image folder through the decode cache, for the concurrent-writers test
 * (decode-cache.test.ts): `node --import tsx load-folder-child.ts <dir> <side> <chunkSize>` prints one JSON line,
 * the SHA-256 of the pixels and the number of files it decoded.
 */
import { createHash } from 'node:crypto';
import { scanImageFolder } from '../../../benchmarks/datasets/image-folder.js';
import { loadImageFolder } from '../../../benchmarks/datasets/load-folder.js';

const [dir, side, chunkSize] = process.argv.slice(2);
const loaded = await loadImageFolder(
  scanImageFolder(dir!),
  { imageSize: [Number(side), Number(side)], channels: 1 },
  undefined,
  Number(chunkSize),
);
const pixels = createHash('sha256').update(loaded.examples.pixels).digest('hex');
process.stdout.write(`${JSON.stringify({ pixels, decodedFiles: loaded.decodedFiles })}\n`);
