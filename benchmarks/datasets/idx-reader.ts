/**
 * Reader for IDX files, the MNIST file format: big-endian; magic 0x00 0x00 <type code> <number of dims>;
 * one uint32 per dimension; then the data. Only unsigned-byte data (type 0x08) is supported, which is what
 * MNIST, Fashion-MNIST, KMNIST and friends use. Files may be gzipped (detected by content, not by name).
 * Every problem is a UserError naming the file and what is wrong with it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { UserError, errorMessage } from '../errors.js';

const UNSIGNED_BYTE = 0x08;
const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'short',
  0x0c: 'int',
  0x0d: 'float',
  0x0e: 'double',
};
const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** What a file is, for messages: e.g. `Fashion-MNIST images file /x/train-images-idx3-ubyte.gz`. */
export interface IdxFileRole {
  /** Name of the data set, e.g. "Fashion-MNIST" or "IDX". */
  dataset: string;
  role: 'images' | 'labels';
}

export interface IdxArray {
  dims: number[];
  /** The data after the header, one byte per value. */
  data: Uint8Array;
}

/** Images as stored in IDX files: count × rows × cols bytes, and their label values. */
export interface IdxExamples {
  count: number;
  rows: number;
  cols: number;
  pixels: Uint8Array;
  labelValues: Uint8Array;
}

function describe(path: string, what: IdxFileRole): string {
  return `${what.dataset} ${what.role} file ${path}`;
}

/** How to get a file that is not there: the Debian package for Fashion-MNIST, the .gz twin if that exists. */
export function missingFileHint(path: string): string {
  if (path.startsWith(FASHION_MNIST_DIR + '/')) {
    return 'install Fashion-MNIST with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu)';
  }
  const twin = path.endsWith('.gz') ? path.slice(0, -3) : path + '.gz';
  if (existsSync(twin)) return `${twin} exists: did you mean that file?`;
  return 'download the MNIST-format IDX file (raw or gzipped) there, or fix the dataset paths in the suite file';
}

function readBytes(path: string, what: IdxFileRole): Uint8Array {
  let bytes: Buffer;
  try {
    if (statSync(path).isDirectory()) throw new UserError(`${describe(path, what)} is a directory, not a file`);
    bytes = readFileSync(path);
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new UserError(`${what.dataset} ${what.role} file not found: looked for ${path}; ${missingFileHint(path)}`);
    }
    throw new UserError(`cannot read ${describe(path, what)}: ${errorMessage(error)}`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new UserError(`${describe(path, what)} is a damaged gzip file (${errorMessage(error)})`);
    }
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function hex(byte: number): string {
  return '0x' + byte.toString(16).padStart(2, '0');
}

const CACHE_LIMIT = 4;
const cache = new Map<string, IdxArray>();

/**
 * Parses an IDX file of unsigned bytes with `expectedDims` dimensions. The last few files read are kept in
 * memory (keyed by path, size and modification time) so a worker running several trials decodes them once.
 * The returned data is shared: do not write to it.
 */
export function readIdxFile(path: string, expectedDims: number, what: IdxFileRole): IdxArray {
  let key: string | undefined;
  try {
    const stats = statSync(path);
    key = `${path}\0${stats.size}\0${stats.mtimeMs}\0${expectedDims}`;
  } catch {
    // Missing or unreadable: parseIdxFile reports it.
  }
  const cached = key === undefined ? undefined : cache.get(key);
  if (cached) return cached;
  const parsed = parseIdxFile(path, expectedDims, what);
  if (key !== undefined) {
    cache.set(key, parsed);
    if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  }
  return parsed;
}

function parseIdxFile(path: string, expectedDims: number, what: IdxFileRole): IdxArray {
  const bytes = readBytes(path, what);
  const name = describe(path, what);
  if (bytes.length < 4) throw new UserError(`${name} is too short to be an IDX file (${bytes.length} bytes)`);
  const [zero0, zero1, typeCode, dimCount] = bytes as unknown as [number, number, number, number];
  if (zero0 !== 0 || zero1 !== 0) {
    // The bytes found are not quoted: an error must not show a file's contents.
    throw new UserError(
      `${name} is not an IDX file: it does not start with the IDX magic number (0x00 0x00 0x08 ${hex(expectedDims)})`,
    );
  }
  if (typeCode !== UNSIGNED_BYTE) {
    const typeName = TYPE_NAMES[typeCode] ?? 'unknown type';
    throw new UserError(
      `${name} has unsupported data type ${hex(typeCode)} (${typeName}); only 0x08 (unsigned byte) is supported`,
    );
  }
  if (dimCount !== expectedDims) {
    const expected = expectedDims === 3 ? '3 (count, rows, columns)' : `${expectedDims} (count)`;
    throw new UserError(`${name} has ${dimCount} dimensions, expected ${expected}`);
  }
  const headerLength = 4 + 4 * dimCount;
  if (bytes.length < headerLength) {
    throw new UserError(
      `${name} is truncated: its header needs ${headerLength} bytes for ${dimCount} dimensions, found ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < dimCount; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const expectedLength = dims.reduce((a, b) => a * b, 1);
  const found = bytes.length - headerLength;
  if (found !== expectedLength) {
    const problem = found < expectedLength ? 'is truncated' : 'is too long';
    throw new UserError(
      `${name} ${problem}: header says ${dims.join('×')} = ${expectedLength} bytes of data, found ${found}`,
    );
  }
  return { dims, data: bytes.subarray(headerLength) };
}

/** Reads an images file and its labels file and checks that they describe the same examples. */
export function readIdxPair(imagesPath: string, labelsPath: string, dataset: string): IdxExamples {
  const images = readIdxFile(imagesPath, 3, { dataset, role: 'images' });
  const labels = readIdxFile(labelsPath, 1, { dataset, role: 'labels' });
  const [count, rows, cols] = images.dims as [number, number, number];
  const [labelCount] = labels.dims as [number];
  if (count !== labelCount) {
    throw new UserError(
      `${dataset} files disagree: images file ${imagesPath} has ${count} images, labels file ${labelsPath} has ${labelCount} labels`,
    );
  }
  if (count === 0) throw new UserError(`${describe(imagesPath, { dataset, role: 'images' })} holds no images`);
  if (rows === 0 || cols === 0) {
    throw new UserError(`${describe(imagesPath, { dataset, role: 'images' })} has empty ${rows}×${cols} images`);
  }
  return { count, rows, cols, pixels: images.data, labelValues: labels.data };
}
