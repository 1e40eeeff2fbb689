/**
 * An image folder as the Keras `image_dataset_from_directory` convention lays it out: one subfolder per class, the
 * class named after its subfolder. Hidden files and folders and files that are not images (by extension) are
 * ignored; every refusal names the folder and what to do.
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { extname, join } from 'node:path';
import { UserError, errorMessage } from '../errors.js';
import { linkProblem } from '../read-roots.js';
import type { SkippedFile } from './decode-cache.js';

/** Extensions of the formats sharp decodes here: JPEG, PNG, WebP, GIF (first frame), TIFF, AVIF. */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([
  '.jpg',
  '.jpeg',
  '.jpe',
  '.jfif',
  '.png',
  '.webp',
  '.gif',
  '.tif',
  '.tiff',
  '.avif',
]);

export interface ImageFile {
  /** Absolute path. */
  path: string;
  /** Class index, in the order of `classNames`. */
  classIndex: number;
  size: number;
  mtimeMs: number;
}

export interface ImageFolderListing {
  dir: string;
  /** Subfolder names with at least one image, sorted (code-point order, as Keras sorts them). */
  classNames: string[];
  /** Images of every class, class by class, each class's files in name order. */
  files: ImageFile[];
  /** Files and folders left out: hidden, or not an image by extension. */
  ignored: number;
  /**
   * Symbolic links (class folders or images) not followed, each with why: a loop, a dangling link, or (when reading
   * under `serve --data-root`) a link leading outside the data folders. See read-roots.ts.
   */
  excluded: SkippedFile[];
}

/** What to do about a folder that is not there: the built-in Fashion-MNIST folders are written by a script. */
function missingFolderHint(dir: string): string {
  if (/fashion-mnist-folder/.test(dir)) {
    return 'write it with `npm run data:fashion-folder` (Fashion-MNIST images as PNG and JPEG files; needs `apt-get install dataset-fashion-mnist`)';
  }
  return 'give the folder that holds one subfolder per class';
}

const isHidden = (name: string): boolean => name.startsWith('.');
export const isImageName = (name: string): boolean => IMAGE_EXTENSIONS.has(extname(name).toLowerCase());

function entries(dir: string, what: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${what} ${dir} does not exist; ${missingFolderHint(dir)}`);
    if (code === 'ENOTDIR')
      throw new UserError(`${what} ${dir} is a file, not a folder; give the folder that holds one subfolder per class`);
    throw new UserError(`cannot read ${what} ${dir}: ${errorMessage(error)}`);
  }
}

/**
 * Lists the classes and images of `dir`. Refuses an empty folder (no class subfolder with an image), and images
 * lying loose in `dir` with no class subfolder. Does not decode anything.
 */
export function scanImageFolder(dir: string, what = 'image folder'): ImageFolderListing {
  let ignored = 0;
  let loose = 0;
  const classNames: string[] = [];
  const files: ImageFile[] = [];
  const excluded: SkippedFile[] = [];
  /** Whether the entry may be read: a symbolic link is followed only when it leads somewhere allowed. */
  const readable = (entry: Dirent, path: string): boolean => {
    const problem = entry.isSymbolicLink() ? linkProblem(path) : null;
    if (problem) excluded.push({ path, reason: problem });
    return problem === null;
  };
  for (const entry of entries(dir, what)) {
    if (isHidden(entry.name)) {
      ignored++;
      continue;
    }
    const path = join(dir, entry.name);
    if (!readable(entry, path)) continue;
    const isDir =
      entry.isDirectory() || (entry.isSymbolicLink() && statSync(path, { throwIfNoEntry: false })?.isDirectory());
    if (!isDir) {
      if (isImageName(entry.name)) loose++;
      ignored++;
      continue;
    }
    const classIndex = classNames.length;
    let found = 0;
    for (const file of entries(path, 'class folder')) {
      if (isHidden(file.name) || !isImageName(file.name)) {
        ignored++;
        continue;
      }
      const filePath = join(path, file.name);
      if (!readable(file, filePath)) continue;
      const stats = statSync(filePath, { throwIfNoEntry: false });
      if (!stats?.isFile()) {
        ignored++;
        continue;
      }
      files.push({ path: filePath, classIndex, size: stats.size, mtimeMs: stats.mtimeMs });
      found++;
    }
    if (found > 0) classNames.push(entry.name);
    else ignored++;
  }
  if (classNames.length === 0) {
    const hint =
      loose > 0
        ? `its ${loose} images lie directly in it: move them into one subfolder per class (e.g. ${join(dir, 'cat')}/, ${join(dir, 'dog')}/)`
        : 'put the images in one subfolder per class (e.g. cat/, dog/), in JPEG, PNG, WebP, GIF, TIFF or AVIF';
    throw new UserError(`${what} ${dir} has no images in class subfolders: ${hint}`);
  }
  if (classNames.length === 1) {
    throw new UserError(
      `${what} ${dir} has one class (${classNames[0]}): a classifier needs at least 2; add a subfolder of images for each other class`,
    );
  }
  return { dir, classNames, files, ignored, excluded };
}
