/**
 * What a user's data holds, before a suite is written for it: an image folder's classes and image counts (decoded,
 * so bad files are found and the decode cache is warm for the run) or a table's classes, rows and feature columns.
 * Every problem is a UserError that names the file and what to do.
 */
import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import sharp from 'sharp';
import type { SkippedFile } from '../datasets/decode-cache.js';
import { countPerClass } from '../datasets/labelled-images.js';
import type { ImageFolderListing } from '../datasets/image-folder.js';
import { listFolderSource, loadImageFolder, type DecodeProgress } from '../datasets/load-folder.js';
import { labelOrder, readTable, readTableHeader } from '../datasets/load-table.js';
import { UserError } from '../errors.js';
import { detectTextColumn, inspectText, type TextInspection } from './inspect-text.js';

export type { TextInspection } from './inspect-text.js';

export interface ClassCount {
  name: string;
  /** Usable examples: images that decoded, or rows. */
  count: number;
  /** In the test folder or test table, when there is one. */
  testCount?: number;
}

interface Common {
  path: string;
  classes: ClassCount[];
  /** Where the test set comes from: a second folder or table, else held out of `path`. */
  testPath?: string;
}

export interface FolderInspection extends Common {
  kind: 'folder';
  imageSize: [number, number];
  channels: 1 | 3;
  /** Files that could not be decoded. */
  skipped: SkippedFile[];
  /** Symbolic links not followed (a loop, a dangling link, a link out of `serve`'s data folders), each with why. */
  excluded: SkippedFile[];
  /** Hidden files and files that are not images, left out. */
  ignored: number;
  /** A few files per class, for thumbnails. */
  samples: string[][];
}

export interface TableInspection extends Common {
  kind: 'csv';
  label: string;
  features: string[];
}

export type DataInspection = FolderInspection | TableInspection | TextInspection;

export interface InspectOptions {
  /** Image size to decode to; default: from the images (see `suggestImageShape`). */
  imageSize?: [number, number];
  channels?: 1 | 3;
  /** Largest side the suggested image size may take (default 64); a brought model's input side. */
  maxSide?: number;
  /** A test folder or test table. */
  test?: string;
  /** Label column of a table; default: a column named label, class, target, species, category or y, else the last. */
  label?: string;
  /** Text column of a text table; default: a column named text, description, review, …, else the wordiest. */
  text?: string;
  features?: string[];
  onProgress?: (progress: DecodeProgress) => void;
}

/** "csv" for a .csv file, "text" for .tsv and JSON Lines, "folder" for a folder; anything else is refused. */
export function dataKind(path: string): 'folder' | 'csv' | 'text' {
  if (!existsSync(path)) {
    throw new UserError(`${path} does not exist; give a folder of images (one subfolder per class) or a CSV file`);
  }
  if (statSync(path).isDirectory()) return 'folder';
  if (extname(path).toLowerCase() === '.csv') return 'csv';
  if (['.tsv', '.tab', '.jsonl', '.ndjson'].includes(extname(path).toLowerCase())) return 'text';
  throw new UserError(
    `${path} is neither a folder of images nor a .csv, .tsv or .jsonl file; give a folder with one subfolder of images per class, or a table with a header row`,
  );
}

export async function inspectData(path: string, options: InspectOptions = {}): Promise<DataInspection> {
  const full = resolve(path);
  const kind = dataKind(full);
  if (kind === 'folder') return inspectFolder(full, options);
  // a table with a column of words is text; one of numbers is a numeric table
  if (kind === 'text' || detectTextColumn(full, options.text) !== null) {
    return inspectText(full, { ...options, ...(options.test ? { test: resolve(options.test) } : {}) });
  }
  return inspectTable(full, options);
}

const LABEL_NAMES = /^(label|labels|class|classes|target|species|category|y)$/i;

