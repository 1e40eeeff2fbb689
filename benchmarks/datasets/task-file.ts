import type { LabelledImages } from './labelled-images.js';

/**
 * A task's arrays (training pool and test set) as one binary file, so that a worker on another machine gets exactly
 * the examples the suite was created with, without the data files: `TBTASK1\n`, a 4-byte little-endian header
 * length, a JSON header (shapes, class names, array types), then each set's images and labels, raw.
 */
export interface TaskArrays {
  pool: LabelledImages;
  test: LabelledImages;
  standardise: boolean;
}

const MAGIC = Buffer.from('TBTASK1\n', 'latin1');

interface SetHeader {
  count: number;
  height: number;
  width: number;
  channels: number;
  classNames: string[];
  imageType: 'uint8' | 'float32';
  imageBytes: number;
  labelBytes: number;
}

interface Header {
  standardise: boolean;
  pool: SetHeader;
  test: SetHeader;
}

const bytesOf = (array: ArrayBufferView): Buffer => Buffer.from(array.buffer, array.byteOffset, array.byteLength);

function setHeader(set: LabelledImages): SetHeader {
  return {
    count: set.count,
    height: set.height,
    width: set.width,
    channels: set.channels,
    classNames: set.classNames,
    imageType: set.images instanceof Uint8Array ? 'uint8' : 'float32',
    imageBytes: set.images.byteLength,
    labelBytes: set.labels.byteLength,
  };
}

export function encodeTask(task: TaskArrays): Buffer {
  const header: Header = { standardise: task.standardise, pool: setHeader(task.pool), test: setHeader(task.test) };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  return Buffer.concat([
    MAGIC,
    length,
    json,
    bytesOf(task.pool.images),
    bytesOf(task.pool.labels),
    bytesOf(task.test.images),
    bytesOf(task.test.labels),
  ]);
}

/** Copies `length` bytes at `offset` into a fresh, aligned buffer (a file's bytes need not be aligned for floats). */
function copyOut(bytes: Uint8Array, offset: number, length: number): ArrayBuffer {
  if (offset + length > bytes.length) throw new Error('task file is truncated');
  const out = new Uint8Array(length);
  out.set(bytes.subarray(offset, offset + length));
  return out.buffer;
}

export function decodeTask(bytes: Uint8Array): TaskArrays {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (data.length < MAGIC.length + 4 || !data.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new Error('not a transfer-bench task file (bad magic)');
  }
  const headerLength = data.readUInt32LE(MAGIC.length);
  let offset = MAGIC.length + 4;
  const header = JSON.parse(data.subarray(offset, offset + headerLength).toString('utf8')) as Header;
  offset += headerLength;
  const readSet = (h: SetHeader): LabelledImages => {
    const imageBuffer = copyOut(data, offset, h.imageBytes);
    offset += h.imageBytes;
    const labelBuffer = copyOut(data, offset, h.labelBytes);
    offset += h.labelBytes;
    const images = h.imageType === 'uint8' ? new Uint8Array(imageBuffer) : new Float32Array(imageBuffer);
    const expected = h.count * h.height * h.width * h.channels;
    if (images.length !== expected || labelBuffer.byteLength !== h.count * 4) {
      throw new Error('task file is truncated or its header does not match its arrays');
    }
    const { count, height, width, channels, classNames } = h;
    return { images, labels: new Int32Array(labelBuffer), count, height, width, channels, classNames };
  };
  const pool = readSet(header.pool);
  const test = readSet(header.test);
  if (offset !== data.length) throw new Error('task file has trailing bytes: it is not the file its header describes');
  return { standardise: header.standardise, pool, test };
}