function inspectTable(path: string, options: InspectOptions): TableInspection {
  const header = readTableHeader(path);
  const label = options.label ?? header.find((h) => LABEL_NAMES.test(h)) ?? header[header.length - 1]!;
  const table = readTable(path, { label, features: options.features });
  const names = labelOrder(table.labels);
  if (names.length < 2) {
    throw new UserError(
      `table ${path}: the label column "${label}" has one value (${names[0]}); a classifier needs at least 2 classes (name the label column with --label)`,
    );
  }
  const counts = countPerClass(
    Int32Array.from(table.labels, (l) => names.indexOf(l)),
    names.length,
  );
  const classes: ClassCount[] = names.map((name, k) => ({ name, count: counts[k]! }));
  const inspection: TableInspection = { kind: 'csv', path, classes, label, features: table.featureNames };
  if (options.test) {
    const testPath = resolve(options.test);
    const test = readTable(testPath, { label, features: table.featureNames, what: 'test table' });
    for (const c of classes) c.testCount = test.labels.filter((l) => l === c.name).length;
    inspection.testPath = testPath;
  }
  return inspection;
}

/**
 * Whether an RGB file holds colour: formats without a grayscale mode (WebP, AVIF, GIF) store gray images as RGB, so
 * the pixels decide: colour when some pixel's channels differ by more than JPEG's chroma noise.
 */
async function hasColour(path: string): Promise<boolean> {
  const { data } = await sharp(path)
    .resize(16, 16, { fit: 'fill' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  for (let p = 0; p + 2 < data.length; p += 3) {
    const r = data[p]!;
    const g = data[p + 1]!;
    const b = data[p + 2]!;
    if (Math.max(r, g, b) - Math.min(r, g, b) > 8) return true;
  }
  return false;
}

/**
 * Image shape for a folder, from the sizes of up to 200 of its images: square, the median of the shorter sides,
 * at most 64 (the built-in CNN is small; a larger size costs time and rarely helps it) and at least 10 (the CNN's
 * minimum); grayscale when no image looked at has colour, else RGB.
 */
export async function suggestImageShape(
  listing: ImageFolderListing,
  maxSide = 64,
): Promise<{ side: number; channels: 1 | 3 }> {
  const step = Math.max(1, Math.floor(listing.files.length / 200));
  const sides: number[] = [];
  let colour = false;
  for (let i = 0; i < listing.files.length; i += step) {
    try {
      const path = listing.files[i]!.path;
      const meta = await sharp(path).metadata();
      if (meta.width && meta.height) sides.push(Math.min(meta.width, meta.height));
      if (!colour && meta.channels !== undefined && meta.channels >= 3) colour = await hasColour(path);
    } catch {
      // An unreadable file is reported when the folder is decoded.
    }
  }
  sides.sort((a, b) => a - b);
  const median = sides.length > 0 ? sides[Math.floor(sides.length / 2)]! : 32;
  return { side: Math.max(10, Math.min(maxSide, median)), channels: colour ? 3 : 1 };
}

async function inspectFolder(path: string, options: InspectOptions): Promise<FolderInspection> {
  const listings = listFolderSource(
    { kind: 'folder', dir: path, imageSize: [1, 1], channels: 3, ...(options.test ? { test: options.test } : {}) },
    '/',
  );
  const suggested =
    options.imageSize && options.channels ? undefined : await suggestImageShape(listings.train, options.maxSide);
  const imageSize = options.imageSize ?? [suggested!.side, suggested!.side];
  const channels = options.channels ?? suggested!.channels;
  const settings = { imageSize, channels };
  const train = await loadImageFolder(listings.train, settings, options.onProgress);
  const counts = countPerClass(train.examples.labelValues as Int32Array, listings.train.classNames.length);
  const classes: ClassCount[] = listings.train.classNames.map((name, k) => ({ name, count: counts[k]! }));
  const skipped = [...train.skipped];
  const excluded = [...listings.train.excluded];
  const inspection: FolderInspection = {
    kind: 'folder',
    path,
    classes,
    imageSize,
    channels,
    skipped,
    excluded,
    ignored: listings.train.ignored,
    samples: listings.train.classNames.map((_, k) =>
      listings.train.files
        .filter((f) => f.classIndex === k)
        .slice(0, 4)
        .map((f) => f.path),
    ),
  };
  if (listings.test) {
    const test = await loadImageFolder(listings.test, settings, options.onProgress);
    const testCounts = countPerClass(test.examples.labelValues as Int32Array, classes.length);
    classes.forEach((c, k) => (c.testCount = testCounts[k]));
    skipped.push(...test.skipped);
    excluded.push(...listings.test.excluded);
    inspection.testPath = listings.test.dir;
  }
  return inspection;
}
